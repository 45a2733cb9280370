"""Dashboard panels as data: what a chart shows and the table beside it (standard library only).

A panel's figures are computed by the dashboards app (grouped queries); this module holds the
shape they are handed to the page in, and the small tallies that are easier to test without a
database: months back from a day, risk types over cases, the scale check per sub-region.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from fangpin.core.scale import check_scale

CHART_KINDS = frozenset({"bar", "hbar", "line", "pie"})


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    data: list[float]
    stack: str = ""  # bars of the same non-empty stack are drawn on top of each other


@dataclass(frozen=True, slots=True)
class PanelData:
    """One panel: a chart (categories × series) and the same figures as a table.

    ``drill`` holds a region code per category when a click on that bar should open the sub-region's
    dashboard; ``marks`` are reference lines (e.g. 5 % and 10 % for the scale).
    """

    key: str
    title: str
    kind: str
    categories: list[str]
    series: list[Series]
    columns: list[str]
    rows: list[list[str | int | float]]
    unit: str = ""
    note: str = ""
    drill: list[str] = field(default_factory=list)
    marks: list[tuple[str, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.kind not in CHART_KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}")
        for s in self.series:
            if len(s.data) != len(self.categories):
                raise ValueError(f"series {s.name!r} has {len(s.data)} values for {len(self.categories)} categories")
        if self.drill and len(self.drill) != len(self.categories):
            raise ValueError("drill codes must match the categories one to one")

    @property
    def empty(self) -> bool:
        return not any(v for s in self.series for v in s.data)

    def as_json(self) -> dict[str, Any]:
        """What the page's script gets (through json_script): plain lists, no functions."""
        out = asdict(self)
        out["marks"] = [{"name": n, "value": v} for n, v in self.marks]
        out["empty"] = self.empty
        return out


def month_keys(day: dt.date, months: int = 12) -> list[str]:
    """The last ``months`` calendar months up to and including ``day``'s, oldest first, as 'YYYY-MM'."""
    y, m = day.year, day.month
    keys = []
    for _ in range(months):
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return keys[::-1]


def tally_months(dates: Iterable[dt.date | dt.datetime | None], keys: list[str]) -> list[int]:
    """How many of ``dates`` fall in each month of ``keys`` (others are ignored)."""
    counts = Counter(f"{d.year:04d}-{d.month:02d}" for d in dates if d is not None)
    return [counts.get(k, 0) for k in keys]


def tally_risk_types(per_case: Iterable[list[str] | None], known: Iterable[str]) -> list[tuple[str, int]]:
    """Cases per risk type (a case with two types counts under both), the policy's order first, then
    any other type found, largest first; types no case has are left out."""
    counts: Counter[str] = Counter()
    for types in per_case:
        counts.update(set(types or []))
    ordered = [t for t in known if counts.get(t)]
    extra = sorted((t for t in counts if t not in ordered), key=lambda t: (-counts[t], t))
    return [(t, counts[t]) for t in [*ordered, *extra]]


@dataclass(frozen=True, slots=True)
class ScaleRow:
    code: str
    name: str
    monitored: int
    population: int
    ratio: Decimal
    limit: Decimal
    over: bool


def scale_rows(rows: Iterable[tuple[str, str, int, int, bool]]) -> list[ScaleRow]:
    """(code, name, monitored persons, registered persons, deep-poverty) → the core's scale check per row."""
    out = []
    for code, name, monitored, population, deep in rows:
        check = check_scale(monitored, population, deep_poverty=deep)
        out.append(ScaleRow(code, name, monitored, population, check.ratio, check.limit, check.over))
    return out


def percent(part: int, whole: int) -> float:
    """``part`` of ``whole`` in percent, one decimal (0 when there is no whole)."""
    return round(100 * part / whole, 1) if whole else 0.0
