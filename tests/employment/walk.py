"""Access walk of the employment pages. A demand belongs to a county, so its pages are walked as lists whose
marker is the location's household (a candidate only in scope); placements are objects of their member's village."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.walk import Case, World


def _demand(world: World, county: str = "130633", firm: str = "遍历食品公司"):
    from fangpin.employment.models import Demand

    key = f"employment.demand.{county}.{firm}"
    if key not in world.extra:
        world.extra[key] = Demand.objects.create(
            county_id=county, firm=firm, title="包装工", location="开发区", slots=50, age_min=16, age_max=60,
            valid_until=dt.date(2099, 12, 31), created_by=world.users["county"])
    return world.extra[key]


def _placement(world: World, village: str):
    from fangpin.employment.models import Placement

    key = f"employment.placement.{village}"
    if key not in world.extra:
        member = world.households[village].members.order_by("pk").first()
        world.extra[key] = Placement.objects.create(
            demand=_demand(world, village[:6], firm=f"遍历推荐 {village}"), member=member,
            recommended_by=world.users["county"], recommended_at=timezone.now())
    return world.extra[key]


def _list(w, v):
    other = _demand(w, "130623", firm="涞水县遍历公司")
    return {}, "", other.firm if v.startswith("130623") else f"不会出现的标记 {v}"


def _detail(w, v):
    return {"pk": _demand(w).pk}, "", w.households[v].hh_no


def _page_demand(w, v):
    return {"pk": _demand(w).pk}


def _placements(w, v):
    return {}, "", _placement(w, v).member.household.hh_no


WALK = {
    "employment:list": Case("list", _list, permission="handle_cases", show_in_scope=False),
    "employment:new": Case("page", lambda w, v: {}, permission="manage_jobs"),
    "employment:import": Case("page", lambda w, v: {}, permission="manage_jobs"),
    "employment:template": Case("page", lambda w, v: {}, permission="manage_jobs"),
    "employment:detail": Case("list", _detail, permission="handle_cases"),
    "employment:edit": Case("page", _page_demand, permission="manage_jobs"),
    "employment:close": Case("page", _page_demand, permission="manage_jobs", ok_status=(405,)),
    "employment:recommend": Case("page", _page_demand, permission="handle_cases", ok_status=(405,)),
    "employment:placements": Case("list", _placements, permission="handle_cases"),
    "employment:outcome": Case("object", lambda w, v: {"pk": _placement(w, v).pk}, permission="handle_cases",
                               ok_status=(405,), post=lambda w, v: {"hired": "1"}),
}
