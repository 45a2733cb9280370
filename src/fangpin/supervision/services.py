"""Verbs of supervision (督战): rules, campaigns and phases, 交办, 整改, 销号/退回/撤销.

Each verb is atomic and audited. Supervisors (province, city: ``supervise``) act on their own
region's rules and campaigns and on problems they assigned; the office of the problem's region
(the county, township or village account: ``handle_cases``) reports the rectification. Problem
moves come from the core's table and are conditional on the state the user saw
(``filter(pk=…, state=old).update(…)``): a second click gets "已被他人办理".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from fangpin import pii
from fangpin.accounts.access import code_prefix_q, in_scope
from fangpin.accounts.models import User
from fangpin.audit.services import record
from fangpin.core import supervision as core
from fangpin.core.regions import Level, ancestors, level_of
from fangpin.core.supervision import Actor, ProblemAction, ProblemState
from fangpin.regions.models import Region
from fangpin.supervision.models import OPEN_STATES, Campaign, Evidence, Phase, Problem, ProblemStep, Rule
from fangpin.supervision.stats import region_stats, region_stats_by_level

EVIDENCE_CONTEXT = pii.SEALED_DIRS["supervision"]  # rotate_keys re-seals that folder
OWNER_ROLE = {Level.COUNTY: "county", Level.TOWNSHIP: "township", Level.VILLAGE: "village"}


class SupervisionError(Exception):
    """A refused request; ``str()`` is the Chinese explanation for the user."""


def _supervisor(user) -> None:
    if not user.can("supervise"):
        raise SupervisionError("只有省级、市级督战账户可以办理")


# ---------------------------------------------------------------- rules and campaigns


def rules_for(user):
    """Rules that apply to the user's view: its own region's and those of the regions above it."""
    return Rule.objects.filter(region_id__in=[*ancestors(user.region_id), user.region_id])


def _own_campaign(user, campaign_id: int | None) -> Campaign | None:
    if not campaign_id:
        return None
    campaign = Campaign.objects.filter(pk=campaign_id, region_id=user.region_id).first()
    if campaign is None:
        raise SupervisionError("督战行动不存在或不是本单位创建的")
    return campaign


@transaction.atomic
def do_save_rule(user, *, name: str, metric: str, level: int, comparator: str, value: Decimal,
                 campaign_id: int | None = None, phase: str = "", request=None) -> Rule:
    _supervisor(user)
    rule_ = core.Rule(core.Metric(metric), Level(level), core.Comparator(comparator), Decimal(value))
    if rule_.level not in core.RULE_LEVELS or rule_.level <= level_of(user.region_id):
        raise SupervisionError(f"对象层级：只能督战本单位以下的层级（您在{level_of(user.region_id).label}级）")
    campaign = _own_campaign(user, campaign_id)
    if phase and (campaign is None or not campaign.phases.filter(name=phase).exists()):
        raise SupervisionError(f"适用阶段：督战行动中没有名为“{phase}”的阶段")
    rule = Rule.objects.create(region_id=user.region_id, name=name.strip()[:100] or rule_.text, metric=metric,
                               level=level, comparator=comparator, value=value, campaign=campaign, phase=phase,
                               created_by=user)
    record(request, "supervision.rule", obj=rule, user=user, summary=f"新建督战规则：{rule_.text}",
           detail={"metric": metric, "level": level, "comparator": comparator, "value": str(value),
                   "campaign": campaign.pk if campaign else None, "phase": phase})
    return rule


@transaction.atomic
def do_set_rule_active(user, rule_id: int, active: bool, request=None) -> Rule:
    _supervisor(user)
    rule = Rule.objects.filter(pk=rule_id, region_id=user.region_id).first()
    if rule is None:
        raise SupervisionError("规则不存在或不是本单位制定的")
    rule.active = active
    rule.save(update_fields=["active"])
    record(request, "supervision.rule_active", obj=rule, user=user,
           summary=f"{'启用' if active else '停用'}督战规则：{rule.name}", detail={"active": active})
    return rule


@transaction.atomic
def do_save_campaign(user, *, name: str, note: str = "", request=None) -> Campaign:
    _supervisor(user)
    if not name.strip():
        raise SupervisionError("督战名称：请填写")
    campaign = Campaign.objects.create(region_id=user.region_id, name=name.strip()[:100], note=note[:1000],
                                       created_by=user)
    record(request, "supervision.campaign", obj=campaign, user=user, summary=f"新建督战行动：{campaign.name}")
    return campaign


@transaction.atomic
def do_add_phase(user, campaign_id: int, *, name: str, start: dt.date, end: dt.date, focus: str = "",
                 request=None) -> Phase:
    _supervisor(user)
    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id, region_id=user.region_id).first()
    if campaign is None:
        raise SupervisionError("督战行动不存在或不是本单位创建的")
    name = name.strip()[:50]
    if not name:
        raise SupervisionError("阶段名称：请填写")
    existing = [p.as_core() for p in campaign.phases.all()]
    if any(p.name == name for p in existing):
        raise SupervisionError(f"阶段名称：已有名为“{name}”的阶段")
    try:
        core.check_phases([*existing, core.Phase(name, start, end)])
    except core.CampaignError as exc:
        raise SupervisionError(str(exc)) from None
    phase = Phase.objects.create(campaign=campaign, name=name, start=start, end=end, focus=focus[:500])
    record(request, "supervision.phase", obj=phase, user=user,
           summary=f"督战行动“{campaign.name}”新增阶段 {name}（{start:%Y-%m-%d}—{end:%Y-%m-%d}）")
    return phase


# ---------------------------------------------------------------- findings (the problem lists)


@dataclass(frozen=True)
class Finding:
    rule: Rule
    breach: core.Breach
    problem: Problem | None  # the open problem already assigned for it


def rules_in_force(user, day: dt.date) -> list[Rule]:
    rules = list(rules_for(user).filter(active=True).select_related("campaign").prefetch_related("campaign__phases"))
    return [r for r in rules if core.rule_in_force(r.campaign.as_core() if r.campaign else None, r.phase, day)]


def findings(user, day: dt.date, *, within: str | None = None) -> list[Finding]:
    """Every region inside the user's (or ``within``'s) area over a rule in force today: one
    statistics pass per level the rules target."""
    area = within if within and within.isdigit() and in_scope(user, within) else user.region_id
    try:
        level_of(area)
    except ValueError:
        area = user.region_id
    rules = [r for r in rules_in_force(user, day) if r.level >= level_of(area) and r.level > level_of(user.region_id)]
    by_level = region_stats_by_level(area, sorted({r.level for r in rules}), day, all_units=False)
    open_problems = {(p.rule_id, p.region_id): p for p in
                     Problem.objects.filter(code_prefix_q("region_id", area), state__in=OPEN_STATES)}
    out = []
    for rule in rules:
        core_rule = rule.as_core()
        for row in by_level[Level(rule.level)]:
            breach = core.evaluate(core_rule, row)
            if breach is not None:
                out.append(Finding(rule, breach, open_problems.get((rule.pk, row.code))))
    return out


def owners_of(region_code: str):
    role = OWNER_ROLE.get(level_of(region_code))
    return User.objects.filter(region_id=region_code, role=role, is_active=True).order_by("username")


# ---------------------------------------------------------------- 交办 and its moves


@transaction.atomic
def do_assign(user, rule_id: int, region_code: str, *, deadline: dt.date, requirement: str = "",
              owner_id: int | None = None, today: dt.date | None = None, request=None) -> Problem:
    """Assign the breach of ``rule`` in ``region`` to the region's office (checked afresh now)."""
    _supervisor(user)
    today = today or timezone.localdate()
    rule = rules_for(user).filter(pk=rule_id, active=True).select_related("campaign").first()
    if rule is None:
        raise SupervisionError("规则不存在、已停用或不适用于本单位")
    if not in_scope(user, region_code) or region_code == user.region_id:
        raise SupervisionError("只能向本单位管辖范围内的下级区划交办")
    try:
        level = level_of(region_code)
    except ValueError:
        raise SupervisionError(f"区划代码“{region_code}”无效") from None
    if level != rule.level:
        raise SupervisionError(f"该规则针对{Level(rule.level).label}级，不能交办给{level.label}级区划")
    if rule.campaign and not core.rule_in_force(rule.campaign.as_core(), rule.phase, today):
        raise SupervisionError("该规则所属督战行动当前不在督战阶段内")
    if deadline <= today:
        raise SupervisionError("整改期限：须晚于今天")
    row = next((r for r in region_stats(region_code, Level(rule.level), today) if r.code == region_code), None)
    breach = core.evaluate(rule.as_core(), row) if row is not None else None
    if breach is None:
        raise SupervisionError("该区划当前未达到规则的督战条件，无需交办")
    owners = owners_of(region_code)
    owner = owners.filter(pk=owner_id).first() if owner_id else owners.first()
    if owner is None:
        raise SupervisionError(f"{row.name}没有可交办的{level_of(region_code).label}级账户，请先由系统管理员开通")
    now = timezone.now()
    campaign = rule.campaign
    phase = campaign.as_core().phase_on(today) if campaign else None
    try:
        with transaction.atomic():
            problem = Problem.objects.create(
                rule=rule, region_id=region_code, supervisor_region_id=user.region_id, owner=owner,
                metric=rule.metric, value=breach.value, finding=breach.text[:300], requirement=requirement[:1000],
                campaign=campaign, phase=phase.name if phase else "", deadline=deadline, assigned_by=user,
                assigned_at=now, state_since=now)
    except IntegrityError:
        raise SupervisionError(f"{row.name}已有该规则未销号的问题，不能重复交办") from None
    ProblemStep.objects.create(problem=problem, action="assign", to_state=ProblemState.ASSIGNED, actor=user, at=now,
                               text=requirement[:2000])
    record(request, "supervision.assign", obj=problem, user=user,
           summary=f"交办督战问题：{breach.text}，期限 {deadline:%Y-%m-%d}"[:300],
           detail={"rule": rule.pk, "region": region_code, "owner": owner.username, "deadline": str(deadline),
                   "value": str(breach.value)})
    return problem


