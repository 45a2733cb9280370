"""Supervision (督战): threshold rules over region statistics, campaigns in dated phases, the
problem transition table (交办 → 整改 → 销号 / 退回) and the ranking of the proposed 约谈 list.

The sources: provinces and cities list counties with > 1,000 remaining poor, townships with > 400,
villages with > 20 or incidence > 1.5 %, in phases with dates; problems are assigned to the
region's office with a deadline, rectified with evidence and signed off; each month the regions
with the most overdue or repeated problems are proposed for 约谈 (summons).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from fangpin.core.regions import Level


class Metric(StrEnum):
    REMAINING = "remaining"  # persons in households still monitored (risk not eliminated)
    REMAINING_HOUSEHOLDS = "remaining_households"
    INCIDENCE = "incidence"  # remaining persons / registered rural population, percent
    SCALE_EXCESS = "scale_excess"  # incidence minus the scale limit (5 %, 10 % in deep-poverty counties), points
    OVERDUE_STEPS = "overdue_steps"  # open identification / elimination steps past their deadline
    GUARANTEE_GAPS = "guarantee_gaps"  # unmet 两不愁三保障/饮水 items in the latest follow-up of open cases
    HOUSING_WATER_GAPS = "housing_water_gaps"  # 脱贫/监测 households with C/D housing or unsafe water
    VILLAGES_WITHOUT = "villages_without"  # villages with households but no monitoring object


METRIC_LABELS: dict[Metric, str] = {
    Metric.REMAINING: "未消除风险监测人口（人）",
    Metric.REMAINING_HOUSEHOLDS: "未消除风险监测户（户）",
    Metric.INCIDENCE: "监测发生率（%）",
    Metric.SCALE_EXCESS: "监测规模超出参考规模（百分点）",
    Metric.OVERDUE_STEPS: "超期未办环节（个）",
    Metric.GUARANTEE_GAPS: "未解决的三保障/饮水问题（项）",
    Metric.HOUSING_WATER_GAPS: "住房或饮水不安全的脱贫户、监测户（户）",
    Metric.VILLAGES_WITHOUT: "无监测对象的村（个）",
}


class Comparator(StrEnum):
    GT = "gt"
    GE = "ge"
    LT = "lt"
    LE = "le"


COMPARATOR_LABELS: dict[Comparator, str] = {Comparator.GT: ">", Comparator.GE: "≥", Comparator.LT: "<",
                                            Comparator.LE: "≤"}
_COMPARE = {
    Comparator.GT: lambda a, b: a > b,
    Comparator.GE: lambda a, b: a >= b,
    Comparator.LT: lambda a, b: a < b,
    Comparator.LE: lambda a, b: a <= b,
}
# Levels a rule may target (rows of the statistics).
RULE_LEVELS = (Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)


@dataclass(frozen=True, slots=True)
class RegionStats:
    """One region's figures (a row of the statistics table)."""

    code: str
    name: str
    level: Level
    households: int = 0
    population: int = 0  # active members of registered rural households
    remaining: int = 0
    remaining_households: int = 0
    overdue_steps: int = 0
    guarantee_gaps: int = 0
    housing_water_gaps: int = 0
    villages: int = 0  # villages with households
    villages_without: int = 0
    scale_limit: Decimal = Decimal("5")  # percent

    @property
    def incidence(self) -> Decimal:
        if not self.population:
            return Decimal("0.00")
        return (Decimal(self.remaining) * 100 / self.population).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def scale_excess(self) -> Decimal:
        return self.incidence - self.scale_limit

    def value(self, metric: Metric) -> Decimal:
        return Decimal(getattr(self, metric.value))


@dataclass(frozen=True, slots=True)
class Rule:
    metric: Metric
    level: Level
    comparator: Comparator
    value: Decimal

    @property
    def text(self) -> str:
        return (f"{self.level.label}级 {METRIC_LABELS[self.metric]} "
                f"{COMPARATOR_LABELS[self.comparator]} {self.value.normalize():f}")


@dataclass(frozen=True, slots=True)
class Breach:
    rule: Rule
    code: str
    name: str
    value: Decimal

    @property
    def text(self) -> str:
        return f"{self.name}：{METRIC_LABELS[self.rule.metric]} {self.value.normalize():f}（{self.rule.text}）"


def evaluate(rule: Rule, row: RegionStats) -> Breach | None:
    """The breach if ``row`` is at the rule's level and over (or under) its threshold, else None."""
    if row.level != rule.level:
        return None
    value = row.value(rule.metric)
    if not _COMPARE[rule.comparator](value, rule.value):
        return None
    return Breach(rule, row.code, row.name, value)


