import pytest

from fangpin.core.roles import Role
from fangpin.core.workflow import (
    OPEN_STATES,
    TRANSITIONS,
    Action,
    IllegalTransition,
    State,
    allowed_actions,
    next_state,
)

V, T, C = Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY
HAPPY_PATH = [
    (State.LEAD, Action.START_VERIFY, V, State.VERIFYING),
    (State.VERIFYING, Action.SUBMIT, V, State.VILLAGE_REVIEW),
    (State.VILLAGE_REVIEW, Action.SUBMIT, V, State.NOTICE),
    (State.NOTICE, Action.SUBMIT, V, State.TOWNSHIP_REVIEW),
    (State.TOWNSHIP_REVIEW, Action.SUBMIT, T, State.COUNTY_DECISION),
    (State.COUNTY_DECISION, Action.SUBMIT, C, State.MONITORING),
]


def test_identification_walks_every_step_in_order():
    state = State.LEAD
    for expected_from, action, role, expected_to in HAPPY_PATH:
        assert state == expected_from
        state = next_state(state, action, role)
        assert state == expected_to


def test_a_step_cannot_be_skipped():
    with pytest.raises(IllegalTransition, match="不能执行"):
        next_state(State.VERIFYING, Action.START_ELIMINATION, V)
    # no action anywhere jumps from a lead straight to monitoring
    assert all(move.next_state != State.MONITORING for (st, _), move in TRANSITIONS.items() if st == State.LEAD)


def test_each_step_belongs_to_its_level():
    with pytest.raises(IllegalTransition, match="乡镇"):
        next_state(State.TOWNSHIP_REVIEW, Action.SUBMIT, V)
    with pytest.raises(IllegalTransition, match="县级"):
        next_state(State.COUNTY_DECISION, Action.SUBMIT, T)


def test_return_and_reject_need_a_reason():
    with pytest.raises(IllegalTransition, match="理由"):
        next_state(State.TOWNSHIP_REVIEW, Action.RETURN, T)
    assert next_state(State.TOWNSHIP_REVIEW, Action.RETURN, T, "收入核算有误") == State.VERIFYING
    assert next_state(State.COUNTY_DECISION, Action.REJECT, C, "不符合条件") == State.REJECTED


def test_substantiated_objection_during_notice_sends_the_case_back():
    assert next_state(State.NOTICE, Action.OBJECTION, V, "群众反映有经营收入") == State.VERIFYING


def test_elimination_path_ends_eliminated_and_failure_keeps_monitoring():
    state = next_state(State.MONITORING, Action.START_ELIMINATION, T)
    for role in (V, V, V, C):
        state = next_state(state, Action.SUBMIT, role)
    assert state == State.ELIMINATED
    assert next_state(State.ELIM_VERIFYING, Action.REJECT, V, "收入不稳定") == State.MONITORING


def test_closed_states_allow_nothing():
    assert State.ELIMINATED not in OPEN_STATES and State.REJECTED not in OPEN_STATES
    for role in Role:
        assert allowed_actions(State.ELIMINATED, role) == []
        assert allowed_actions(State.REJECTED, role) == []


def test_every_open_state_has_a_way_forward():
    for state in OPEN_STATES:
        assert any(st == state for st, _ in TRANSITIONS), state