def problems_for(user):
    return Problem.objects.filter(code_prefix_q("region_id", user.scope_code))


def _problem(user, problem_id: int) -> Problem:
    problem = problems_for(user).select_related("region", "rule").filter(pk=problem_id).first()
    if problem is None:
        raise SupervisionError("问题不存在或不在您的管辖范围内")
    return problem


def actor_of(user, problem: Problem) -> Actor | None:
    if user.can("supervise") and problem.supervisor_region_id == user.region_id:
        return Actor.SUPERVISOR
    if user.can("handle_cases") and user.region_id == problem.region_id:
        return Actor.OWNER
    return None


def _move(user, problem: Problem, action: ProblemAction, text: str, request) -> ProblemStep:
    actor = actor_of(user, problem)
    if actor is None:
        raise SupervisionError("您不是该问题的交办单位或被交办单位，不能办理")
    try:
        new = core.next_problem_state(problem.state_enum, action, actor, text)
    except core.IllegalProblemMove as exc:
        raise SupervisionError(str(exc)) from None
    now = timezone.now()
    changes: dict = {"state": new, "state_since": now}
    if new in (ProblemState.CLOSED, ProblemState.CANCELLED):
        changes["closed_at"] = now
    if action is ProblemAction.SEND_BACK:
        changes["returned_count"] = problem.returned_count + 1
    if Problem.objects.filter(pk=problem.pk, state=problem.state).update(**changes) != 1:
        raise SupervisionError("该问题已被他人办理，请刷新后查看")
    step = ProblemStep.objects.create(problem=problem, action=action, from_state=problem.state, to_state=new,
                                      actor=user, at=now, text=text[:2000])
    record(request, f"supervision.{action.value}", obj=problem, user=user,
           summary=f"督战问题 {problem.pk}：{core.PROBLEM_ACTION_LABELS[action]}（{problem.region.name}）",
           detail={"from": problem.state, "to": new.value, "text_length": len(text)})
    for field, value in changes.items():
        setattr(problem, field, value)
    return step