def breaches(rules: Iterable[Rule], rows: Iterable[RegionStats]) -> list[Breach]:
    rows = list(rows)
    return [b for rule in rules for row in rows if (b := evaluate(rule, row)) is not None]


# ---------------------------------------------------------------- campaigns and phases


@dataclass(frozen=True, slots=True)
class Phase:
    name: str
    start: dt.date
    end: dt.date  # inclusive

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class Campaign:
    name: str
    phases: tuple[Phase, ...] = ()

    def phase_on(self, day: dt.date) -> Phase | None:
        return next((p for p in self.phases if p.contains(day)), None)


class CampaignError(ValueError):
    """A campaign that cannot be saved; ``str()`` is Chinese and names the phase."""


def check_phases(phases: Iterable[Phase]) -> None:
    ordered = sorted(phases, key=lambda p: p.start)
    for p in ordered:
        if p.end < p.start:
            raise CampaignError(f"阶段“{p.name}”的结束日期早于开始日期")
    for a, b in zip(ordered, ordered[1:], strict=False):
        if b.start <= a.end:
            raise CampaignError(f"阶段“{a.name}”与“{b.name}”的日期重叠")


def rule_in_force(campaign: Campaign | None, phase: str, day: dt.date) -> bool:
    """A standing rule (no campaign) always; a campaign's rule during any of its phases; a rule
    tied to one phase (``phase`` = its name) only during that phase."""
    if campaign is None:
        return True
    current = campaign.phase_on(day)
    return current is not None and (not phase or current.name == phase)


# ---------------------------------------------------------------- problems: 交办 → 整改 → 销号


class ProblemState(StrEnum):
    ASSIGNED = "assigned"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class ProblemAction(StrEnum):
    SUBMIT = "submit"
    SIGN_OFF = "sign_off"
    SEND_BACK = "send_back"
    CANCEL = "cancel"


PROBLEM_STATE_LABELS = {
    ProblemState.ASSIGNED: "已交办待整改",
    ProblemState.SUBMITTED: "整改待审核",
    ProblemState.RETURNED: "退回重新整改",
    ProblemState.CLOSED: "已销号",
    ProblemState.CANCELLED: "已撤销",
}
PROBLEM_ACTION_LABELS = {
    ProblemAction.SUBMIT: "报送整改情况",
    ProblemAction.SIGN_OFF: "审核销号",
    ProblemAction.SEND_BACK: "退回重改",
    ProblemAction.CANCEL: "撤销交办",
}
OPEN_STATES = frozenset({ProblemState.ASSIGNED, ProblemState.SUBMITTED, ProblemState.RETURNED})


class Actor(StrEnum):
    OWNER = "owner"  # the office of the region the problem was assigned to
    SUPERVISOR = "supervisor"  # a province or city account above it


@dataclass(frozen=True, slots=True)
class ProblemMove:
    next_state: ProblemState
    actor: Actor
    needs_reason: bool = False


_A, _S, _R = ProblemState.ASSIGNED, ProblemState.SUBMITTED, ProblemState.RETURNED
PROBLEM_MOVES: dict[tuple[ProblemState, ProblemAction], ProblemMove] = {
    (_A, ProblemAction.SUBMIT): ProblemMove(_S, Actor.OWNER, needs_reason=True),
    (_R, ProblemAction.SUBMIT): ProblemMove(_S, Actor.OWNER, needs_reason=True),
    (_S, ProblemAction.SIGN_OFF): ProblemMove(ProblemState.CLOSED, Actor.SUPERVISOR),
    (_S, ProblemAction.SEND_BACK): ProblemMove(_R, Actor.SUPERVISOR, needs_reason=True),
    (_A, ProblemAction.CANCEL): ProblemMove(ProblemState.CANCELLED, Actor.SUPERVISOR, needs_reason=True),
    (_R, ProblemAction.CANCEL): ProblemMove(ProblemState.CANCELLED, Actor.SUPERVISOR, needs_reason=True),
}


class IllegalProblemMove(Exception):
    """A move the table does not allow, by the wrong party, or without its reason; ``str()`` is Chinese."""


def next_problem_state(state: ProblemState, action: ProblemAction, actor: Actor, reason: str = "") -> ProblemState:
    move = PROBLEM_MOVES.get((state, action))
    if move is None:
        raise IllegalProblemMove(f"问题“{PROBLEM_STATE_LABELS[state]}”时不能{PROBLEM_ACTION_LABELS[action]}")
    if move.actor is not actor:
        who = "被交办单位" if move.actor is Actor.OWNER else "督战单位"
        raise IllegalProblemMove(f"{PROBLEM_ACTION_LABELS[action]}只能由{who}办理")
    if move.needs_reason and not reason.strip():
        label = "整改情况" if action is ProblemAction.SUBMIT else "理由"
        raise IllegalProblemMove(f"{PROBLEM_ACTION_LABELS[action]}须填写{label}")
    return move.next_state


