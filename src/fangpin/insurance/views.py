"""Pages of 防贫保险: claims (list, detail with the insurer's check and the county's decision), what a claim
can be opened from, the scheme and the fund ledger with its xlsx.

Views read (scoped to the user's region) and hand every change to ``services``; each POST redirects back
with a message.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from fangpin import postflow
from fangpin.accounts.access import get_scoped_or_404, require
from fangpin.alerts.models import Warning
from fangpin.audit.services import record
from fangpin.cases.models import Case
from fangpin.core.insurance import CLAIM_STATE_LABELS, ITEMS, Actor, ClaimState, claim_actions
from fangpin.insurance import services
from fangpin.insurance.export import ledger_xlsx
from fangpin.insurance.forms import CaseClaimForm, CheckForm, DecideForm, EntryForm, SchemeForm, error_text
from fangpin.insurance.models import Claim
from fangpin.insurance.services import HOUSEHOLD_SCOPE, InsuranceServiceError
from fangpin.registry.models import HouseholdYear, Member

LIST_PAGE = 50


def today() -> dt.date:
    """The office's date; tests freeze it here."""
    return timezone.localdate()


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or today().year)
    except ValueError:
        year = today().year
    return min(max(year, 2000), 2100)


# a posted form: its errors in one message, else the service verb (refusals as messages)
_done, _submit = postflow.for_errors(InsuranceServiceError)


_post_only = postflow.post_only


_HEAD = Subquery(Member.objects.filter(household=OuterRef("household"), relation="head").order_by("status", "id")
                 .values("name")[:1])


# ---------------------------------------------------------------- claims


