"""Grievances (诉求): appeals and complaints, their states as one transition table, and their deadlines.

``TRANSITIONS[(state, action)] → Move(next_state, roles)``. A grievance is received, assigned to an
owner (包案领导/承办人) by the township or county, answered by that owner with a result, and closed by
a return visit (回访) that records the applicant's satisfaction. An answer the applicant is not
satisfied with (不满意) may be reopened: back to the owner with a new deadline. Services look moves up
here and update with ``filter(pk=…, state=seen).update(…)``; the owner check ("only the owner answers")
is the service's, as it needs the row.

Deadlines are working days on the office's calendar (``core.workdays``), configurable per
installation (``GrievanceRules``). "Resolved" (化解) means closed with 满意 or 基本满意.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from fangpin.core.roles import ROLES, Role
from fangpin.core.workdays import WorkCalendar


class Kind(StrEnum):
    EXCLUDED = "excluded"      # 应纳未纳（认为符合条件却未纳入监测）
    UNDELIVERED = "undelivered"  # 帮扶措施未落实
    POLICY = "policy"          # 政策咨询
    STAFF = "staff"            # 干部作风投诉
    OTHER = "other"


KIND_LABELS = {
    Kind.EXCLUDED: "应纳未纳（申请纳入监测）", Kind.UNDELIVERED: "帮扶措施未落实", Kind.POLICY: "政策咨询",
    Kind.STAFF: "反映干部作风", Kind.OTHER: "其他",
}


class State(StrEnum):
    RECEIVED = "received"    # 已受理，待交办
    ASSIGNED = "assigned"    # 已交办，办理中
    RESPONDED = "responded"  # 已答复，待回访
    CLOSED = "closed"        # 已办结


STATE_LABELS = {State.RECEIVED: "待交办", State.ASSIGNED: "办理中", State.RESPONDED: "待回访",
                State.CLOSED: "已办结"}
OPEN_STATES = frozenset({State.RECEIVED, State.ASSIGNED, State.RESPONDED})


class Action(StrEnum):
    ASSIGN = "assign"      # 交办（或改派）包案领导
    RESPOND = "respond"    # 答复办理结果
    VISIT = "visit"        # 回访并记录满意度，办结
    REOPEN = "reopen"      # 回访不满意，重新办理


ACTION_LABELS = {Action.ASSIGN: "交办", Action.RESPOND: "答复办理结果", Action.VISIT: "回访办结",
                 Action.REOPEN: "不满意，重新办理"}


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    BASIC = "basic"
    UNSATISFIED = "unsatisfied"


SATISFACTION_LABELS = {Satisfaction.SATISFIED: "满意", Satisfaction.BASIC: "基本满意",
                       Satisfaction.UNSATISFIED: "不满意"}


class Outcome(StrEnum):
    SOLVED = "solved"          # 问题已解决
    PARTLY = "partly"          # 部分解决
    EXPLAINED = "explained"    # 已解释说明（政策不支持或咨询类）
    UNFOUNDED = "unfounded"    # 经核实反映不属实


OUTCOME_LABELS = {Outcome.SOLVED: "问题已解决", Outcome.PARTLY: "部分解决", Outcome.EXPLAINED: "已解释说明",
                  Outcome.UNFOUNDED: "经核实反映不属实"}


@dataclass(frozen=True, slots=True)
class Move:
    next_state: State
    roles: frozenset[Role]
    needs_reason: bool = False


_OFFICE = frozenset({Role.TOWNSHIP, Role.COUNTY})
_ANY_OWNER = frozenset({Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY})

TRANSITIONS: dict[tuple[State, Action], Move] = {
    (State.RECEIVED, Action.ASSIGN): Move(State.ASSIGNED, _OFFICE),
    (State.ASSIGNED, Action.ASSIGN): Move(State.ASSIGNED, _OFFICE),  # 改派: a new owner, same deadline
    (State.ASSIGNED, Action.RESPOND): Move(State.RESPONDED, _ANY_OWNER),
    (State.RESPONDED, Action.VISIT): Move(State.CLOSED, _OFFICE),
    (State.RESPONDED, Action.REOPEN): Move(State.ASSIGNED, _OFFICE, needs_reason=True),
    (State.CLOSED, Action.REOPEN): Move(State.ASSIGNED, _OFFICE, needs_reason=True),
}


class IllegalMove(Exception):
    """A move the table does not allow; ``str()`` explains it in Chinese."""


def next_state(state: State, action: Action, role: Role, *, reason: str = "",
               satisfaction: Satisfaction | None = None) -> State:
    """The state after ``action`` by ``role``, or IllegalMove saying why not.

    A return visit must record the applicant's satisfaction; reopening needs a reason and is only for
    an applicant who said 不满意 (at this visit, or at the visit that closed the grievance).
    """
    move = TRANSITIONS.get((state, action))
    if move is None:
        raise IllegalMove(f"“{STATE_LABELS[state]}”的诉求不能“{ACTION_LABELS[action]}”")
    if role not in move.roles:
        raise IllegalMove(f"“{ACTION_LABELS[action]}”须由" + "或".join(ROLES[r].label for r in ROLES if r in move.roles)
                          + "用户办理")
    if action is Action.VISIT and satisfaction is None:
        raise IllegalMove("回访须记录群众满意度")
    if action is Action.REOPEN and satisfaction is not Satisfaction.UNSATISFIED:
        raise IllegalMove("只有群众回访“不满意”的诉求才能重新办理")
    if move.needs_reason and not reason.strip():
        raise IllegalMove(f"“{ACTION_LABELS[action]}”须填写理由")
    return move.next_state


def allowed_actions(state: State, role: Role) -> list[Action]:
    return [action for (st, action), move in TRANSITIONS.items() if st == state and role in move.roles]


# ---------------------------------------------------------------- deadlines


@dataclass(frozen=True, slots=True)
class GrievanceRules:
    """Working days allowed: from receipt to the owner's first response; from the response to the visit."""

    response_days: int = 5
    visit_days: int = 5

    def __post_init__(self) -> None:
        if self.response_days < 1 or self.visit_days < 1:
            raise ValueError("response_days and visit_days must be at least 1")


