"""Verbs of assistance (一户一策): the helper, measures and their referrals, follow-up visits.

Each verb is atomic, scoped to the user's region and audited. Measure moves come from the core's
table (``fangpin.core.assistance``) and are conditional on the status the measure had
(``filter(pk=…, status=old).update(…)``): two departments accepting at once → exactly one wins.
Plans, measures and follow-ups are recorded only while the case is monitored (监测帮扶中) or on
its elimination path; ``elimination_facts`` / ``elimination_check`` feed the core's check.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from fangpin import pii
from fangpin.accounts.access import scoped
from fangpin.audit.services import record
from fangpin.cases.models import Case
from fangpin.core import workflow
from fangpin.core.assistance import (
    MEASURE_MOVES,
    MEASURE_STATUS_LABELS,
    MEASURES,
    HouseholdProfile,
    IllegalMeasureMove,
    MeasureAction,
    MeasureStatus,
    MemberProfile,
    Suggestion,
    next_status,
    suggest_measures,
)
from fangpin.core.elimination import (
    EliminationCheck,
    EliminationFacts,
    FollowUpDue,
    check_elimination,
    followup_due,
    months_above_line,
)
from fangpin.core.idcard import mask_phone
from fangpin.core.roles import Role
from fangpin.core.workflow import State
from fangpin.plans.models import INSURER, REFERRAL_TARGET_LABELS, FollowUp, Measure, Plan
from fangpin.registry.models import Member

CASE_SCOPE = "household__village__code"
MEASURE_SCOPE = "plan__case__household__village__code"
# Assistance runs while the case is monitored and along its elimination path.
ASSISTANCE_STATES = frozenset({State.MONITORING, State.ELIM_VERIFYING, State.ELIM_REVIEW, State.ELIM_NOTICE,
                               State.ELIM_DECISION})
INSURANCE_CODE = "insurance"
LABOUR_ABLE = ("full", "weak")


class PlanError(Exception):
    """A refused request; ``str()`` is the Chinese explanation for the user."""


class StaleMeasure(PlanError):
    pass


# ---------------------------------------------------------------- lookups and checks


def case_for(user, case_id: int, *, lock: bool = False) -> Case:
    qs = Case.objects.select_related("household__village", "policy")
    if lock:
        qs = qs.select_for_update(of=("self",))
    case = scoped(qs, user, CASE_SCOPE).filter(pk=case_id).first()
    if case is None:
        raise PlanError("案件不存在或不在您的管辖范围内")
    return case


def check_case_open_for_assistance(case: Case) -> None:
    if case.closed_at is not None or case.state_enum not in ASSISTANCE_STATES:
        raise PlanError(f"案件当前为“{workflow.STATE_LABELS[case.state_enum]}”：只有监测帮扶中或风险消除办理中的"
                        "案件才能登记帮扶计划、措施和回访")


def _office(user) -> None:
    if not user.can("handle_cases"):
        raise PlanError("您的角色不能编辑帮扶计划")


def referral_target(user) -> str:
    """The referral target a department or insurer user handles ("" for anyone else)."""
    if not user.can("handle_referrals"):
        return ""
    if user.role == Role.INSURER:
        return INSURER
    return user.department_kind or ""


def referred_to_user(user):
    """Measures referred to the user's department kind (insurer: 防贫保险) in the user's region."""
    target = referral_target(user)
    qs = Measure.objects.filter(department_kind=target) if target else Measure.objects.none()
    if target == INSURER:
        qs = qs.filter(code=INSURANCE_CODE)
    return scoped(qs, user, MEASURE_SCOPE)


def _measure_for(user, measure_id: int, *, department: bool) -> Measure:
    base = Measure.objects.select_related("plan__case__household__village", "plan__case__policy")
    qs = referred_to_user(user).select_related("plan__case__household__village", "plan__case__policy") \
        if department else scoped(base, user, MEASURE_SCOPE)
    measure = qs.filter(pk=measure_id).first()
    if measure is None:
        if department and scoped(base, user, MEASURE_SCOPE).filter(pk=measure_id).exists():
            raise PlanError("该措施未转办给您所在的部门，不能办理")
        raise PlanError("措施不存在或不在您的管辖范围内")
    check_case_open_for_assistance(measure.plan.case)
    return measure


def plan_of(case: Case) -> Plan | None:
    return Plan.objects.filter(case=case).first()


def _ensure_plan(case: Case, user) -> Plan:
    plan, _ = Plan.objects.get_or_create(case=case, defaults={"created_by": user})
    return plan


# ---------------------------------------------------------------- plan and measures


@transaction.atomic
def do_save_plan(user, case_id: int, *, helper_name: str, helper_unit: str = "", helper_phone: str | None = None,
                 helper_user=None, note: str = "", request=None) -> Plan:
    """Set or replace the helper (帮扶责任人). ``helper_phone``: normal form, "" clears, None keeps."""
    _office(user)
    case = case_for(user, case_id, lock=True)
    check_case_open_for_assistance(case)
    if not helper_name.strip():
        raise PlanError("帮扶责任人：请填写姓名")
    if helper_user is not None and not (helper_user.can("handle_cases") and helper_user.region_id
                                        and case.household.village_id.startswith(helper_user.region_id)):
        raise PlanError("责任人账户须为该户所在村、乡镇或县的干部账户")
    plan = _ensure_plan(case, user)
    old = {"helper_name": plan.helper_name, "helper_unit": plan.helper_unit, "phone": plan.helper_phone_masked}
    plan.helper_name, plan.helper_unit, plan.note = helper_name.strip()[:50], helper_unit.strip()[:100], note[:1000]
    plan.helper_user = helper_user
    fields = ["helper_name", "helper_unit", "note", "helper_user", "updated_at"]
    if helper_phone is not None:
        plan.helper_phone_cipher = pii.encrypt(helper_phone)
        plan.helper_phone_masked = mask_phone(helper_phone) if helper_phone else ""
        fields += ["helper_phone_cipher", "helper_phone_masked"]
    plan.save(update_fields=fields)
    record(request, "plan.helper", obj=plan, user=user,
           summary=f"帮扶责任人：{plan.helper_name}（{plan.helper_unit or '—'}）",
           detail={"case": case.pk, "before": old, "helper_name": plan.helper_name,
                   "phone": plan.helper_phone_masked})
    return plan


@transaction.atomic
def do_add_measure(user, case_id: int, *, code: str, detail: str = "", amount: Decimal | None = None,
                   start_date: dt.date | None = None, end_date: dt.date | None = None, request=None) -> Measure:
    """Record a chosen measure (often a core suggestion adopted as it stands)."""
    _office(user)
    case = case_for(user, case_id, lock=True)
    check_case_open_for_assistance(case)
    if code not in MEASURES:
        raise PlanError(f"措施：未知的措施代码“{code}”")
    if amount is not None and amount < 0:
        raise PlanError("金额：不能为负数")
    if start_date and end_date and end_date < start_date:
        raise PlanError(f"结束日期 {end_date:%Y-%m-%d} 早于开始日期 {start_date:%Y-%m-%d}")
    group, label = MEASURES[code]
    plan = _ensure_plan(case, user)
    measure = Measure.objects.create(plan=plan, code=code, group=group, label=label, detail=detail[:500],
                                     amount=amount, start_date=start_date, end_date=end_date, created_by=user)
    measure.plan = plan
    record(request, "measure.add", obj=measure, user=user, summary=f"新增帮扶措施：{group}·{label}",
           detail={"case": case.pk, "code": code, "amount": str(amount) if amount is not None else None})
    return measure


def _move(user, measure: Measure, action: MeasureAction, updates: dict[str, Any], *, reason: str = "",
          request=None) -> Measure:
    """Apply one move of the core's table, conditional on the status the measure had."""
    old = measure.status_enum
    try:
        new = next_status(old, action, reason)
    except IllegalMeasureMove as exc:  # its message is Chinese
        raise PlanError(str(exc)) from None
    updates = {"status": new.value, **updates}
    if Measure.objects.filter(pk=measure.pk, status=old.value).update(**updates) != 1:
        raise StaleMeasure("该措施已被他人办理，请刷新后查看")
    for field, value in updates.items():
        setattr(measure, field, value)
    target = REFERRAL_TARGET_LABELS.get(measure.department_kind, "")
    record(request, f"measure.{action.value}", obj=measure, user=user,
           summary=f"{measure.label}：{MEASURE_STATUS_LABELS[old]} → {MEASURE_STATUS_LABELS[new]}"
                   + (f"（{target}）" if target and action is MeasureAction.REFER else ""),
           detail={"case": measure.plan.case_id, "from": old.value, "to": new.value, "reason": reason[:200],
                   "department_kind": measure.department_kind})
    return measure


