"""Policy and holiday pages. Reading is open to every signed-in role (a policy is a public document);
every change goes through ``policy_services`` and needs ``manage_policy``."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from fangpin.accounts.access import require
from fangpin.cases import policy_services as services
from fangpin.cases.models import Holiday
from fangpin.cases.policy_forms import (
    DEFAULT_RIGID_ITEMS,
    RIGID_CHOICES,
    DeadlinePreviewForm,
    HolidayForm,
    PolicyVersionForm,
)
from fangpin.core.regions import ancestors

HISTORY_SHOWN = 200


def policy_list(request):
    today = timezone.localdate()
    user = request.user
    versions = list(services.visible_versions(user)[:HISTORY_SHOWN])
    current = services.in_force(user, today)
    chain = _current_per_level(versions, user.region_id, today)
    context = {"versions": versions, "current": current, "chain": chain, "today": today,
               "admin_region": services.policy_region(user)}
    return render(request, "cases/policy_list.html", context)


def _current_per_level(versions, region_code: str, today):
    """For the province and the county above the user: the version each has in force today."""
    chain = []
    for code in [*ancestors(region_code), region_code] if region_code else []:
        own = [v for v in versions if v.region_id == code and v.effective_from <= today]
        if own:
            chain.append(max(own, key=lambda v: (v.effective_from, v.id)))
    return chain


def policy_detail(request, pk: int):
    version = services.visible_versions(request.user).filter(pk=pk).first()
    if version is None:
        raise Http404("政策版本不存在或不在您的查看范围内")
    current = services.in_force(request.user, timezone.localdate())
    labels = dict(RIGID_CHOICES)
    rigid_labels = [labels.get(k, k) for k in version.rigid_items or DEFAULT_RIGID_ITEMS]
    return render(request, "cases/policy_detail.html",
                  {"version": version, "current": current, "rigid_labels": rigid_labels})


@require("manage_policy")
@require_http_methods(["GET", "POST"])
def policy_create(request):
    region = services.policy_region(request.user)
    if region is None:
        raise Http404("您的账号不在县级或省级，不能设置监测政策")
    base = services.latest_version(region.code) or services.in_force(request.user, timezone.localdate())
    form = PolicyVersionForm(request.POST or None, initial_from=base)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.do_create_policy_version(request, request.user, form.cleaned_data)
        except services.PolicyError as exc:
            form.add_error("effective_from", str(exc))
        else:
            messages.success(request, f"已保存监测政策 {version.version}，{version.effective_from:%Y-%m-%d} 起生效")
            return redirect("cases:policy_detail", pk=version.pk)
    return render(request, "cases/policy_form.html", {"form": form, "region": region, "base": base})


def holiday_list(request):
    preview_form = DeadlinePreviewForm(request.GET or None)
    preview = None
    if preview_form.is_bound and preview_form.is_valid():
        preview = services.preview_deadline(preview_form.cleaned_data["start"], preview_form.cleaned_data["days"])
    holidays = Holiday.objects.all()
    return render(request, "cases/holiday_list.html",
                  {"holidays": holidays, "preview_form": preview_form, "preview": preview})


@require("manage_policy")
@require_http_methods(["GET", "POST"])
def holiday_create(request):
    form = HolidayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.do_add_holiday(request, request.user, data["date"], data["is_workday"], data["name"])
        except services.PolicyError as exc:
            form.add_error("date", str(exc))
        else:
            messages.success(request, f"已添加 {data['date']:%Y-%m-%d} 的节假日设置")
            return redirect("cases:holiday_list")
    return render(request, "cases/holiday_form.html", {"form": form})


@require("manage_policy")
@require_http_methods(["GET", "POST"])
def holiday_delete(request, pk: int):
    holiday = get_object_or_404(Holiday, pk=pk)
    if request.method == "POST":
        services.do_delete_holiday(request, request.user, holiday.pk)
        messages.success(request, f"已删除 {holiday.date:%Y-%m-%d} 的节假日设置")
        return redirect("cases:holiday_list")
    return render(request, "cases/holiday_delete.html", {"holiday": holiday})
