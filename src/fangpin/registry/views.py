"""Registry pages. Views read (scoped to the user's region) and hand every write to ``services``."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache

from fangpin.accounts.access import get_scoped_or_404, require, scoped
from fangpin.audit.services import record
from fangpin.core.digits import is_ascii_digits
from fangpin.core.idcard import mask_id
from fangpin.core.regions import Level
from fangpin.fragments import fragment
from fangpin.regioncache import RegionPaginator, region_cached
from fangpin.regions.models import Region
from fangpin.registry import services
from fangpin.registry.forms import (
    MAX_PAGE_SIZE,
    HouseholdFilterForm,
    HouseholdForm,
    HouseholdYearForm,
    MemberForm,
    MemberStatusForm,
)
from fangpin.registry.models import Household, HouseholdYear, Member

HH_SCOPE = "village__code"
CHILD_SCOPE = "household__village__code"  # members and income years
HISTORY_SHOWN = 200


# ---------------------------------------------------------------- list


@require("view_registry")
def household_list(request):
    form = HouseholdFilterForm(request.GET)
    form.is_valid()  # an invalid field is simply left out of the filter
    households = form.apply(scoped(Household.objects.all(), request.user, HH_SCOPE))
    page = RegionPaginator(households.with_list_columns(), _page_size(request),
                           region=request.user.region).get_page(request.GET.get("page"))
    _audit_id_search(request, form)
    context = {"form": form, "page": page, "rows_html": fragment("registry/household_rows.html", {"page": page}),
               **_region_selects(request.user, form)}
    return render(request, "registry/household_list.html", context)


@require("view_registry")
def village_options(request):
    """htmx: the <option>s of the chosen township's villages, limited to the user's subtree."""
    villages = _villages(request.user, request.GET.get("township", ""))
    return render(request, "registry/_village_options.html", {"villages": villages, "chosen": ""})


def _page_size(request) -> int:
    try:
        size = int(request.GET.get("page_size") or settings.LIST_PAGE_SIZE)
    except ValueError:
        size = settings.LIST_PAGE_SIZE
    return max(1, min(size, MAX_PAGE_SIZE))


def _region_selects(user, form: HouseholdFilterForm) -> dict:
    """The township → village cascade below the user's own region (a village user has none)."""
    level = user.region.level
    data = form.cleaned_data
    township = data.get("township") or ""
    if level >= Level.TOWNSHIP:
        township = user.region_id if level == Level.TOWNSHIP else ""
        return {"township_options": "", "villages": _villages(user, township), "chosen_township": township,
                "chosen_village": data.get("village") or "", "show_villages": level == Level.TOWNSHIP}
    return {"township_options": _township_options(user, township), "chosen_township": township,
            "villages": _villages(user, township), "chosen_village": data.get("village") or "",
            "show_villages": True}


def _township_options(user, chosen: str) -> str:
    """The <option>s of every township in the user's region, built once per region and cache period:
    a province has ~2,300 townships, and rendering them as objects in the template cost 0.2 s a view."""
    with_county = user.region.level < Level.COUNTY

    def build() -> str:
        rows = scoped(Region.objects.filter(level=Level.TOWNSHIP), user, "code").values_list("code", "name",
                                                                                              "parent__name")
        return format_html_join("", '<option value="{}">{}</option>',
                                ((code, f"{county} {name}" if with_county else name) for code, name, county in rows))

    options = region_cached(user.region, "township-options", build)
    if chosen.isdigit():  # a code from the validated form; digits only, so the text match is exact
        options = options.replace(f'value="{chosen}">', f'value="{chosen}" selected>', 1)
    return mark_safe(options)  # noqa: S308 - built by format_html_join; only a digits-only code is inserted


def _villages(user, township: str) -> list[Region]:
    if not township:
        return []
    return list(scoped(Region.objects.filter(parent_id=township, level=Level.VILLAGE), user, "code"))


def _audit_id_search(request, form: HouseholdFilterForm) -> None:
    """Looking a person up by ID number is a read of personal data: recorded (masked)."""
    text = (form.cleaned_data.get("q") or "").strip()
    if len(text) in (15, 18) and is_ascii_digits(text[:15]):
        record(request, "registry.search_id", summary=f"按身份证号查找 {mask_id(text.upper())}")


# ---------------------------------------------------------------- detail


@require("view_registry")
def household_detail(request, pk: int):
    household = get_scoped_or_404(Household.objects.select_related("village__parent"), request.user, HH_SCOPE,
                                  pk=pk)
    members = list(household.members.all())
    persons = sum(1 for m in members if m.status == "active")
    years = [(y, y.as_core()) for y in household.years.all()]
    changes = list(household.changes.select_related("user")[:HISTORY_SHOWN])
    record(request, "household.view", obj=household, summary=f"查看户 {household.hh_no}")
    return render(request, "registry/household_detail.html", {
        "household": household, "members": members, "persons": persons,
        "years": [(y, core, core.per_capita_net(persons)) for y, core in years], "changes": changes,
        "can_edit": request.user.can("edit_registry"), "can_unmask": request.user.can("unmask"),
    })