def _by_department(status: MeasureStatus, action: MeasureAction) -> bool:
    move = MEASURE_MOVES.get((status, action))
    return bool(move and move.by_department)


@transaction.atomic
def do_refer_measure(user, measure_id: int, *, department_kind: str, request=None,
                     now: dt.datetime | None = None) -> Measure:
    """Refer a planned measure to a department kind (防贫保险 goes to the insurer, and only it)."""
    _office(user)
    measure = _measure_for(user, measure_id, department=False)
    if department_kind not in REFERRAL_TARGET_LABELS:
        raise PlanError("转办部门：请选择部门")
    if (department_kind == INSURER) != (measure.code == INSURANCE_CODE):
        raise PlanError("防贫保险措施转办给保险公司；其他措施转办给相关部门")
    return _move(user, measure, MeasureAction.REFER,
                 {"department_kind": department_kind, "referred_by": user, "referred_at": now or timezone.now(),
                  "accepted_by": None, "accepted_at": None}, request=request)


@transaction.atomic
def do_accept_measure(user, measure_id: int, *, request=None, now: dt.datetime | None = None) -> Measure:
    measure = _measure_for(user, measure_id, department=True)
    return _move(user, measure, MeasureAction.ACCEPT, {"accepted_by": user, "accepted_at": now or timezone.now()},
                 request=request)


