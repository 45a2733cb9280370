"""Verbs of grievances (诉求): submit (public), register (staff), assign, respond, visit, reopen, link, open a lead.

Each verb is atomic, scoped to the user's region and audited; the audit row names the grievance's
tracking number and type, never its content, phone or ID number. Moves come from the core's table
(``fangpin.core.grievance``) and are conditional on the state the user saw
(``filter(pk=…, state=seen).update(…)``): two people assigning or answering the same grievance at
once produce one move, and the other is told it moved on.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fangpin import pii
from fangpin.accounts.access import code_prefix_q, in_scope, scoped
from fangpin.accounts.models import User
from fangpin.audit.models import AuditEvent
from fangpin.audit.services import client_ip, record
from fangpin.cases.models import Case
from fangpin.cases.services import CaseError, work_calendar
from fangpin.cases.services import do_open_lead as cases_open_lead
from fangpin.core import grievance as core
from fangpin.core.grievance import Action, GrievanceRules, IllegalMove, Kind, Outcome, Satisfaction, State
from fangpin.core.idcard import IdNumber, mask_phone
from fangpin.core.roles import Role
from fangpin.grievances.models import Grievance, GrievanceEvent
from fangpin.registry.models import Household, Member

SCOPE = "village__code"
SUBMIT_LIMIT = 5  # public submissions per client address per hour
STATUS_LIMIT = 20  # public status lookups per client address per hour
WINDOW = dt.timedelta(hours=1)


class GrievanceError(Exception):
    """A refused request; ``str()`` is the Chinese explanation for the user."""


class StaleGrievance(GrievanceError):
    pass


def rules() -> GrievanceRules:
    """Working days for the first response and the return visit (settings FANGPIN_GRIEVANCE_*_DAYS)."""
    return GrievanceRules(response_days=getattr(settings, "FANGPIN_GRIEVANCE_RESPONSE_DAYS", 5),
                          visit_days=getattr(settings, "FANGPIN_GRIEVANCE_VISIT_DAYS", 5))


def _tracking_no(received: dt.datetime) -> str:
    # 诉 + the day received + 8 random digits: unguessable, so with the phone it lets the applicant look up the
    # status; "SU", not the "SQ"/"FP" of applications and leads, so the two kinds of receipt are never confused.
    return f"SU{timezone.localdate(received):%y%m%d}{secrets.randbelow(10**8):08d}"


def ip_hash(request) -> str:
    return pii.keyring().blind_index(client_ip(request) or "-", b"ip")


def submit_limited(request, now: dt.datetime | None = None) -> bool:
    since = (now or timezone.now()) - WINDOW
    return Grievance.objects.filter(ip_hash=ip_hash(request), received_at__gte=since).count() >= SUBMIT_LIMIT


def status_limited(request, now: dt.datetime | None = None) -> bool:
    since = (now or timezone.now()) - WINDOW
    return (AuditEvent.objects.filter(action="grievance.status", ip=client_ip(request), ts__gte=since).count()
            >= STATUS_LIMIT)


@dataclass(frozen=True)
class Submission:
    kind: Kind
    village_code: str
    name: str
    phone: str
    content: str
    idn: IdNumber | None = None
    source: str = "public"


def _event(g: Grievance, action: str, from_state: str, user, now: dt.datetime, note: str = "",
           data: dict[str, Any] | None = None) -> GrievanceEvent:
    return GrievanceEvent.objects.create(grievance=g, action=action, from_state=from_state, to_state=g.state, at=now,
                                         user=user if user is not None and user.is_authenticated else None,
                                         note=note[:2000], data=data or {})


def _create(sub: Submission, now: dt.datetime, **extra) -> Grievance:
    received = timezone.localdate(now)
    due = core.response_due(received, rules(), work_calendar())
    id_cols = ({"id_cipher": pii.encrypt(sub.idn.value), "id_index": pii.id_index(sub.idn.value),
                "id_masked": sub.idn.masked} if sub.idn else {})
    return Grievance.objects.create(
        no=_tracking_no(now), kind=sub.kind, source=sub.source, village_id=sub.village_code, name=sub.name,
        phone_cipher=pii.encrypt(sub.phone), phone_index=pii.phone_index(sub.phone), phone_masked=mask_phone(sub.phone),
        content=sub.content, state=State.RECEIVED, received_at=now, response_due=due, due=due, **id_cols, **extra)


def _summary(g: Grievance) -> str:
    return f"诉求 {g.no}（{g.get_kind_display()}）"


@transaction.atomic
def do_submit_public(request, sub: Submission, now: dt.datetime | None = None) -> Grievance:
    """A grievance from the public page. With an ID number registered in the same county, the household is
    linked (the applicant may have typed someone else's: staff see it as a link to check, nothing more)."""
    now = now or timezone.now()
    household = None
    if sub.idn is not None:
        member = (Member.objects.select_related("household")
                  .filter(code_prefix_q("household__village_id", sub.village_code[:6]),
                          id_index=pii.id_index(sub.idn.value))
                  .first())
        household = member.household if member else None
    g = _create(sub, now, household=household, ip_hash=ip_hash(request))
    _event(g, "submit", "", None, now, data={"household_linked": household is not None})
    record(request, "grievance.submit", obj=g, summary=f"群众网上提交{_summary(g)}",
           detail={"grievance": g.pk, "household_linked": household is not None})
    return g


def _require(user, permission: str, what: str) -> None:
    if not user.can(permission):
        raise GrievanceError(f"您的角色不能{what}")


def household_for(user, hh_no: str) -> Household:
    household = scoped(Household.objects.all(), user, SCOPE).filter(hh_no=hh_no.strip()).first()
    if household is None:
        raise GrievanceError(f"户编号“{hh_no.strip()}”不存在或不在您的管辖范围内")
    return household


def _case_for(user, case_id: int, household: Household | None) -> Case:
    case = scoped(Case.objects.select_related("household"), user, "household__village__code").filter(pk=case_id).first()
    if case is None:
        raise GrievanceError(f"案件 {case_id} 不存在或不在您的管辖范围内")
    if household is not None and case.household_id != household.pk:
        raise GrievanceError(f"案件 {case_id} 不是户 {household.hh_no} 的案件")
    return case


@transaction.atomic
def do_register(user, sub: Submission, *, hh_no: str = "", case_id: int | None = None, request=None,
                now: dt.datetime | None = None) -> Grievance:
    """A grievance received by staff (visit, phone, letter, hotline), optionally linked to a household / case."""
    _require(user, "handle_grievances", "登记诉求")
    if not in_scope(user, sub.village_code):
        raise GrievanceError("所选村不在您的管辖范围内")
    now = now or timezone.now()
    household = household_for(user, hh_no) if hh_no.strip() else None
    case = _case_for(user, case_id, household) if case_id else None
    if case is not None and household is None:
        household = case.household
    g = _create(sub, now, household=household, case=case, created_by=user)
    _event(g, "register", "", user, now, data={"source": sub.source})
    record(request, "grievance.register", obj=g, user=user, summary=f"登记{_summary(g)}",
           detail={"grievance": g.pk, "source": sub.source, "household": household.pk if household else None})
    return g


def grievance_for(user, pk: int, *, lock: bool = False) -> Grievance:
    qs = Grievance.objects.select_related("village", "owner", "household")
    if lock:
        qs = qs.select_for_update(of=("self",))
    g = scoped(qs, user, SCOPE).filter(pk=pk).first()
    if g is None:
        raise GrievanceError("诉求不存在或不在您的管辖范围内")
    return g


def _check_move(user, g: Grievance, seen: str, action: Action, *, reason: str = "",
                satisfaction: Satisfaction | None = None) -> State:
    if g.state != seen:
        raise StaleGrievance(f"该诉求已被他人办理，当前为“{g.get_state_display()}”，请刷新后再办理")
    try:
        return core.next_state(g.state_enum, action, Role(user.role), reason=reason, satisfaction=satisfaction)
    except IllegalMove as exc:
        raise GrievanceError(str(exc)) from None


def _apply(g: Grievance, seen: str, **fields) -> None:
    """The conditional update: it counts only if the grievance is still in the state the user saw."""
    if Grievance.objects.filter(pk=g.pk, state=seen).update(**fields) != 1:
        raise StaleGrievance("该诉求已被他人办理，请刷新后再办理")
    for name, value in fields.items():
        setattr(g, name, value)


def owner_choices(user, g: Grievance):
    """Active accounts that may own it: they handle grievances, sit within the assigner's region and cover the
    grievance's village (a village, township or county account above it)."""
    prefixes = [g.village_id[:n] for n in (6, 9, 12) if g.village_id[:n].startswith(user.scope_code)]
    return (User.objects.filter(is_active=True, region_id__in=prefixes,
                                role__in=[Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY])
            .order_by("region_id", "username"))


@transaction.atomic
def do_assign(user, pk: int, *, seen_state: str, owner: User, leader: str = "", request=None,
              now: dt.datetime | None = None) -> Grievance:
    """交办 (or 改派): the owner answers before the first-response deadline, which a reassignment keeps."""
    _require(user, "assign_grievances", "交办诉求")
    g = grievance_for(user, pk, lock=True)
    nxt = _check_move(user, g, seen_state, Action.ASSIGN)
    if not owner_choices(user, g).filter(pk=owner.pk).exists():
        raise GrievanceError(f"承办人“{owner}”不在该村所属的村、乡镇或县，或不能办理诉求")
    now = now or timezone.now()
    before = g.state
    _apply(g, seen_state, state=nxt, owner=owner, leader=leader.strip()[:60], assigned_at=now)
    _event(g, Action.ASSIGN, before, user, now, note=leader, data={"owner": owner.username})
    record(request, "grievance.assign", obj=g, user=user, summary=f"交办{_summary(g)}给 {owner.username}",
           detail={"grievance": g.pk, "owner": owner.pk, "reassign": before == State.ASSIGNED})
    return g


@transaction.atomic
def do_respond(user, pk: int, *, seen_state: str, outcome: Outcome, response: str, request=None,
               now: dt.datetime | None = None) -> Grievance:
    """The owner's answer with the result; the return visit is due within the configured working days."""
    _require(user, "handle_grievances", "答复诉求")
    g = grievance_for(user, pk, lock=True)
    nxt = _check_move(user, g, seen_state, Action.RESPOND)
    if g.owner_id != user.pk:
        raise GrievanceError("只有承办人才能答复该诉求")
    if not response.strip():
        raise GrievanceError("答复内容：请填写办理结果和向群众答复的内容")
    now = now or timezone.now()
    _apply(g, seen_state, state=nxt, outcome=outcome, response=response.strip()[:2000], responded_at=now,
           first_response_at=g.first_response_at or now,
           due=core.visit_due(timezone.localdate(now), rules(), work_calendar()))
    _event(g, Action.RESPOND, seen_state, user, now, note=response, data={"outcome": str(outcome)})
    record(request, "grievance.respond", obj=g, user=user, summary=f"答复{_summary(g)}：{g.get_outcome_display()}",
           detail={"grievance": g.pk, "outcome": str(outcome)})
    return g


@transaction.atomic
def do_visit(user, pk: int, *, seen_state: str, satisfaction: Satisfaction, note: str = "", request=None,
             now: dt.datetime | None = None) -> Grievance:
    """回访: record the applicant's satisfaction and close. 不满意 closes unresolved (or use ``do_reopen``)."""
    _require(user, "assign_grievances", "回访诉求")
    g = grievance_for(user, pk, lock=True)
    nxt = _check_move(user, g, seen_state, Action.VISIT, satisfaction=satisfaction)
    now = now or timezone.now()
    _apply(g, seen_state, state=nxt, satisfaction=satisfaction, visit_note=note.strip()[:1000], visited_at=now,
           closed_at=now, due=None)
    _event(g, Action.VISIT, seen_state, user, now, note=note, data={"satisfaction": str(satisfaction)})
    record(request, "grievance.visit", obj=g, user=user,
           summary=f"回访{_summary(g)}：{core.SATISFACTION_LABELS[satisfaction]}",
           detail={"grievance": g.pk, "satisfaction": str(satisfaction)})
    return g


@transaction.atomic
def do_reopen(user, pk: int, *, seen_state: str, reason: str, request=None,
              now: dt.datetime | None = None) -> Grievance:
    """The applicant is not satisfied (at this visit, or at the visit that closed it): back to the owner,
    with a fresh first-response deadline."""
    _require(user, "assign_grievances", "重新办理诉求")
    g = grievance_for(user, pk, lock=True)
    said = Satisfaction.UNSATISFIED if g.state == State.RESPONDED else g.satisfaction_enum
    nxt = _check_move(user, g, seen_state, Action.REOPEN, reason=reason, satisfaction=said)
    now = now or timezone.now()
    due = core.response_due(timezone.localdate(now), rules(), work_calendar())
    _apply(g, seen_state, state=nxt, due=due, response_due=due, satisfaction="", closed_at=None,
           visited_at=now, visit_note=reason.strip()[:1000], reopen_count=g.reopen_count + 1)
    _event(g, Action.REOPEN, seen_state, user, now, note=reason, data={"satisfaction": Satisfaction.UNSATISFIED.value})
    record(request, "grievance.reopen", obj=g, user=user, summary=f"群众不满意，重新办理{_summary(g)}",
           detail={"grievance": g.pk, "reopen_count": g.reopen_count})
    return g


@transaction.atomic
def do_link(user, pk: int, *, hh_no: str = "", case_id: int | None = None, request=None,
            now: dt.datetime | None = None) -> Grievance:
    """Link the household (and/or its case) once staff know who it is."""
    _require(user, "handle_grievances", "关联农户")
    g = grievance_for(user, pk, lock=True)
    household = household_for(user, hh_no) if hh_no.strip() else None
    case = _case_for(user, case_id, household) if case_id else None
    if household is None and case is None:
        raise GrievanceError("户编号：请填写要关联的户编号或案件编号")
    household = household or case.household  # type: ignore[union-attr]
    now = now or timezone.now()
    Grievance.objects.filter(pk=g.pk).update(household=household, case=case or g.case)
    g.household, g.case = household, case or g.case
    _event(g, "link", g.state, user, now, data={"household": household.hh_no, "case": g.case_id})
    record(request, "grievance.link", obj=g, user=user, summary=f"{_summary(g)}关联户 {household.hh_no}",
           detail={"grievance": g.pk, "household": household.pk, "case": g.case_id})
    return g


@transaction.atomic
def do_open_lead(user, pk: int, *, request=None, now: dt.datetime | None = None) -> Grievance:
    """An 应纳未纳 appeal becomes a lead on the household's case (opening one if none is open), through the
    cases service like any other lead: the village then verifies as for an application."""
    _require(user, "handle_cases", "转入监测识别")
    g = grievance_for(user, pk, lock=True)
    if g.kind != Kind.EXCLUDED:
        raise GrievanceError("只有“应纳未纳”类诉求才能转入监测识别")
    if g.household_id is None:
        raise GrievanceError("请先关联农户（户编号），再转入监测识别")
    if g.lead_id is not None:
        raise GrievanceError(f"该诉求已转入监测识别（受理编号 {g.lead.receipt_no}）")
    now = now or timezone.now()
    try:
        lead = cases_open_lead(g.household, "self", f"群众诉求（应纳未纳）{g.no}：{g.content}",
                               details={"grievance": g.no, "phone_masked": g.phone_masked}, user=user,
                               request=request, now=now)
    except CaseError as exc:
        raise GrievanceError(str(exc)) from None
    Grievance.objects.filter(pk=g.pk).update(lead=lead, case=lead.case)
    g.lead, g.case = lead, lead.case
    _event(g, "lead", g.state, user, now, data={"lead": lead.receipt_no, "case": lead.case_id})
    record(request, "grievance.lead", obj=g, user=user, summary=f"{_summary(g)}转入监测识别（案件 {lead.case_id}）",
           detail={"grievance": g.pk, "lead": lead.pk, "case": lead.case_id})
    return g


# ---------------------------------------------------------------- the applicant's status lookup


@dataclass(frozen=True)
class PublicStatus:
    """All the applicant learns: type, dates, state, the answer and whether it was visited. No names, no phones."""

    no: str
    kind: str
    received: dt.date
    state: str
    response_due: dt.date
    responded: dt.date | None
    outcome: str
    response: str
    closed: dt.date | None
    satisfaction: str


def lookup_status(request, no: str, phone: str) -> PublicStatus | None:
    """None for "no such number" and "wrong phone" alike (no existence oracle). Audited."""
    g = Grievance.objects.filter(no=no.strip().upper(), phone_index=pii.phone_index(phone)).first()
    record(request, "grievance.status", obj=g, summary=f"诉求进度查询 {g.no if g else '（未匹配）'}",
           detail={"found": g is not None})
    if g is None:
        return None
    day = timezone.localdate
    return PublicStatus(g.no, g.get_kind_display(), day(g.received_at), g.get_state_display(), g.response_due,
                        day(g.responded_at) if g.responded_at else None, g.get_outcome_display(), g.response,
                        day(g.closed_at) if g.closed_at else None, g.get_satisfaction_display())