@transaction.atomic
def do_rectify(user, problem_id: int, *, text: str, files: list[tuple[str, bytes, str]] | None = None,
               request=None) -> ProblemStep:
    """The owner reports the rectification: text and optional evidence files ``(name, bytes, type)``."""
    problem = _problem(user, problem_id)
    step = _move(user, problem, ProblemAction.SUBMIT, text, request)
    for name, data, kind in files or []:
        save_evidence(step, name, data, kind)
    return step


@transaction.atomic
def do_review(user, problem_id: int, action: str, *, reason: str = "", request=None) -> ProblemStep:
    """The assigning supervisor signs off (销号), sends back (退回) or cancels (撤销)."""
    _supervisor(user)
    try:
        act = ProblemAction(action)
    except ValueError:
        raise SupervisionError("未知的办理动作") from None
    if act is ProblemAction.SUBMIT:
        raise SupervisionError("整改情况由被交办单位报送")
    return _move(user, _problem(user, problem_id), act, reason, request)


def evidence_path(stored_name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "supervision" / stored_name


def save_evidence(step: ProblemStep, name: str, data: bytes, kind: str) -> Evidence:
    stored = secrets.token_hex(16)
    path = evidence_path(stored)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pii.seal_bytes(data, EVIDENCE_CONTEXT))
    path.chmod(0o600)
    return Evidence.objects.create(step=step, name=Path(name).name[:100], stored_name=stored, content_type=kind,
                                   size=len(data), sha256=hashlib.sha256(data).hexdigest())