@transaction.atomic
def do_decline_measure(user, measure_id: int, *, reason: str, request=None,
                       now: dt.datetime | None = None) -> Measure:
    """The department sends a referral back (with its reason); the measure is planned again."""
    measure = _measure_for(user, measure_id, department=True)
    target = REFERRAL_TARGET_LABELS.get(measure.department_kind, "")
    return _move(user, measure, MeasureAction.DECLINE,
                 {"department_kind": "", "reason": f"{target}退回：{reason.strip()}"[:500], "closed_by": user,
                  "closed_at": now or timezone.now()}, reason=reason, request=request)


@transaction.atomic
def do_complete_measure(user, measure_id: int, *, result: str, done_date: dt.date | None = None, request=None,
                        now: dt.datetime | None = None) -> Measure:
    """Record what was done: by the department that accepted it, or by the office for its own measures."""
    now = now or timezone.now()
    department = referral_target(user) != ""
    if not department:
        _office(user)
    measure = _measure_for(user, measure_id, department=department)
    if _by_department(measure.status_enum, MeasureAction.COMPLETE) != department:
        if measure.status_enum is MeasureStatus.ACCEPTED:
            raise PlanError("该措施已转办部门接收，由部门登记落实情况")
        if measure.status_enum is MeasureStatus.PLANNED:
            raise PlanError("该措施未转办给您所在的部门，不能办理")
    if not result.strip():
        raise PlanError("落实情况：请填写")
    done_date = done_date or timezone.localdate(now)
    if done_date > timezone.localdate(now):
        raise PlanError("落实日期：不能晚于今天")
    return _move(user, measure, MeasureAction.COMPLETE,
                 {"result": result.strip()[:1000], "done_date": done_date, "done_by": user, "done_at": now},
                 request=request)


@transaction.atomic
def do_cancel_measure(user, measure_id: int, *, reason: str, request=None,
                      now: dt.datetime | None = None) -> Measure:
    _office(user)
    measure = _measure_for(user, measure_id, department=False)
    return _move(user, measure, MeasureAction.CANCEL,
                 {"reason": reason.strip()[:500], "closed_by": user, "closed_at": now or timezone.now()},
                 reason=reason, request=request)


# ---------------------------------------------------------------- follow-ups


