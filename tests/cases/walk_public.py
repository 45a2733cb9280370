import datetime as dt
from decimal import Decimal

from tests.walk import Case


def _visit(world, village):
    """A visit record on the village's household (made directly: the walk tests access, not rules)."""
    from fangpin.cases.models import VisitRecord

    key = ("visit", village)
    if key not in world.extra:
        world.extra[key] = VisitRecord.objects.create(
            household=world.households[village], visitor=world.users["village"], visit_date=dt.date(2026, 1, 5),
            income_12m=Decimal("20000"))
    return world.extra[key]


WALK: dict = {
    "public:apply": Case("public", lambda w, v: {}),
    "public:villages": Case("public", lambda w, v: {}),
    "public:status": Case("public", lambda w, v: {}),
    "cases:visit_new": Case("page", lambda w, v: {}, permission="handle_cases"),
    "cases:visit_detail": Case("object", lambda w, v: {"pk": _visit(w, v).pk}, permission="handle_cases"),
    "cases:visit_list": Case("list", lambda w, v: ({}, "", f">{_visit(w, v).household.hh_no}<"),
                             permission="handle_cases"),
}
