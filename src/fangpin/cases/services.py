"""Verbs of the identification procedure: open a lead, act on a case. Each atomic and audited.

Moves come from the core's transition table; the update is conditional on the state the user
saw (``filter(pk=…, state=seen).update(…)``), so two users approving the same step at once
produce exactly one transition and the other is told the case moved on.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from fangpin.accounts.access import scoped
from fangpin.audit.services import record
from fangpin.cases.facts import household_facts
from fangpin.cases.models import Case, CaseStep, Holiday, Lead, PolicyVersion
from fangpin.core import workflow
from fangpin.core.regions import ancestors
from fangpin.core.roles import Role
from fangpin.core.rules import evaluate
from fangpin.core.workdays import DEFAULT_CALENDAR, WorkCalendar
from fangpin.core.workflow import Action, State


class CaseError(Exception):
    """A refused request; ``str()`` is the Chinese explanation for the user."""


class StaleCase(CaseError):
    pass


def work_calendar() -> WorkCalendar:
    """The built-in 2025–2026 arrangement, corrected and extended by the office's Holiday rows."""
    rest, work = set(DEFAULT_CALENDAR.holidays), set(DEFAULT_CALENDAR.workdays)
    for day, is_workday in Holiday.objects.values_list("date", "is_workday"):
        (work if is_workday else rest).add(day)
        (rest if is_workday else work).discard(day)
    return WorkCalendar.of(rest, work)


def policy_for(region_code: str, day: dt.date) -> PolicyVersion:
    """The most specific region's policy in force on ``day`` (a county's overrides its province's)."""
    candidates = [*ancestors(region_code), region_code]
    found = (PolicyVersion.objects.filter(region_id__in=candidates, effective_from__lte=day)
             .order_by("-effective_from", "-id"))
    best = max(found, key=lambda p: (len(p.region_id), p.effective_from, p.id), default=None)
    if best is None:
        raise CaseError("本地区尚未配置监测政策（监测线等），请县级或省级管理员先设置")
    return best


def _receipt_no() -> str:
    # Unguessable: with the ID number and phone it lets an applicant look up progress.
    return f"FP{timezone.localdate():%y%m%d}{secrets.randbelow(10**8):08d}"


def _step_due(state: State, policy: PolicyVersion, start: dt.date, case: Case | None,
              cal: WorkCalendar) -> dt.date | None:
    if state in (State.LEAD, State.VERIFYING, State.ELIM_VERIFYING):
        return cal.add_workdays(start, policy.verify_days)
    if state in (State.NOTICE, State.ELIM_NOTICE):
        return start + dt.timedelta(days=policy.notice_days)
    if state in (State.VILLAGE_REVIEW, State.TOWNSHIP_REVIEW, State.COUNTY_DECISION) and case is not None:
        return case.identification_due
    return None


@transaction.atomic
def do_open_lead(household, channel: str, summary: str, *, details: dict[str, Any] | None = None, user=None,
                 request=None, now: dt.datetime | None = None) -> Lead:
    """Attach a lead to the household's open case, opening one if there is none."""
    now = now or timezone.now()
    case = Case.objects.select_for_update().filter(household=household, closed_at__isnull=True).first()
    if case is None:
        case = _open_case(household, channel, now)
    lead = Lead.objects.create(case=case, channel=channel, received_at=now, summary=summary[:300],
                               details=details or {}, receipt_no=_receipt_no(), created_by=user)
    record(request, "case.lead", obj=case, user=user, summary=f"线索（{lead.get_channel_display()}）：{summary[:100]}",
           detail={"lead": lead.pk, "channel": channel})
    return lead


def _open_case(household, channel: str, now: dt.datetime) -> Case:
    today = timezone.localdate(now)
    policy = policy_for(household.village_id, today)
    cal = work_calendar()
    try:
        with transaction.atomic():  # a concurrent lead may open the case first
            return Case.objects.create(
                household=household, state=State.LEAD, channel=channel, policy=policy, opened_at=now,
                state_since=now, step_due=_step_due(State.LEAD, policy, today, None, cal),
                identification_due=cal.add_workdays(today, policy.identification_days),
            )
    except IntegrityError:
        return Case.objects.select_for_update().get(household=household, closed_at__isnull=True)


def _check_elimination(case: Case, action: Action, data: dict[str, Any]) -> None:
    """Starting elimination, and the county's approval of it, need the core's criteria met now
    (income above the line long enough, guarantees secure, big spending resolved); the check is
    kept in the step's data so the record shows what the decision rested on."""
    state = case.state_enum
    if not ((state is State.MONITORING and action is Action.START_ELIMINATION)
            or (state is State.ELIM_DECISION and action is Action.SUBMIT)):
        return
    from fangpin.plans.services import elimination_check  # plans builds on cases, not the reverse

    check = elimination_check(case)
    data["elimination_check"] = {"eligible": check.eligible, "missing": list(check.missing),
                                 "keep_monitoring": check.keep_monitoring or ""}
    if check.keep_monitoring:
        raise CaseError(f"不能标注风险消除：{check.keep_monitoring}")
    if not check.eligible:
        raise CaseError("尚不符合风险消除条件：" + "；".join(check.missing))


