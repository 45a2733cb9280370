"""Pages of assistance: a case's plan (一户一策), department referrals (部门转办), follow-up reminders.

Views read (scoped to the user's region) and hand every change to ``services``; each POST
redirects back with a message.
"""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Case as CaseWhen
from django.db.models import IntegerField, Max, OuterRef, Subquery, Value, When
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone

from fangpin import postflow
from fangpin.accounts.access import get_scoped_or_404, require, scoped
from fangpin.audit.services import record
from fangpin.cases.models import Case
from fangpin.core.assistance import MeasureStatus, measure_actions
from fangpin.core.elimination import GUARANTEE_LABELS, check_elimination
from fangpin.plans import services
from fangpin.plans.forms import (
    CompleteForm,
    FollowUpForm,
    HelperForm,
    MeasureForm,
    ReasonForm,
    ReferForm,
)
from fangpin.plans.models import INSURER, FollowUp, Measure
from fangpin.plans.services import ASSISTANCE_STATES, CASE_SCOPE, MEASURE_SCOPE, PlanError
from fangpin.registry.models import Member

LIST_PAGE = 50


def today() -> dt.date:
    """The office's date; tests freeze it here."""
    return timezone.localdate()


# ---------------------------------------------------------------- the plan page


@require("handle_cases")
def plan(request, case_pk: int):
    case = get_scoped_or_404(Case.objects.select_related("household__village__parent", "policy"), request.user,
                             CASE_SCOPE, pk=case_pk)
    record(request, "plan.view", obj=case, summary=f"查看帮扶计划（案件 {case.pk}，户 {case.household.hh_no}）")
    day = today()
    plan_ = services.plan_of(case)
    editable = case.closed_at is None and case.state_enum in ASSISTANCE_STATES
    suggestions = services.suggestions(case, day)
    adopt = next((s for s in suggestions if s.code == request.GET.get("adopt")), None)
    measure_form = MeasureForm(initial={"code": adopt.code, "detail": adopt.reason} if adopt else None,
                               auto_id="id_m_%s")
    members = Member.objects.filter(household=case.household, status="active")
    followups = list(FollowUp.objects.filter(case=case).select_related("visitor").order_by("-visit_date", "-id"))
    facts = services.elimination_facts(case)
    helper_initial = ({"helper_name": plan_.helper_name, "helper_unit": plan_.helper_unit, "note": plan_.note,
                       "helper_user": plan_.helper_user_id} if plan_ else None)
    context = {
        "case": case, "household": case.household, "plan": plan_, "editable": editable, "today": day,
        "head": members.filter(relation="head").order_by("id").first(),
        "member_count": members.count(),
        "labour_count": members.filter(labour__in=services.LABOUR_ABLE).count(),
        "suggestions": suggestions, "adopted": adopt,
        "measures": _measure_rows(plan_),
        "helper_form": HelperForm(initial=helper_initial, village_code=case.household.village_id,
                                  masked_phone=plan_.helper_phone_masked if plan_ else "", auto_id="id_h_%s"),
        "measure_form": measure_form,
        "followup_form": FollowUpForm(initial={"visit_date": day, "persons": members.count() or 1},
                                      auto_id="id_f_%s"),
        "followups": followups,
        "due": services.followup_status(case, day, followups[0].visit_date if followups else None),
        "check": check_elimination(facts, case.policy.as_core()),
        "facts": facts,
        "guarantee_labels": GUARANTEE_LABELS,
    }
    return render(request, "plans/plan.html", context)


def _measure_rows(plan_) -> list[dict]:
    if plan_ is None:
        return []
    rows = []
    for m in plan_.measures.select_related("created_by", "accepted_by", "done_by").order_by("id"):
        actions = [a.value for a in measure_actions(m.status_enum, by_department=False)]
        rows.append({"m": m, "actions": actions, "refer_form": ReferForm(auto_id=f"id_r{m.pk}_%s",
                     initial={"department_kind": INSURER if m.code == services.INSURANCE_CODE else ""}),
                     "complete_form": CompleteForm(auto_id=f"id_c{m.pk}_%s", initial={"done_date": today()}),
                     "cancel_form": ReasonForm(auto_id=f"id_x{m.pk}_%s")})
    return rows


def _case_post(request, case_pk: int):
    case = get_scoped_or_404(Case.objects.all(), request.user, CASE_SCOPE, pk=case_pk)
    if request.method != "POST":
        return case, HttpResponseNotAllowed(["POST"])
    return case, None


# a posted form: its errors in one message, else the service verb (refusals as messages)
_done, _submit = postflow.for_errors(PlanError)


@require("handle_cases")
def save_helper(request, case_pk: int):
    case, refused = _case_post(request, case_pk)
    if refused:
        return refused
    back = redirect("plans:case", case_pk=case.pk)
    form = HelperForm(request.POST, village_code=case.household.village_id)
    return _submit(request, form, lambda d: services.do_save_plan(
        request.user, case.pk, helper_name=d["helper_name"], helper_unit=d["helper_unit"], helper_phone=form.phone(),
        helper_user=d["helper_user"], note=d["note"], request=request), "已保存帮扶责任人", back)


@require("handle_cases")
def add_measure(request, case_pk: int):
    case, refused = _case_post(request, case_pk)
    if refused:
        return refused
    back = redirect("plans:case", case_pk=case.pk)
    return _submit(request, MeasureForm(request.POST), lambda d: services.do_add_measure(
        request.user, case.pk, code=d["code"], detail=d["detail"], amount=d["amount"], start_date=d["start_date"],
        end_date=d["end_date"], request=request), "已新增帮扶措施", back)


