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


def _simulation(world, village):
    """A finished simulation of the village (its name is the list's marker)."""
    from fangpin.alerts.models import Simulation

    key = ("simulation", village)
    if key not in world.extra:
        world.extra[key] = Simulation.objects.create(region_id=village, period="2026-10", status="done",
                                                     params={"monitoring_line": "9000"})
    return world.extra[key]


def _simulation_list(world, village):
    simulation = _simulation(world, village)
    return {}, "", simulation.region.name


WALK = {
    "alerts:queue": Case("list", lambda w, v: ({}, "", _warning(w, v).text), permission="run_screening"),
    "alerts:runs": Case("page", lambda w, v: {}, permission="run_screening"),
    "alerts:run": Case("object", lambda w, v: {"pk": _warning(w, v).run_id}, permission="run_screening"),
    "alerts:act": Case("object", lambda w, v: {"pk": _warning(w, v).pk}, permission="run_screening", ok_status=(405,),
                       post=lambda w, v: {"do": "lead"}),
    # what-if: whoever screens or sets the policy (RoleSpec.simulate_policy = run_screening or manage_policy)
    "alerts:whatif": Case("list", _simulation_list, permission="simulate_policy"),
    "alerts:whatif_detail": Case("object", lambda w, v: {"pk": _simulation(w, v).pk}, permission="simulate_policy"),
}
