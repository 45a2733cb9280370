"""Access walk of the notice pages (公示 / 公告).

Every notice page needs ``handle_cases`` (village, township and county issue and post notices).
Each village gets one case under notice and one county decision inside the default announcement
period, so that the pages have rows to leak; the village's name is the marker of its rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.walk import Case, World


def _policy():
    from fangpin.cases.models import PolicyVersion

    return PolicyVersion.objects.get_or_create(version="walk-13", defaults={
        "region_id": "13", "year": 2026, "effective_from": dt.date(2020, 1, 1),
        "monitoring_line": Decimal("7300")})[0]


def notice_case(world: World, village: str):
    """The village household's case in 村内公示 (built once per world)."""
    from django.utils import timezone

    from fangpin.cases.models import Case as CaseModel

    key = f"notices.case.{village}"
    if key not in world.extra:
        now = timezone.now()
        world.extra[key] = CaseModel.objects.create(
            household=world.households[village], state="notice", channel="visit", policy=_policy(), opened_at=now,
            state_since=now, notice_ends=timezone.localdate(now) + dt.timedelta(days=5), risk_types=["因学"])
    return world.extra[key]


def decided_case(world: World, village: str):
    """The village household's case decided by the county today: 县级审定 → 监测中."""
    from django.utils import timezone

    from fangpin.cases.models import Case as CaseModel
    from fangpin.cases.models import CaseStep

    key = f"notices.decided.{village}"
    if key not in world.extra:
        now = timezone.now()
        case = CaseModel.objects.create(
            household=world.households[village], state="monitoring", channel="visit", policy=_policy(),
            opened_at=now, state_since=now, category="边缘易致贫户", risk_types=["因学"],
            effective_date=timezone.localdate(now))
        CaseStep.objects.create(case=case, action="submit", from_state="county_decision", to_state="monitoring",
                                actor=world.users["county"], at=now,
                                data={"category": "边缘易致贫户", "risk_types": ["因学"],
                                      "effective_date": timezone.localdate(now).isoformat()})
        world.extra[key] = case
    return world.extra[key]


def _index(world: World, village: str):
    notice_case(world, village)
    return {}, "", world.households[village].village.name


def _village(world: World, village: str) -> dict:
    notice_case(world, village)
    return {"code": village}


def _county(world: World, village: str):
    decided_case(world, village)
    return {}, "", world.households[village].village.name


WALK = {
    "cases:notices": Case("list", _index, permission="handle_cases"),
    "cases:notice_village": Case("object", _village, permission="handle_cases"),
    "cases:notice_county": Case("list", _county, permission="handle_cases"),
}