def _check_step_data(case: Case, action: Action, data: dict[str, Any], today: dt.date) -> None:
    """What each step must record before it can move on (the procedure's paperwork)."""
    _check_elimination(case, action, data)
    if action is not Action.SUBMIT:
        return
    state = case.state_enum
    if state in (State.VILLAGE_REVIEW, State.ELIM_REVIEW):
        missing = [k for k in ("date", "attendance", "votes_for", "votes_against", "minutes") if not data.get(k)
                   and data.get(k) != 0]
        if missing:
            raise CaseError("民主评议须记录：评议日期、参会人数、赞成票、反对票、会议纪要")
    if state in (State.NOTICE, State.ELIM_NOTICE) and case.notice_ends and today < case.notice_ends:
        raise CaseError(f"公示期未满：须公示至 {case.notice_ends:%Y-%m-%d}（不少于 {case.policy.notice_days} 天）")
    if state is State.COUNTY_DECISION:
        if data.get("category") not in case.policy.as_core().categories:
            raise CaseError("县级审定须选择监测对象类别")
        if not data.get("risk_types"):
            raise CaseError("县级审定须选择至少一种风险类型")


@transaction.atomic
def do_case_action(user, case_id: int, action: str, *, seen_state: str, reason: str = "",
                   data: dict[str, Any] | None = None, request=None, now: dt.datetime | None = None) -> Case:
    """Move a case one step. ``seen_state`` is the state the user acted on (from the page)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    data = data or {}
    case = (scoped(Case.objects.select_related("household", "policy"), user, "household__village__code")
            .filter(pk=case_id).first())
    if case is None:
        raise CaseError("案件不存在或不在您的管辖范围内")
    if case.state != seen_state:
        raise StaleCase("该案件已被他人办理到下一环节，请刷新后查看")
    act = Action(action)
    nxt = workflow.next_state(case.state_enum, act, Role(user.role), reason)
    _check_step_data(case, act, data, today)
    updates = _updates_for(case, nxt, data, now, today)
    if Case.objects.filter(pk=case.pk, state=seen_state).update(**updates) != 1:
        raise StaleCase("该案件已被他人办理到下一环节，请刷新后查看")
    CaseStep.objects.create(case=case, action=act, from_state=seen_state, to_state=nxt, actor=user, at=now,
                            reason=reason[:500], data=data)
    for field, value in updates.items():
        setattr(case, field, value)
    record(request, f"case.{act.value}", obj=case, user=user,
           summary=f"{workflow.STATE_LABELS[State(seen_state)]} → {workflow.STATE_LABELS[nxt]}",
           detail={"from": seen_state, "to": nxt.value, "reason": reason[:200]})
    return case


def _updates_for(case: Case, nxt: State, data: dict[str, Any], now: dt.datetime, today: dt.date) -> dict[str, Any]:
    cal = work_calendar()
    updates: dict[str, Any] = {"state": nxt.value, "state_since": now,
                               "step_due": _step_due(nxt, case.policy, today, case, cal)}
    if nxt in (State.NOTICE, State.ELIM_NOTICE):
        updates["notice_ends"] = today + dt.timedelta(days=case.policy.notice_days)
    if nxt is State.MONITORING and case.state_enum is State.COUNTY_DECISION:
        updates.update(category=data["category"], risk_types=list(data["risk_types"]),
                       effective_date=_as_date(data.get("effective_date")) or today,
                       findings=findings_snapshot(case))
    if nxt in (State.REJECTED, State.ELIMINATED):
        updates["closed_at"] = now
    return updates


def findings_snapshot(case: Case) -> list[dict[str, Any]]:
    """The rules' findings on the household's registry facts under the case's policy, as stored data."""
    found = household_facts(case.household)
    return stored_findings(evaluate(found[0], case.policy.as_core())) if found else []


def stored_findings(findings) -> list[dict[str, Any]]:
    """Findings as JSON data; each keeps the policy version that produced it."""
    return [{"rule": f.rule, "title": f.title, "text": f.text, "figures": f.figures,
             "risk_types": list(f.risk_types), "policy_version": f.policy_version} for f in findings]


def _as_date(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        raise CaseError(f"纳入监测日期“{value}”不是有效日期") from None


def overdue(user, today: dt.date | None = None):
    """Open cases in the user's region whose current step is past its deadline, oldest first."""
    today = today or timezone.localdate()
    return (scoped(Case.objects.filter(closed_at__isnull=True, step_due__lt=today), user, "household__village__code")
            .select_related("household__village").order_by("step_due"))
