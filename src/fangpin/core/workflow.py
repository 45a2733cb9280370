"""The identification and elimination procedures as one transition table.

``TRANSITIONS[(state, action)] → Transition(next_state, roles)``. Services look the move up
here, check the actor's role, and update the case with ``filter(pk=…, state=old).update(…)``
so that two users acting on the same step at once produce exactly one transition.
Any move not in the table raises ``IllegalTransition``: a step cannot be skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fangpin.core.roles import ROLES, Role


class State(StrEnum):
    LEAD = "lead"                        # 线索（申报、走访、部门预警）
    VERIFYING = "verifying"              # 入户核实
    VILLAGE_REVIEW = "village_review"    # 村级民主评议
    NOTICE = "notice"                    # 村内公示
    TOWNSHIP_REVIEW = "township_review"  # 乡镇审核
    COUNTY_DECISION = "county_decision"  # 县级审定
    MONITORING = "monitoring"            # 监测中
    # risk elimination (风险消除) runs its own verify → review → notice → approval path
    ELIM_VERIFYING = "elim_verifying"
    ELIM_REVIEW = "elim_review"
    ELIM_NOTICE = "elim_notice"
    ELIM_DECISION = "elim_decision"
    ELIMINATED = "eliminated"            # 风险已消除（可再次纳入）
    REJECTED = "rejected"                # 不予纳入（记录保留）


STATE_LABELS = {
    State.LEAD: "线索待核实", State.VERIFYING: "入户核实", State.VILLAGE_REVIEW: "村级民主评议",
    State.NOTICE: "村内公示", State.TOWNSHIP_REVIEW: "乡镇审核", State.COUNTY_DECISION: "县级审定",
    State.MONITORING: "监测帮扶中", State.ELIM_VERIFYING: "消除风险核实", State.ELIM_REVIEW: "消除风险评议",
    State.ELIM_NOTICE: "消除风险公示", State.ELIM_DECISION: "消除风险审定", State.ELIMINATED: "风险已消除",
    State.REJECTED: "不予纳入",
}
OPEN_STATES = frozenset(State) - {State.ELIMINATED, State.REJECTED}


class Action(StrEnum):
    START_VERIFY = "start_verify"
    SUBMIT = "submit"      # the step's work is done: move forward
    RETURN = "return"      # send back one step, with a reason
    REJECT = "reject"      # end the case, with a reason; the record stays
    OBJECTION = "objection_upheld"  # a substantiated objection during a notice sends the case back
    START_ELIMINATION = "start_elimination"
    # Not a move: the record that an existing 监测户 (from the ledger) was taken into a case born
    # in MONITORING. It is in no transition, so no one can "adopt" a case forward.
    ADOPT = "adopt"


ACTION_LABELS = {
    Action.START_VERIFY: "开始核实", Action.SUBMIT: "提交", Action.RETURN: "退回", Action.REJECT: "不予纳入",
    Action.OBJECTION: "异议成立", Action.START_ELIMINATION: "启动风险消除", Action.ADOPT: "存量纳入",
}


@dataclass(frozen=True, slots=True)
class Transition:
    next_state: State
    roles: frozenset[Role]
    needs_reason: bool = False


V, T, C = Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY
_village = frozenset({V})
_township = frozenset({T})
_county = frozenset({C})

# The procedure, forward moves first; each forward step can be returned or rejected.
_FORWARD: list[tuple[State, Action, State, frozenset[Role]]] = [
    (State.LEAD, Action.START_VERIFY, State.VERIFYING, _village),
    (State.VERIFYING, Action.SUBMIT, State.VILLAGE_REVIEW, _village),
    (State.VILLAGE_REVIEW, Action.SUBMIT, State.NOTICE, _village),
    (State.NOTICE, Action.SUBMIT, State.TOWNSHIP_REVIEW, _village),
    (State.TOWNSHIP_REVIEW, Action.SUBMIT, State.COUNTY_DECISION, _township),
    (State.COUNTY_DECISION, Action.SUBMIT, State.MONITORING, _county),
    (State.MONITORING, Action.START_ELIMINATION, State.ELIM_VERIFYING, frozenset({V, T, C})),
    (State.ELIM_VERIFYING, Action.SUBMIT, State.ELIM_REVIEW, _village),
    (State.ELIM_REVIEW, Action.SUBMIT, State.ELIM_NOTICE, _village),
    (State.ELIM_NOTICE, Action.SUBMIT, State.ELIM_DECISION, _village),
    (State.ELIM_DECISION, Action.SUBMIT, State.ELIMINATED, _county),
]
# Where a return sends the case, and who may return it.
_RETURNS: dict[State, tuple[State, frozenset[Role]]] = {
    State.VILLAGE_REVIEW: (State.VERIFYING, _village),
    State.NOTICE: (State.VILLAGE_REVIEW, _village),
    State.TOWNSHIP_REVIEW: (State.VERIFYING, _township),
    State.COUNTY_DECISION: (State.TOWNSHIP_REVIEW, _county),
    State.ELIM_REVIEW: (State.ELIM_VERIFYING, _village),
    State.ELIM_NOTICE: (State.ELIM_REVIEW, _village),
    State.ELIM_DECISION: (State.ELIM_VERIFYING, _county),
}
# Who may reject at each step of identification (elimination is "returned", never rejected:
# a household that does not qualify for elimination simply stays in monitoring).
_REJECTS: dict[State, frozenset[Role]] = {
    State.LEAD: _village, State.VERIFYING: _village, State.VILLAGE_REVIEW: _village,
    State.TOWNSHIP_REVIEW: _township, State.COUNTY_DECISION: _county,
}


def _build() -> dict[tuple[State, Action], Transition]:
    table: dict[tuple[State, Action], Transition] = {}
    for state, action, nxt, roles in _FORWARD:
        table[(state, action)] = Transition(nxt, roles)
    for state, (back, roles) in _RETURNS.items():
        table[(state, Action.RETURN)] = Transition(back, roles, needs_reason=True)
    for state, roles in _REJECTS.items():
        table[(state, Action.REJECT)] = Transition(State.REJECTED, roles, needs_reason=True)
    table[(State.NOTICE, Action.OBJECTION)] = Transition(State.VERIFYING, _village, needs_reason=True)
    table[(State.ELIM_NOTICE, Action.OBJECTION)] = Transition(State.MONITORING, _village, needs_reason=True)
    table[(State.ELIM_VERIFYING, Action.REJECT)] = Transition(State.MONITORING, _village, needs_reason=True)
    return table


TRANSITIONS: dict[tuple[State, Action], Transition] = _build()


class IllegalTransition(Exception):
    """A move the procedure does not allow; ``str()`` explains it in Chinese."""


def next_state(state: State, action: Action, role: Role, reason: str = "") -> State:
    """The state after ``action`` by ``role``, or IllegalTransition with the reason it is refused."""
    move = TRANSITIONS.get((state, action))
    if move is None:
        raise IllegalTransition(f"“{STATE_LABELS[state]}”阶段不能执行“{ACTION_LABELS[action]}”")
    if role not in move.roles:
        raise IllegalTransition(f"“{STATE_LABELS[state]}”阶段的“{ACTION_LABELS[action]}”须由"
                                + "或".join(ROLES[r].label for r in sorted(move.roles)) + "用户办理")
    if move.needs_reason and not reason.strip():
        raise IllegalTransition(f"“{ACTION_LABELS[action]}”须填写理由")
    return move.next_state


def allowed_actions(state: State, role: Role) -> list[Action]:
    return [action for (st, action), move in TRANSITIONS.items() if st == state and role in move.roles]
