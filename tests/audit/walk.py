"""Access-walk cases for the audit app (see tests/walk.py): one audit event located in each village."""

from __future__ import annotations

from tests.walk import Case, World


def _event(world: World, village: str):
    from fangpin.audit.services import record

    key = f"audit.event.{village}"
    if key not in world.extra:
        world.extra[key] = record(None, "walk.marker", region_code=village, summary=f"walk-marker-{village}")
    return world.extra[key]


def _listed(query: str = ""):
    def build(world: World, village: str):
        event = _event(world, village)
        return {}, f"region={village}{query}", event.summary

    return build


WALK = {
    "audit:list": Case("list", _listed(), permission="read_audit"),
    "audit:export": Case("list", _listed("&format=csv"), permission="read_audit"),
    "audit:detail": Case("object", lambda w, v: {"seq": _event(w, v).seq}, permission="read_audit"),
    "audit:verify": Case("page", lambda w, v: {}, permission="read_audit"),
}
