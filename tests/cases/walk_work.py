"""Access walk of the case work pages (queue, pipeline, detail, actions, opening a lead)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.walk import Case, World


def walk_case(world: World, village: str):
    """One open case (at the lead step) for the village's household, built once per world."""
    from fangpin.cases.models import PolicyVersion
    from fangpin.cases.services import do_open_lead

    key = f"cases.case.{village}"
    if key not in world.extra:
        PolicyVersion.objects.get_or_create(version="walk-13", defaults={
            "region_id": "13", "year": 2026, "effective_from": dt.date(2020, 1, 1),
            "monitoring_line": Decimal("7300")})
        world.extra[key] = do_open_lead(world.households[village], "visit", "走访发现困难").case
    return world.extra[key]


def _queue(world: World, village: str):
    # The case waits at the lead step (a village to-do): township and county do not see it in
    # their queue, so only the out-of-scope check applies to every role.
    return {}, "", walk_case(world, village).household.hh_no


def _pipeline(world: World, village: str):
    walk_case(world, village)
    # A township user sees its villages; the other township's village must never be named.
    return {}, "", world.households[village].village.name


WALK = {
    # the page shows a count for the user's own region only; POST is covered in test_adopt
    "cases:adopt": Case("page", lambda w, v: {}, permission="manage_policy"),
    "cases:queue": Case("list", _queue, permission="handle_cases", show_in_scope=False),
    "cases:pipeline": Case("list", _pipeline, permission="view_pipeline", show_in_scope=False),
    "cases:detail": Case("object", lambda w, v: {"pk": walk_case(w, v).pk}, permission="handle_cases"),
    "cases:act": Case("object", lambda w, v: {"pk": walk_case(w, v).pk}, permission="handle_cases",
                      ok_status=(405,), post=lambda w, v: {"action": "start_verify", "seen_state": "lead"}),
    "cases:open": Case("object", lambda w, v: {"household_pk": w.households[v].pk}, permission="handle_cases",
                       ok_status=(405,), post=lambda w, v: {"summary": "被拒绝的线索"}),
}
