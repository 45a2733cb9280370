"""Region statistics for 督战 (and the dashboards): (region code, level) → one row per unit.

Set-wise: five grouped queries per village whatever the number of households (members,
households, overdue steps, the latest follow-ups; then region names), summed up to the wanted
levels over the village rows — never a loop over households.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Length, Substr

from fangpin.accounts.access import code_prefix_q
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


def region_stats(code: str, level: Level, day: dt.date, *, all_units: bool = True) -> list[RegionStats]:
    """Rows for every (non-retired) unit of ``level`` inside ``code``, plus any unit that has data;
    ``all_units=False``: only the units with registered households (a province has ~50,000 villages)."""
    return region_stats_by_level(code, [level], day, all_units=all_units)[level]


def region_stats_by_level(code: str, levels, day: dt.date, *, all_units: bool = True) -> dict[Level, list[RegionStats]]:
    """Several levels from one pass: the figures are grouped per village in SQL and summed up to
    townships, counties and cities here (every figure is additive; one row per village, never per household)."""
    levels = [Level(lvl) for lvl in levels]
    for level in levels:
        if CODE_LENGTHS[level] < len(code):
            raise ValueError(f"{level.label}级统计不能在区划 {code} 之下进行")
    villages = village_figures(code, day)
    deep = set(Region.objects.filter(code_prefix_q("code", code[:6]), level=Level.COUNTY, deep_poverty=True)
               .values_list("code", flat=True))
    return {level: _rows(code, level, villages, deep, all_units) for level in levels}


def village_figures(code: str, day: dt.date) -> dict[str, dict[str, int]]:
    """village code → its additive figures (five grouped queries whatever the number of households)."""
    n = CODE_LENGTHS[Level.VILLAGE]
    acc: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    _members(code, n, acc)
    _villages(code, n, acc)
    _overdue(code, n, acc, day)
    _gaps(code, n, acc)
    return acc


def _rows(code: str, level: Level, villages: dict, deep: set[str], all_units: bool) -> list[RegionStats]:
    n = CODE_LENGTHS[level]
    acc: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for village, figures in villages.items():
        entry = acc[village[:n]]
        for key, value in figures.items():
            entry[key] += value
    acc = {c: v for c, v in acc.items() if all_units or v.get("households")}
    names = dict(Region.objects.filter(code_prefix_q("code", code), level=level, retired=False)
                 .values_list("code", "name")) if all_units else {}
    missing = set(acc) - set(names)
    if missing:  # by prefix when there are too many codes for one IN list (SQLite's parameter limit)
        found = Region.objects.filter(code__in=missing) if len(missing) <= 500 else \
            Region.objects.filter(code_prefix_q("code", code), level=level)
        names.update((c, nm) for c, nm in found.values_list("code", "name") if c in missing)
    limit = {c: SCALE_LIMIT_DEEP for c in deep}
    return [RegionStats(code=c, name=names.get(c, c), level=level,
                        scale_limit=limit.get(c[:6], SCALE_LIMIT) if level >= Level.COUNTY else SCALE_LIMIT,
                        **acc.get(c, {}))
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
    rows = (Member.objects.filter(code_prefix_q("household__village_id", code), status="active")
            .annotate(area=_area("household__village_id", n)).values("area")
            .annotate(pop=Count("id"), rem=Count("id", filter=Q(household_id__in=monitored))).order_by())
    for r in rows:
        acc[r["area"]]["population"] += r["pop"]
        acc[r["area"]]["remaining"] += r["rem"]


def _villages(code: str, n: int, acc) -> None:
    poor = Q(hh_type__in=("tuopin", "jiance")) | monitored_households_q()
    unsafe = Q(housing_safety__in=UNSAFE_HOUSING) | ~Q(water="safe")
    rows = (Household.objects.filter(code_prefix_q("village_id", code)).values("village_id")
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
    rows = (Case.objects.filter(code_prefix_q("household__village_id", code), closed_at__isnull=True,
                                step_due__lt=day)
            .annotate(area=_area("household__village_id", n)).values("area").annotate(k=Count("id")).order_by())
    for r in rows:
        acc[r["area"]]["overdue_steps"] += r["k"]


def _gaps(code: str, n: int, acc) -> None:
    """Unmet items of the latest follow-up of every open monitored case."""
    latest = FollowUp.objects.filter(case=OuterRef("pk")).order_by("-visit_date", "-id").values("id")[:1]
    last_ids = (Case.objects.filter(code_prefix_q("household__village_id", code), closed_at__isnull=True,
                                    state__in=MONITORED_STATES)
                .annotate(last=Subquery(latest)).filter(last__isnull=False).values("last"))
    rows = (FollowUp.objects.filter(id__in=last_ids).annotate(area=_area("case__household__village_id", n))
            .values("area").annotate(**{f: Count("id", filter=Q(**{f: False})) for f in GAP_FIELDS}).order_by())
    for r in rows:
        acc[r["area"]]["guarantee_gaps"] += sum(r[f] for f in GAP_FIELDS)


def problem_counts(code: str, level: Level, day: dt.date) -> dict[str, dict[str, int]]:
    """督战 problems per unit of ``level`` inside ``code`` (for dashboards): open, overdue, closed.
    A problem assigned above ``level`` (e.g. to a county when counting townships) is not counted."""
    from fangpin.supervision.models import OPEN_STATES, Problem

    n = CODE_LENGTHS[level]
    rows = (Problem.objects.filter(code_prefix_q("region_id", code)).annotate(code_len=Length("region_id"))
            .filter(code_len__gte=n).annotate(area=_area("region_id", n)).values("area")
            .annotate(open=Count("id", filter=Q(state__in=OPEN_STATES)),
                      overdue=Count("id", filter=Q(state__in=OPEN_STATES, deadline__lt=day)),
                      closed=Count("id", filter=Q(state="closed"))).order_by())
    return {r["area"]: {"open": r["open"], "overdue": r["overdue"], "closed": r["closed"]} for r in rows}
