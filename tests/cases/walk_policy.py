"""Access walk of policy administration. A policy is a public document: every signed-in role reads the
versions above it; only ``manage_policy`` (county, province) reaches the forms."""

import datetime as dt
from decimal import Decimal

from tests.walk import Case


def _province_version(world, village) -> dict:
    from fangpin.cases.models import PolicyVersion

    if "policy" not in world.extra:
        world.extra["policy"] = PolicyVersion.objects.create(
            region_id="13", year=2026, effective_from=dt.date(2026, 1, 1), version="13-2026-1",
            monitoring_line=Decimal("7300"))
    return {"pk": world.extra["policy"].pk}


def _holiday(world, village) -> dict:
    from fangpin.cases.models import Holiday

    if "holiday" not in world.extra:
        world.extra["holiday"] = Holiday.objects.create(date=dt.date(2027, 1, 1), name="元旦")
    return {"pk": world.extra["holiday"].pk}


WALK = {
    "cases:policy_list": Case("page", lambda w, v: {}),
    "cases:policy_detail": Case("page", _province_version),
    "cases:policy_create": Case("page", lambda w, v: {}, permission="manage_policy"),
    "cases:holiday_list": Case("page", lambda w, v: {}),
    "cases:holiday_create": Case("page", lambda w, v: {}, permission="manage_policy"),
    "cases:holiday_delete": Case("page", _holiday, permission="manage_policy"),
}