def response_due(received: dt.date, rules: GrievanceRules, cal: WorkCalendar) -> dt.date:
    """The first-response deadline; a reopened grievance gets a fresh one from the day it is reopened."""
    return cal.add_workdays(received, rules.response_days)


def visit_due(responded: dt.date, rules: GrievanceRules, cal: WorkCalendar) -> dt.date:
    return cal.add_workdays(responded, rules.visit_days)


def is_overdue(state: State, due: dt.date | None, today: dt.date) -> bool:
    """Open and past its current deadline (the response while received/assigned, the visit while responded)."""
    return state in OPEN_STATES and due is not None and today > due


# ---------------------------------------------------------------- the ledger's arithmetic


def is_resolved(state: State, satisfaction: Satisfaction | None) -> bool:
    return state is State.CLOSED and satisfaction in (Satisfaction.SATISFIED, Satisfaction.BASIC)


@dataclass(frozen=True, slots=True)
class Tally:
    received: int = 0
    resolved: int = 0
    open: int = 0
    overdue: int = 0
    unsatisfied: int = 0

    @property
    def rate(self) -> float | None:
        """resolved / received, None when nothing was received (never a division by zero)."""
        return self.resolved / self.received if self.received else None

    @property
    def rate_text(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"


@dataclass(frozen=True, slots=True)
class Row:
    """The ledger's view of one grievance."""

    state: State
    satisfaction: Satisfaction | None
    due: dt.date | None


def tally(rows: Iterable[Row], today: dt.date) -> Tally:
    received = resolved = open_ = overdue = unsatisfied = 0
    for r in rows:
        received += 1
        resolved += is_resolved(r.state, r.satisfaction)
        open_ += r.state in OPEN_STATES
        overdue += is_overdue(r.state, r.due, today)
        unsatisfied += r.satisfaction is Satisfaction.UNSATISFIED
    return Tally(received, resolved, open_, overdue, unsatisfied)
