"""Risk elimination (风险消除): which criteria are met, what is missing, and who stays monitored."""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from fangpin.core.policy import Policy

GUARANTEE_LABELS = {"food": "吃穿", "education": "义务教育", "medical": "基本医疗", "housing": "住房安全",
                    "water": "饮水安全"}


@dataclass(frozen=True)
class EliminationFacts:
    months_above_line: int  # consecutive recent months with income above the line (follow-up visits)
    unmet_guarantees: tuple[str, ...] = ()  # codes of GUARANTEE_LABELS still unmet
    rigid_expenditure_resolved: bool = True  # large medical/school spending covered or ended
    labour_members: int = 1
    relies_on_social_security: bool = False  # 低保 / 特困供养 as main income


@dataclass(frozen=True)
class EliminationCheck:
    eligible: bool
    missing: tuple[str, ...]
    keep_monitoring: str | None = None


def check_elimination(facts: EliminationFacts, policy: Policy) -> EliminationCheck:
    missing: list[str] = []
    need = policy.stable_months_for_elimination
    if facts.months_above_line < need:
        missing.append(f"收入稳定超过监测线仅 {facts.months_above_line} 个月，须满 {need} 个月")
    for code in facts.unmet_guarantees:
        missing.append(f"{GUARANTEE_LABELS.get(code, code)}尚未保障")
    if not facts.rigid_expenditure_resolved:
        missing.append("大额医疗、教育等刚性支出问题尚未解决")
    keep = None
    if facts.labour_members == 0 and facts.relies_on_social_security:
        keep = "家庭无劳动能力、主要依靠兜底保障，按政策继续监测，不标注风险消除"
    return EliminationCheck(eligible=not missing and keep is None, missing=tuple(missing), keep_monitoring=keep)


# ---------------------------------------------------------------- follow-up arithmetic

# A follow-up visit falls on whatever day the helper gets there: a visit up to this many days
# before the month's anniversary of the run's first visit still completes that month.
VISIT_GRACE_DAYS = 7


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (1-31 + 1 month → 2-28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def whole_months(start: date, end: date, grace_days: int = VISIT_GRACE_DAYS) -> int:
    """Whole months from ``start`` to ``end`` (month-end clamped), ``grace_days`` early still counting."""
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    while months > 0 and add_months(start, months) - timedelta(days=grace_days) > end:
        months -= 1
    return months


def months_above_line(observations: Iterable[tuple[date, Decimal]], line: Decimal) -> int:
    """Length in months of the current unbroken run of follow-ups at or above the monitoring line.

    ``observations``: (visit date, per-capita net income of the last 12 months), any order.
    The run ends at the latest visit; a visit below the line resets it (so a latest visit below
    the line gives 0). A run of one visit has lasted 0 months. Two visits on one day: the lower
    income counts (the cautious reading).
    """
    by_day: dict[date, Decimal] = {}
    for day, income in observations:
        by_day[day] = min(income, by_day.get(day, income))
    run_start: date | None = None
    latest: date | None = None
    for day in sorted(by_day):
        latest = day
        if by_day[day] < line:
            run_start = None
        elif run_start is None:
            run_start = day
    if run_start is None or latest is None:
        return 0
    return whole_months(run_start, latest)


@dataclass(frozen=True)
class FollowUpDue:
    due: date | None  # None: no basis yet (no visit and no monitoring date)
    overdue: bool
    days_overdue: int
    due_soon: bool  # due within DUE_SOON_DAYS (or overdue): shown on the reminder list


DUE_SOON_DAYS = 7


def followup_due(last_visit: date | None, monitoring_since: date | None, interval_days: int,
                 today: date) -> FollowUpDue:
    """When the next follow-up is due: the last visit (else the monitoring effective date) + interval."""
    basis = last_visit or monitoring_since
    if basis is None:
        return FollowUpDue(None, False, 0, False)
    due = basis + timedelta(days=interval_days)
    late = (today - due).days
    return FollowUpDue(due, late > 0, max(late, 0), late >= -DUE_SOON_DAYS)
