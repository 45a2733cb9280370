"""Access walk of the screening pages."""

from __future__ import annotations

from tests.walk import Case


def _warning(world, village):
    from fangpin.alerts.models import ScreeningRun, Warning

    key = ("warning", village)
    if key not in world.extra:
        run = ScreeningRun.objects.create(region_id=village[:6], period="2026-10", status="done")
        world.extra[key] = Warning.objects.create(
            household=world.households[village], rule="income_below_line", period="2026-10", title="人均纯收入低于监测线",
            text=f"预警-{village}", risk_types=["其他"], policy_version="13-2026-1", run=run)
    return world.extra[key]


WALK = {
    "alerts:queue": Case("list", lambda w, v: ({}, "", _warning(w, v).text), permission="run_screening"),
    "alerts:runs": Case("page", lambda w, v: {}, permission="run_screening"),
    "alerts:run": Case("object", lambda w, v: {"pk": _warning(w, v).run_id}, permission="run_screening"),
    "alerts:act": Case("object", lambda w, v: {"pk": _warning(w, v).pk}, permission="run_screening", ok_status=(405,),
                       post=lambda w, v: {"do": "lead"}),
}
