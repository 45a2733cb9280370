"""Region statistics for 督战 (and the dashboards): (region code, level) → one row per unit.

Set-wise: five grouped queries whatever the number of households (members, households per
village, overdue steps, the latest follow-ups, region names), grouped by the code prefix of the
wanted level (``substr(village_id, 1, n)``) — never a loop over households.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Substr

from fangpin.cases.models import Case
from fangpin.cases.scale import MONITORED_STATES, monitored_households_q
from fangpin.core.regions import CODE_LENGTHS, Level
from fangpin.core.supervision import RegionStats
from fangpin.plans.models import FollowUp
from fangpin.regions.models import Region
from fangpin.registry.models import Household, Member

SCALE_LIMIT = Decimal("5")
SCALE_LIMIT_DEEP = Decimal("10")
GAP_FIELDS = ("food_ok", "education_ok", "medical_ok", "housing_ok", "water_ok")
UNSAFE_HOUSING = ("C", "D")


def region_stats(code: str, level: Level, day: dt.date) -> list[RegionStats]:
    """Rows for every (non-retired) unit of ``level`` inside ``code``, plus any unit that has data."""
    n = CODE_LENGTHS[level]
    if n < len(code):
        raise ValueError(f"{level.label}级统计不能在区划 {code} 之下进行")
    acc: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    _members(code, n, acc)
    _villages(code, n, acc)
    _overdue(code, n, acc, day)
    _gaps(code, n, acc)
    names = dict(Region.objects.filter(level=level, code__startswith=code, retired=False)
                 .values_list("code", "name"))
    missing = set(acc) - set(names)
    if missing:
        names.update(Region.objects.filter(code__in=missing).values_list("code", "name"))
    deep = set(Region.objects.filter(level=Level.COUNTY, code__startswith=code[:6], deep_poverty=True)
               .values_list("code", flat=True)) if level >= Level.COUNTY else set()
    return [RegionStats(code=c, name=names.get(c, c), level=level,
                        scale_limit=SCALE_LIMIT_DEEP if c[:6] in deep else SCALE_LIMIT, **acc.get(c, {}))
            for c in sorted(set(names) | set(acc))]


def region_stats_row(code: str, day: dt.date) -> RegionStats | None:
    """The figures of one region (its own total)."""
    from fangpin.core.regions import level_of

    rows = region_stats(code, level_of(code), day)
    return next((r for r in rows if r.code == code), None)


def _area(field: str, n: int) -> Substr:
    return Substr(field, 1, n)


def _members(code: str, n: int, acc) -> None:
    monitored = Household.objects.filter(monitored_households_q()).values("pk")
    rows = (Member.objects.filter(status="active", household__village__code__startswith=code)
            .annotate(area=_area("household__village_id", n)).values("area")
            .annotate(pop=Count("id"), rem=Count("id", filter=Q(household_id__in=monitored))).order_by())
    for r in rows:
        acc[r["area"]]["population"] += r["pop"]
        acc[r["area"]]["remaining"] += r["rem"]


def _villages(code: str, n: int, acc) -> None:
    poor = Q(hh_type__in=("tuopin", "jiance")) | monitored_households_q()
    unsafe = Q(housing_safety__in=UNSAFE_HOUSING) | ~Q(water="safe")
    rows = (Household.objects.filter(village__code__startswith=code).values("village_id")
            .annotate(hh=Count("id"), mon=Count("id", filter=monitored_households_q()),
                      gaps=Count("id", filter=poor & unsafe)).order_by())
    for r in rows:  # one row per village, not per household
        entry = acc[r["village_id"][:n]]
        entry["households"] += r["hh"]
        entry["remaining_households"] += r["mon"]
        entry["housing_water_gaps"] += r["gaps"]
        entry["villages"] += 1
        entry["villages_without"] += r["mon"] == 0


def _overdue(code: str, n: int, acc, day: dt.date) -> None:
    rows = (Case.objects.filter(closed_at__isnull=True, step_due__lt=day, household__village__code__startswith=code)
            .annotate(area=_area("household__village_id", n)).values("area").annotate(k=Count("id")).order_by())
    for r in rows:
        acc[r["area"]]["overdue_steps"] += r["k"]


def _gaps(code: str, n: int, acc) -> None:
    """Unmet items of the latest follow-up of every open monitored case."""
    latest = FollowUp.objects.filter(case=OuterRef("pk")).order_by("-visit_date", "-id").values("id")[:1]
    last_ids = (Case.objects.filter(closed_at__isnull=True, state__in=MONITORED_STATES,
                                    household__village__code__startswith=code)
                .annotate(last=Subquery(latest)).filter(last__isnull=False).values("last"))
    rows = (FollowUp.objects.filter(id__in=last_ids).annotate(area=_area("case__household__village_id", n))
            .values("area").annotate(**{f: Count("id", filter=Q(**{f: False})) for f in GAP_FIELDS}).order_by())
    for r in rows:
        acc[r["area"]]["guarantee_gaps"] += sum(r[f] for f in GAP_FIELDS)