@require("view_insurance")
def claims(request):
    state = request.GET.get("state", "")
    base = services.claims_for(request.user)
    counts = dict(base.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    qs = base.select_related("household__village__parent", "scheme").annotate(head_name=_HEAD)
    if state in CLAIM_STATE_LABELS:
        qs = qs.filter(state=state)
    page = Paginator(qs.order_by("-opened_at", "-id"), LIST_PAGE).get_page(request.GET.get("page"))
    record(request, "insurance.claim.list", summary=f"查看防贫保险理赔（第 {page.number} 页，{len(page.object_list)} 条）",
           region_code=request.user.scope_code)
    tabs = [{"state": s.value, "label": CLAIM_STATE_LABELS[s], "n": counts.get(s.value, 0)} for s in ClaimState]
    return render(request, "insurance/claims.html", {"page": page, "tabs": tabs, "state": state, "today": today(),
                                                     "total": sum(counts.values())})


@require("view_insurance")
def claim(request, pk: int):
    item = get_scoped_or_404(Claim.objects.select_related(
        "scheme", "household__village__parent", "case", "warning", "measure__plan", "opened_by", "checked_by",
        "decided_by"), request.user, HOUSEHOLD_SCOPE, pk=pk)
    record(request, "insurance.claim.view", obj=item, summary=f"查看防贫保险理赔 {item.pk}（户 {item.household.hh_no}）")
    members = list(Member.objects.filter(household=item.household, status="active").order_by("id"))
    people = [m.name for m in members]
    insurer_actions = claim_actions(item.state_enum, Actor.INSURER) if request.user.can("check_insurance") else []
    county_actions = claim_actions(item.state_enum, Actor.COUNTY) if request.user.can("manage_insurance") else []
    check_form = None
    if insurer_actions:
        check_form = CheckForm(people=people, initial=_check_initial(item, members), auto_id="id_k_%s")
    names = {e["item"]: ITEMS.get(e["item"], e["item"]) for e in item.facts.get("expenses", [])}
    return render(request, "insurance/claim.html", {
        "claim": item, "household": item.household, "members": members,
        "head": next((m for m in members if m.relation == "head"), None),
        "check_form": check_form, "decide_form": DecideForm(auto_id="id_d_%s") if county_actions else None,
        "county_actions": [a.value for a in county_actions], "item_names": names,
        "expenses": [{**e, "label": ITEMS.get(e["item"], e["item"])} for e in item.facts.get("expenses", [])],
        "lines": [{**ln, "label": ITEMS.get(ln["item"], ln["item"])} for ln in item.lines],
    })


def _check_initial(item: Claim, members: list[Member]) -> dict:
    """The form starts from the last check, else from the registry's latest year."""
    if item.facts:
        initial = {"check_date": today(), "persons": item.facts["persons"], "net_income": item.facts["net_income"],
                   "note": item.facts.get("note", "")}
        for i, e in enumerate(item.facts.get("expenses", [])[:4], 1):
            initial.update({f"item_{i}": e["item"], f"person_{i}": e.get("person", ""), f"amount_{i}": e["amount"]})
        return initial
    year = HouseholdYear.objects.filter(household=item.household).order_by("-year").first()
    initial = {"check_date": today(), "persons": len(members) or 1, "item_1": item.item}
    if year is not None:
        initial["net_income"] = year.as_core().net_income
        amount = getattr(year, item.item, None)
        if amount:
            initial["amount_1"] = amount
    return initial


def _claim_post(request, pk: int):
    item = get_scoped_or_404(Claim.objects.select_related("household"), request.user, HOUSEHOLD_SCOPE, pk=pk)
    return item, _post_only(request)


@require("check_insurance")
def claim_check(request, pk: int):
    item, refused = _claim_post(request, pk)
    if refused:
        return refused
    back = redirect("insurance:claim", pk=item.pk)
    people = list(Member.objects.filter(household=item.household, status="active").values_list("name", flat=True))
    form = CheckForm(request.POST, people=people)
    return _submit(request, form, lambda d: services.do_check_claim(
        request.user, item.pk, check_date=d["check_date"], persons=d["persons"], net_income=d["net_income"],
        expenses=form.expenses(), note=d["note"], request=request), "已提交核查结果和拟赔付金额，待县级审批", back)


@require("manage_insurance")
def claim_decide(request, pk: int):
    item, refused = _claim_post(request, pk)
    if refused:
        return refused
    back = redirect("insurance:claim", pk=item.pk)
    form = DecideForm(request.POST)
    verbs = {"approve": (lambda d: services.do_approve_claim(request.user, item.pk, request=request), "已审批赔付"),
             "send_back": (lambda d: services.do_send_back_claim(request.user, item.pk, reason=d["reason"],
                                                                 request=request), "已退回保险公司重核"),
             "reject": (lambda d: services.do_reject_claim(request.user, item.pk, reason=d["reason"],
                                                           request=request), "已决定不予赔付"),
             "withdraw": (lambda d: services.do_withdraw_claim(request.user, item.pk, reason=d["reason"],
                                                               request=request), "已撤销报案")}
    action = request.POST.get("action", "")
    if action not in verbs:
        messages.error(request, "请选择审批操作")
        return back
    act, success = verbs[action]
    return _submit(request, form, act, success, back)


# ---------------------------------------------------------------- opening claims


@require("manage_insurance")
def eligible(request):
    warnings = list(services.eligible_warnings(request.user).annotate(head_name=_HEAD)[:200])
    cases = services.eligible_cases(request.user)[:200]
    heads = dict(Member.objects.filter(household__in=[c.household_id for c in cases], relation="head")
                 .values_list("household_id", "name"))
    record(request, "insurance.eligible", summary=f"查看可报案的预警和案件（{len(warnings)} 条预警，{len(cases)} 个案件）",
           region_code=request.user.scope_code)
    case_rows = [{"case": c, "head_name": heads.get(c.household_id, ""), "form": CaseClaimForm(
        auto_id=f"id_c{c.pk}_%s", initial={"item": _item_of_case(c)})} for c in cases]
    return render(request, "insurance/eligible.html", {
        "warnings": [{"w": w, "item": ITEMS[services.item_of_warning(w)]} for w in warnings],
        "cases": case_rows, "has_scheme": services.schemes_for(request.user).filter(year=today().year).exists(),
        "year": today().year})


def _item_of_case(case: Case) -> str:
    for risk in case.risk_types or []:
        if risk in services.RISK_ITEM:
            return services.RISK_ITEM[risk]
    return "medical_oop"


@require("manage_insurance")
def open_from_warning(request, pk: int):
    warning = get_scoped_or_404(Warning.objects.all(), request.user, HOUSEHOLD_SCOPE, pk=pk)
    refused = _post_only(request)
    if refused:
        return refused
    try:
        item = services.do_open_claim_from_warning(request.user, warning.pk, request=request)
    except InsuranceServiceError as exc:
        messages.error(request, str(exc))
        return redirect("insurance:eligible")
    messages.success(request, f"已报案（理赔 {item.pk}），待保险公司入户核查")
    return redirect("insurance:claim", pk=item.pk)


@require("manage_insurance")
def open_from_case(request, pk: int):
    case = get_scoped_or_404(Case.objects.all(), request.user, HOUSEHOLD_SCOPE, pk=pk)
    refused = _post_only(request)
    if refused:
        return refused
    form = CaseClaimForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
        return redirect("insurance:eligible")
    try:
        item = services.do_open_claim_from_case(request.user, case.pk, item=form.cleaned_data["item"],
                                                summary=form.cleaned_data["summary"], request=request)
    except InsuranceServiceError as exc:
        messages.error(request, str(exc))
        return redirect("insurance:eligible")
    messages.success(request, f"已报案（理赔 {item.pk}），待保险公司入户核查")
    return redirect("insurance:claim", pk=item.pk)


# ---------------------------------------------------------------- the scheme


@require("view_insurance")
def scheme(request):
    year = _year(request)
    current = services.schemes_for(request.user).filter(year=year).first()
    if request.method == "POST":
        back = redirect(f"{reverse('insurance:scheme')}?year={year}")
        form = SchemeForm(request.POST)
        if not form.is_valid():
            messages.error(request, error_text(form))
            return render(request, "insurance/scheme.html", _scheme_context(request, year, current, form))
        return _done(request, lambda: services.do_save_scheme(request.user, year, form.scheme_data(),
                                                              request=request), f"已保存 {year} 年度防贫保险方案", back)
    form = SchemeForm(initial=SchemeForm.initial_from(current) if current else _default_initial(request.user, year))
    return render(request, "insurance/scheme.html", _scheme_context(request, year, current, form))


def _scheme_context(request, year: int, current, form) -> dict:
    years = list(services.schemes_for(request.user).order_by("-year").values_list("year", flat=True))
    return {"year": year, "scheme": current, "form": form, "years": years,
            "editable": request.user.can("manage_insurance"), "items": list(ITEMS.items()),
            "core": current.as_core() if current else None}


def _default_initial(user, year: int) -> dict:
    """A new year starts from last year's scheme, else from the example configuration (docs/insurance.md)."""
    last = services.schemes_for(user).filter(year__lt=year).order_by("-year").first()
    if last is not None:
        return SchemeForm.initial_from(last)
    return {"premium_per_person": Decimal(50), "line": Decimal(7300), "coverage": "income_multiple",
            "coverage_multiple": Decimal("1.5"), "coverage_share": 10, "method": "tiers", "gap_multiple": 1,
            "per_person_cap": Decimal(50000), "per_household_cap": Decimal(100000), "check_days": 5,
            "medical_oop_on": True, "medical_oop_line": 5000, "medical_oop_deductible": 3000,
            "medical_oop_tiers": "0-20000:60%; 20000-50000:70%; 50000-:80%",
            "schooling_exp_on": True, "schooling_exp_line": 8000, "schooling_exp_deductible": 2000,
            "schooling_exp_tiers": "0-:50%",
            "disaster_loss_on": True, "disaster_loss_line": 10000, "disaster_loss_deductible": 0,
            "disaster_loss_tiers": "0-30000:40%; 30000-:50%"}


# ---------------------------------------------------------------- the fund ledger


@require("view_insurance")
def fund(request):
    year = _year(request)
    current = services.schemes_for(request.user).filter(year=year).first()
    rows, rec = services.ledger_rows(current) if current else ([], None)
    years = list(services.schemes_for(request.user).order_by("-year").values_list("year", flat=True))
    paid = (Claim.objects.filter(scheme=current, state=ClaimState.APPROVED).count() if current else 0)
    return render(request, "insurance/fund.html", {
        "year": year, "scheme": current, "rows": rows, "rec": rec, "years": years, "paid_claims": paid,
        "editable": request.user.can("manage_insurance"),
        "entry_form": EntryForm(initial={"date": today()}, auto_id="id_e_%s")})


@require("manage_insurance")
def fund_entry(request):
    refused = _post_only(request)
    if refused:
        return refused
    year = _year(request)
    back = redirect(f"{reverse('insurance:fund')}?year={year}")
    return _submit(request, EntryForm(request.POST), lambda d: services.do_record_entry(
        request.user, year, kind=d["kind"], amount=d["amount"], day=d["date"], note=d["note"], request=request),
        "已记账", back)


@require("manage_insurance")
def fund_carry(request):
    refused = _post_only(request)
    if refused:
        return refused
    year = _year(request)
    return _done(request, lambda: services.do_carry_over(request.user, year, request=request),
                 f"已将 {year} 年度结余结转 {year + 1} 年度", redirect(f"{reverse('insurance:fund')}?year={year + 1}"))


@require("view_insurance")
def fund_export(request):
    year = _year(request)
    current = services.schemes_for(request.user).filter(year=year).first()
    if current is None:
        messages.error(request, f"{year} 年度防贫保险方案尚未设置")
        return redirect("insurance:fund")
    rows, rec = services.ledger_rows(current)
    data = ledger_xlsx(current, rows, rec, county_name=current.region.name,
                       prepared_by=request.user.get_full_name() or request.user.username, today=today())
    record(request, "insurance.ledger.export", obj=current,
           summary=f"导出 {year} 年度防贫保险资金台账（{len(rows)} 笔）")
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename=insurance-fund-{current.region_id}-{year}.xlsx"
    return response