def read_evidence(item: Evidence) -> bytes:
    return pii.open_bytes(evidence_path(item.stored_name).read_bytes(), EVIDENCE_CONTEXT)


# ---------------------------------------------------------------- monthly summary and 约谈


@dataclass(frozen=True)
class Monthly:
    rows: list[tuple[core.MonthRow, str]]  # (row, region name)
    summons: list[tuple[core.SummonsEntry, str]]
    totals: dict[str, int]


def monthly(user, year: int, month: int, today: dt.date, rule: core.SummonsRule | None = None,
            roll_up: int = 0) -> Monthly:
    """Problems raised / resolved / overdue per region in the month, and the proposed 约谈 list;
    ``roll_up`` 6 or 9 counts them per county or township (see ``core.supervision.monthly_summary``)."""
    _, last = core.month_bounds(year, month)
    tz = timezone.get_current_timezone()
    rows = problems_for(user).filter(assigned_at__date__lte=last).values_list(
        "region_id", "rule_id", "metric", "assigned_at", "deadline", "closed_at", "state")
    facts = [core.ProblemFact(region, f"{metric}", assigned.astimezone(tz).date(), deadline,
                              closed.astimezone(tz).date() if closed and state == ProblemState.CLOSED else None,
                              cancelled=state == ProblemState.CANCELLED)
             for region, _rule, metric, assigned, deadline, closed, state in rows]
    summary = core.monthly_summary(facts, year, month, as_of=today, roll_up=roll_up)
    proposed = core.summons_list(summary, rule or core.SummonsRule())
    names = dict(Region.objects.filter(code__in={r.region for r in summary}).values_list("code", "name"))
    totals = {k: sum(getattr(r, k) for r in summary) for k in ("raised", "resolved", "overdue", "repeated", "open")}
    return Monthly([(r, names.get(r.region, r.region)) for r in summary],
                   [(e, names.get(e.region, e.region)) for e in proposed], totals)