# ---------------------------------------------------------------- households


@require("edit_registry")
def household_create(request):
    form = HouseholdForm(request.POST or None, user=request.user)
    head = MemberForm(request.POST or None, prefix="head", head_only=True)
    if request.method == "POST" and all([form.is_valid(), head.is_valid()]):
        try:
            household = services.do_create_household(request, form.values(), head.values())
        except ValidationError as err:
            _attach(head, err)
        else:
            messages.success(request, f"已建档：户 {household.hh_no}")
            return redirect("registry:detail", pk=household.pk)
    return render(request, "registry/household_form.html", {"form": form, "head": head, "creating": True})


@require("edit_registry")
def household_edit(request, pk: int):
    household = get_scoped_or_404(Household.objects.select_related("village"), request.user, HH_SCOPE, pk=pk)
    form = HouseholdForm(request.POST or None, instance=household, user=request.user)
    if request.method == "POST" and form.is_valid():
        changes = services.do_update_household(request, household, form.values())
        _saved(request, changes)
        return redirect("registry:detail", pk=household.pk)
    return render(request, "registry/household_form.html", {"form": form, "household": household})


# ---------------------------------------------------------------- members


@require("edit_registry")
def member_add(request, pk: int):
    household = get_scoped_or_404(Household.objects.select_related("village__parent"), request.user, HH_SCOPE,
                                  pk=pk)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.do_add_member(request, household, form.values())
        except ValidationError as err:
            _attach(form, err)
        else:
            messages.success(request, f"已新增成员 {member.name}")
            return redirect("registry:detail", pk=household.pk)
    return render(request, "registry/member_form.html", {"form": form, "household": household})


@require("edit_registry")
def member_edit(request, pk: int):
    member = _member(request, pk)
    form = MemberForm(request.POST or None, instance=member, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.do_update_member(request, member, form.values())
        except ValidationError as err:
            _attach(form, err)
        else:
            _saved(request, changes)
            return redirect("registry:detail", pk=member.household_id)
    if request.method != "POST":
        record(request, "member.view", obj=member, summary=f"查看成员 {member.name}（{member.id_masked}）")
    return render(request, "registry/member_form.html",
                  {"form": form, "household": member.household, "member": member})


@require("edit_registry")
def member_status(request, pk: int):
    member = _member(request, pk)
    initial = {"status": member.status, "on": member.status_date or timezone.localdate(), "note": member.status_note}
    form = MemberStatusForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changes = services.do_change_member_status(request, member, data["status"], data["on"], data["note"])
        except ValidationError as err:
            _attach(form, err)
        else:
            _saved(request, changes)
            return redirect("registry:detail", pk=member.household_id)
    return render(request, "registry/member_status.html", {"form": form, "member": member})


@never_cache
@require("unmask")
def member_unmask(request, pk: int):
    """GET asks to confirm; POST records the unmask, then shows the number once (never cached)."""
    member = get_scoped_or_404(Member.objects.select_related("household__village"), request.user, CHILD_SCOPE,
                               pk=pk)
    if request.method != "POST":
        return render(request, "registry/member_unmask.html", {"member": member})
    clear_id = services.do_unmask_member_id(request, member)
    template = "registry/_unmasked.html" if request.headers.get("HX-Request") else "registry/member_unmask.html"
    return render(request, template, {"member": member, "clear_id": clear_id})


def _member(request, pk: int) -> Member:
    return get_scoped_or_404(Member.objects.select_related("household__village__parent"), request.user,
                             CHILD_SCOPE, pk=pk)


# ---------------------------------------------------------------- income years


@require("edit_registry")
def year_add(request, pk: int):
    household = get_scoped_or_404(Household.objects.all(), request.user, HH_SCOPE, pk=pk)
    form = HouseholdYearForm(request.POST or None, household=household)
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        services.do_save_household_year(request, household, year, form.values())
        messages.success(request, f"已录入 {year} 年收支")
        return redirect("registry:detail", pk=household.pk)
    return render(request, "registry/year_form.html", {"form": form, "household": household})


@require("edit_registry")
def year_edit(request, pk: int):
    row = get_scoped_or_404(HouseholdYear.objects.select_related("household"), request.user, CHILD_SCOPE, pk=pk)
    form = HouseholdYearForm(request.POST or None, instance=row, household=row.household)
    if request.method == "POST" and form.is_valid():
        _, changes = services.do_save_household_year(request, row.household, row.year, form.values())
        _saved(request, changes)
        return redirect("registry:detail", pk=row.household_id)
    return render(request, "registry/year_form.html", {"form": form, "household": row.household, "row": row})


# ---------------------------------------------------------------- helpers


def _attach(form, err: ValidationError) -> None:
    """Put a service's refusal on the form: on its field when the form has one."""
    by_field = err.message_dict if hasattr(err, "error_dict") else {None: err.messages}
    for field, errors in by_field.items():
        form.add_error(field if field in form.fields else None, errors)


def _saved(request, changes: dict) -> None:
    if changes:
        messages.success(request, "已保存：" + "、".join(c["label"] for c in changes.values()))
    else:
        messages.info(request, "没有修改任何内容")