@transaction.atomic
def do_record_followup(user, case_id: int, *, visit_date: dt.date, income_12m: Decimal, persons: int,
                       checks: dict[str, bool] | None = None, rigid_resolved: bool = True, effect_note: str = "",
                       note: str = "", request=None, now: dt.datetime | None = None) -> FollowUp:
    """帮扶回访: the income of the last 12 months and the five checks (codes of GUARANTEE_LABELS)."""
    _office(user)
    case = case_for(user, case_id, lock=True)
    check_case_open_for_assistance(case)
    today = timezone.localdate(now or timezone.now())
    if visit_date > today:
        raise PlanError("回访日期：不能晚于今天")
    if case.effective_date and visit_date < case.effective_date:
        raise PlanError(f"回访日期：不能早于纳入监测日期 {case.effective_date:%Y-%m-%d}")
    if persons < 1:
        raise PlanError("家庭人口：至少 1 人")
    if income_12m < 0:
        raise PlanError("近12个月家庭纯收入：不能为负数（亏损请填 0 并在备注说明）")
    checks = checks or {}
    unknown = set(checks) - set(FollowUp.GUARANTEE_FIELDS)
    if unknown:
        raise PlanError(f"未知的保障项目：{'、'.join(sorted(unknown))}")
    followup = FollowUp.objects.create(
        case=case, visit_date=visit_date, visitor=user, income_12m=income_12m, persons=persons,
        per_capita=FollowUp.per_capita_of(income_12m, persons), rigid_resolved=rigid_resolved,
        effect_note=effect_note[:1000], note=note[:1000],
        **{FollowUp.GUARANTEE_FIELDS[code]: bool(ok) for code, ok in checks.items()},
    )
    followup.case = case
    record(request, "followup.record", obj=followup, user=user,
           summary=f"帮扶回访 {visit_date:%Y-%m-%d}：人均纯收入 {followup.per_capita} 元",
           detail={"case": case.pk, "per_capita": str(followup.per_capita),
                   "unmet": list(followup.unmet_guarantees), "rigid_resolved": rigid_resolved})
    return followup


_NOT_LOOKED_UP: Any = object()


def followup_status(case: Case, today: dt.date, last_visit: dt.date | None = _NOT_LOOKED_UP) -> FollowUpDue:
    """``last_visit`` as the caller found it (None: never visited); looked up only when not given,
    so a list that annotated it costs no query per case."""
    if last_visit is _NOT_LOOKED_UP:
        last_visit = (FollowUp.objects.filter(case=case).order_by("-visit_date")
                      .values_list("visit_date", flat=True).first())
    since = case.effective_date or timezone.localdate(case.state_since)
    return followup_due(last_visit, since, case.policy.followup_interval_days, today)


# ---------------------------------------------------------------- suggestions and elimination


def household_profile(case: Case, today: dt.date) -> HouseholdProfile:
    members = Member.objects.filter(household=case.household, status="active").order_by("id")
    profiles = tuple(
        MemberProfile(age=_age(m.birth_date, today), labour=m.labour, employment=m.employment,
                      schooling=m.schooling, disability_grade=m.disability_grade, pension=m.pension)
        for m in members)
    h = case.household
    return HouseholdProfile(members=profiles, risk_types=tuple(case.risk_types or ()), is_dibao=h.is_dibao,
                            is_tekun=h.is_tekun, housing_safety=h.housing_safety, water=h.water)


def _age(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def suggestions(case: Case, today: dt.date) -> list[Suggestion]:
    return suggest_measures(household_profile(case, today))


def elimination_facts(case) -> EliminationFacts:
    """The core's view of the case for risk elimination: follow-up incomes against the case's
    monitoring line, the latest follow-up's unmet guarantees and rigid expenditure, labour, 兜底."""
    followups = list(FollowUp.objects.filter(case=case).order_by("visit_date", "id")
                     .values_list("visit_date", "per_capita", "id"))
    latest = FollowUp.objects.filter(case=case).order_by("-visit_date", "-id").first()
    labour = Member.objects.filter(household=case.household, status="active", labour__in=LABOUR_ABLE).count()
    h = case.household
    return EliminationFacts(
        months_above_line=months_above_line([(d, pc) for d, pc, _ in followups], case.policy.monitoring_line),
        unmet_guarantees=latest.unmet_guarantees if latest else (),
        rigid_expenditure_resolved=latest.rigid_resolved if latest else True,
        labour_members=labour,
        relies_on_social_security=bool(h.is_dibao or h.is_tekun),
    )


def elimination_check(case) -> EliminationCheck:
    return check_elimination(elimination_facts(case), case.policy.as_core())
