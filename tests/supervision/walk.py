"""Access walk of the supervision (督战) pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tests.walk import Case, World


def _rule(world: World):
    from fangpin.supervision.models import Rule

    if "sup.rule" not in world.extra:
        world.extra["sup.rule"] = Rule.objects.create(
            region_id="13", name="走查规则", metric="remaining_households", level=5, comparator="ge",
            value=Decimal(0), created_by=world.users["province"])
    return world.extra["sup.rule"]


def walk_problem(world: World, village: str):
    """A problem assigned by the province to ``village``, reported with one evidence file."""
    from fangpin.supervision.models import Problem, ProblemStep
    from fangpin.supervision.services import save_evidence

    key = f"sup.problem.{village}"
    if key not in world.extra:
        now = timezone.now()
        problem = Problem.objects.create(
            rule=_rule(world), region_id=village, supervisor_region_id="13", owner=world.users["village"],
            metric="remaining_households", value=Decimal(1), finding=f"问题{village}", deadline=dt.date(2026, 12, 31),
            assigned_by=world.users["province"], assigned_at=now, state_since=now, state="submitted")
        step = ProblemStep.objects.create(problem=problem, action="submit", from_state="assigned",
                                          to_state="submitted", actor=world.users["village"], at=now, text="已整改")
        evidence = save_evidence(step, "证明.png", b"\x89PNG\r\n\x1a\n" + b"walk", "image/png")
        world.extra[key] = (problem, evidence)
    return world.extra[key]


def _problem(w, v):
    return {"pk": walk_problem(w, v)[0].pk}


def _evidence(w, v):
    return {"pk": walk_problem(w, v)[1].pk}


def _problems(w, v):
    walk_problem(w, v)
    return {}, "state=all", f"问题{v}"


def _monthly(w, v):
    walk_problem(w, v)
    from fangpin.regions.models import Region

    return {}, "", Region.objects.get(code=v).name


def _stats(w, v):
    from fangpin.regions.models import Region

    return {}, f"region={v[:6]}&level=5", Region.objects.get(code=v).name


def _findings(w, v):
    _rule(w)
    return {}, "", f"finding-{_rule(w).pk}-{v}"


def _campaign(w, v):
    from fangpin.supervision.models import Campaign

    if "sup.campaign" not in w.extra:
        w.extra["sup.campaign"] = Campaign.objects.create(region_id="13", name="走查督战",
                                                          created_by=w.users["province"])
    return {"pk": w.extra["sup.campaign"].pk}


WALK = {
    "supervision:stats": Case("list", _stats, permission="supervise"),
    "supervision:rules": Case("page", lambda w, v: {}, permission="supervise"),
    "supervision:rule_add": Case("page", lambda w, v: {}, permission="supervise", ok_status=(405,)),
    "supervision:rule_active": Case("page", lambda w, v: {"pk": _rule(w).pk}, permission="supervise",
                                    ok_status=(405,)),
    "supervision:campaigns": Case("page", lambda w, v: {}, permission="supervise"),
    "supervision:campaign_add": Case("page", lambda w, v: {}, permission="supervise", ok_status=(405,)),
    "supervision:campaign": Case("page", _campaign, permission="supervise"),
    "supervision:phase_add": Case("page", _campaign, permission="supervise", ok_status=(405,)),
    "supervision:findings": Case("list", _findings, permission="supervise"),
    "supervision:assign": Case("page", lambda w, v: {}, permission="supervise", ok_status=(405,)),
    "supervision:problems": Case("list", _problems, permission="view_problems"),
    "supervision:problem": Case("object", _problem, permission="view_problems"),
    "supervision:rectify": Case("object", _problem, permission="handle_cases", ok_status=(405,),
                                post=lambda w, v: {"text": "越权整改"}),
    "supervision:review": Case("object", _problem, permission="supervise", ok_status=(405,),
                               post=lambda w, v: {"action": "sign_off"}),
    "supervision:evidence": Case("object", _evidence, permission="view_problems"),
    "supervision:monthly": Case("list", _monthly, permission="supervise"),
}