def problem_actions(state: ProblemState, actor: Actor) -> list[ProblemAction]:
    return [a for (s, a), m in PROBLEM_MOVES.items() if s is state and m.actor is actor]


# ---------------------------------------------------------------- monthly summary and 约谈 ranking


@dataclass(frozen=True, slots=True)
class ProblemFact:
    """What the summary needs of one problem: where, which rule (``key``), and its dates."""

    region: str
    key: str
    raised: dt.date
    deadline: dt.date
    closed: dt.date | None = None  # signed off (销号)
    cancelled: bool = False


def is_overdue(p: ProblemFact, as_of: dt.date) -> bool:
    """Past its deadline without sign-off on ``as_of``, or signed off only after the deadline."""
    if p.cancelled or p.raised > as_of:
        return False
    if p.closed is not None and p.closed <= as_of:
        return p.closed > p.deadline
    return as_of > p.deadline


def repeated(problems: Iterable[ProblemFact]) -> set[int]:
    """Indexes of problems raised again for the same region and rule after an earlier one."""
    seen: set[tuple[str, str]] = set()
    out: set[int] = set()
    for i, p in sorted(enumerate(problems), key=lambda ip: (ip[1].raised, ip[0])):
        if p.cancelled:
            continue
        if (p.region, p.key) in seen:
            out.add(i)
        seen.add((p.region, p.key))
    return out


@dataclass(frozen=True, slots=True)
class MonthRow:
    region: str
    raised: int = 0
    resolved: int = 0
    overdue: int = 0  # overdue as of the month's last day (or ``as_of`` if earlier)
    repeated: int = 0  # raised this month for a region and rule that had a problem before
    open: int = 0


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def monthly_summary(problems: Iterable[ProblemFact], year: int, month: int,
                    as_of: dt.date | None = None, roll_up: int = 0) -> list[MonthRow]:
    """Per region: problems raised and resolved in the month, overdue and open at its end.

    ``roll_up`` (a code length: 6 counties, 9 townships) counts each problem against the region of
    that level containing it — the sources summon cities and counties; a problem assigned above
    that level stays with its own region. Repetition is judged on the region assigned."""
    items = list(problems)
    first, last = month_bounds(year, month)
    end = min(last, as_of) if as_of else last
    again = repeated(items)
    acc: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for i, p in enumerate(items):
        if p.cancelled or p.raised > end:
            continue
        row = acc[p.region[:roll_up] if roll_up else p.region]
        if first <= p.raised <= end:
            row["raised"] += 1
            row["repeated"] += i in again
        if p.closed is not None and first <= p.closed <= end:
            row["resolved"] += 1
        if p.closed is None or p.closed > end:
            row["open"] += 1
            row["overdue"] += end > p.deadline
        elif first <= p.closed <= end and p.closed > p.deadline:
            row["overdue"] += 1
    rows = [MonthRow(region, **r) for region, r in acc.items()]
    return sorted((r for r in rows if r.raised or r.resolved or r.open), key=lambda r: r.region)


@dataclass(frozen=True, slots=True)
class SummonsRule:
    """Who is proposed for 约谈: at least ``min_overdue`` overdue or ``min_repeated`` repeated
    problems; ranked by ``weight_overdue × overdue + weight_repeated × repeated``."""

    min_overdue: int = 2
    min_repeated: int = 2
    weight_overdue: int = 2
    weight_repeated: int = 1
    limit: int = 10


@dataclass(frozen=True, slots=True)
class SummonsEntry:
    region: str
    overdue: int
    repeated: int
    score: int
    reasons: tuple[str, ...] = field(default=())


def summons_list(rows: Iterable[MonthRow], rule: SummonsRule = SummonsRule()) -> list[SummonsEntry]:
    """The proposed 约谈 list, highest score first (then more overdue, then the code)."""
    out = []
    for r in rows:
        reasons = []
        if r.overdue >= rule.min_overdue:
            reasons.append(f"超期未整改 {r.overdue} 个")
        if r.repeated >= rule.min_repeated:
            reasons.append(f"重复发生 {r.repeated} 个")
        if reasons:
            score = rule.weight_overdue * r.overdue + rule.weight_repeated * r.repeated
            out.append(SummonsEntry(r.region, r.overdue, r.repeated, score, tuple(reasons)))
    out.sort(key=lambda e: (-e.score, -e.overdue, e.region))
    return out[: rule.limit]