@require("handle_cases")
def record_followup(request, case_pk: int):
    case, refused = _case_post(request, case_pk)
    if refused:
        return refused
    back = redirect("plans:case", case_pk=case.pk)
    form = FollowUpForm(request.POST)
    return _submit(request, form, lambda d: services.do_record_followup(
        request.user, case.pk, visit_date=d["visit_date"], income_12m=d["income_12m"], persons=d["persons"],
        checks=form.checks(), rigid_resolved=d["rigid_resolved"], effect_note=d["effect_note"], note=d["note"],
        request=request), "已记录帮扶回访", back)


# ---------------------------------------------------------------- measure moves by the office


def _measure_post(request, pk: int):
    measure = get_scoped_or_404(Measure.objects.select_related("plan"), request.user, MEASURE_SCOPE, pk=pk)
    if request.method != "POST":
        return measure, HttpResponseNotAllowed(["POST"])
    return measure, None


@require("handle_cases")
def measure_refer(request, pk: int):
    measure, refused = _measure_post(request, pk)
    if refused:
        return refused
    back = redirect("plans:case", case_pk=measure.plan.case_id)
    return _submit(request, ReferForm(request.POST), lambda d: services.do_refer_measure(
        request.user, measure.pk, department_kind=d["department_kind"], request=request),
        f"已转办：{measure.label}", back)


@require("handle_cases")
def measure_complete(request, pk: int):
    measure, refused = _measure_post(request, pk)
    if refused:
        return refused
    back = redirect("plans:case", case_pk=measure.plan.case_id)
    return _complete(request, measure, back)


def _complete(request, measure: Measure, back):
    return _submit(request, CompleteForm(request.POST), lambda d: services.do_complete_measure(
        request.user, measure.pk, result=d["result"], done_date=d["done_date"], request=request),
        f"已登记落实：{measure.label}", back)


@require("handle_cases")
def measure_cancel(request, pk: int):
    measure, refused = _measure_post(request, pk)
    if refused:
        return refused
    back = redirect("plans:case", case_pk=measure.plan.case_id)
    return _submit(request, ReasonForm(request.POST), lambda d: services.do_cancel_measure(
        request.user, measure.pk, reason=d["reason"], request=request), f"已取消：{measure.label}", back)


# ---------------------------------------------------------------- referrals (departments, insurer)


@require("handle_referrals")
def referrals(request):
    qs = (services.referred_to_user(request.user)
          .filter(status__in=(MeasureStatus.REFERRED, MeasureStatus.ACCEPTED))
          .select_related("plan__case__household__village__parent", "referred_by")
          .annotate(pending=CaseWhen(When(status=MeasureStatus.REFERRED, then=Value(0)), default=Value(1),
                                  output_field=IntegerField()),
                    head_name=Subquery(Member.objects.filter(household=OuterRef("plan__case__household"),
                                                             relation="head").order_by("status", "id")
                                       .values("name")[:1]))
          .order_by("pending", "referred_at", "id"))
    page = Paginator(qs, LIST_PAGE).get_page(request.GET.get("page"))
    record(request, "referral.list", summary=f"查看部门转办（第 {page.number} 页，{len(page.object_list)} 条）",
           region_code=request.user.scope_code)
    rows = [{"m": m, "actions": [a.value for a in measure_actions(m.status_enum, by_department=True)],
             "decline_form": ReasonForm(auto_id=f"id_d{m.pk}_%s"),
             "complete_form": CompleteForm(auto_id=f"id_c{m.pk}_%s", initial={"done_date": today()})}
            for m in page]
    return render(request, "plans/referrals.html", {"page": page, "rows": rows})


def _referral_post(request, pk: int):
    # Scoped by region only: whether the measure went to the user's department is the service's check.
    measure = get_scoped_or_404(Measure.objects.all(), request.user, MEASURE_SCOPE, pk=pk)
    if request.method != "POST":
        return measure, HttpResponseNotAllowed(["POST"])
    return measure, None


@require("handle_referrals")
def referral_accept(request, pk: int):
    measure, refused = _referral_post(request, pk)
    if refused:
        return refused
    return _done(request, lambda: services.do_accept_measure(request.user, measure.pk, request=request),
                 f"已接收：{measure.label}", redirect("plans:referrals"))


@require("handle_referrals")
def referral_decline(request, pk: int):
    measure, refused = _referral_post(request, pk)
    if refused:
        return refused
    back = redirect("plans:referrals")
    return _submit(request, ReasonForm(request.POST), lambda d: services.do_decline_measure(
        request.user, measure.pk, reason=d["reason"], request=request), f"已退回：{measure.label}", back)


@require("handle_referrals")
def referral_complete(request, pk: int):
    measure, refused = _referral_post(request, pk)
    if refused:
        return refused
    return _complete(request, measure, redirect("plans:referrals"))


# ---------------------------------------------------------------- follow-up reminders


@require("handle_cases")
def followups(request):
    day = today()
    cases = (scoped(Case.objects.filter(closed_at__isnull=True, state__in=[s.value for s in ASSISTANCE_STATES]),
                    request.user, CASE_SCOPE)
             .select_related("household__village__parent", "policy")
             .annotate(last_visit=Max("followups__visit_date"),
                       head_name=Subquery(Member.objects.filter(household=OuterRef("household"), relation="head")
                                          .order_by("status", "id").values("name")[:1])))
    rows = []
    for case in cases:
        due = services.followup_status(case, day, case.last_visit)
        if due.due_soon:
            rows.append({"case": case, "due": due})
    rows.sort(key=lambda r: (-r["due"].days_overdue, r["due"].due, r["case"].pk))
    page = Paginator(rows, LIST_PAGE).get_page(request.GET.get("page"))
    return render(request, "plans/followups.html", {"page": page, "today": day,
                                                    "overdue_count": sum(1 for r in rows if r["due"].overdue)})
