"""Screening pages (mounted at /alerts/): runs with live progress, the warning queue by village and risk
type, and the two things a county does with a warning (turn it into a lead, or dismiss it)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from fangpin.accounts.access import get_scoped_or_404, require, scoped
from fangpin.alerts import services
from fangpin.alerts.models import ScreeningRun, Warning
from fangpin.cases.models import Case

SCOPE = "household__village__code"


class RunForm(forms.Form):
    period = forms.CharField(label="筛查月份（筛查截至该月底的近 12 个月）", max_length=7,
                             widget=forms.TextInput(attrs={"type": "month"}))


def _last_month() -> str:
    today = timezone.localdate()
    return f"{today.year - (today.month == 1)}-{(today.month - 2) % 12 + 1:02d}"


@require("run_screening")
@require_http_methods(["GET", "POST"])
def runs(request):
    form = RunForm(request.POST or None, initial={"period": _last_month()})
    if request.method == "POST" and form.is_valid():
        try:
            run = services.do_start_run(request.user, request.user.scope_code, form.cleaned_data["period"],
                                        request=request)
        except services.AlertError as exc:
            messages.error(request, str(exc))
        else:
            return redirect("alerts:run", pk=run.pk)
    runs_ = scoped(ScreeningRun.objects.select_related("started_by"), request.user, "region__code")[:30]
    return render(request, "alerts/runs.html", {"form": form, "runs": runs_})


@require("run_screening")
def run(request, pk: int):
    item = get_scoped_or_404(ScreeningRun.objects.all(), request.user, "region__code", pk=pk)
    template = "alerts/_run_status.html" if request.headers.get("HX-Request") else "alerts/run.html"
    return render(request, template, {"run": item})


@require("run_screening")
def queue(request):
    open_ = (scoped(Warning.objects.filter(status="open"), request.user, SCOPE)
             .select_related("household__village__parent").order_by("household__village_id", "household__hh_no"))
    period = request.GET.get("period", "")
    if period:
        open_ = open_.filter(period=period)
    # By default the households not yet in the procedure: those with an open case are already being handled.
    everyone = request.GET.get("all") == "1"
    if not everyone:
        open_ = open_.exclude(household_id__in=Case.objects.filter(closed_at__isnull=True).values("household_id"))
    shown = list(open_[:500])
    return render(request, "alerts/queue.html", {"groups": services.grouped(shown), "total": open_.count(),
                                                 "shown": len(shown), "period": period, "everyone": everyone})


@require("run_screening")
def act(request, pk: int):
    warning = get_scoped_or_404(Warning.objects.all(), request.user, SCOPE, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        if request.POST.get("do") == "lead":
            done = services.do_warning_to_lead(request.user, warning.pk, request=request)
            messages.success(request, f"已转为线索（案件 {done.lead.case_id}）")
        else:
            services.do_dismiss_warning(request.user, warning.pk, request.POST.get("reason", ""), request=request)
            messages.success(request, "已排除该预警")
    except services.AlertError as exc:
        messages.error(request, str(exc))
    return redirect("alerts:queue")
