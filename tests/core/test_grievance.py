"""The grievance table, its guards, deadlines in working days, and the ledger's arithmetic (no database)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangpin.core.grievance import (
    OPEN_STATES,
    TRANSITIONS,
    Action,
    GrievanceRules,
    IllegalMove,
    Row,
    Satisfaction,
    State,
    allowed_actions,
    is_overdue,
    is_resolved,
    next_state,
    response_due,
    tally,
    visit_due,
)
from fangpin.core.roles import Role
from fangpin.core.workdays import DEFAULT_CALENDAR, WorkCalendar

V, T, C = Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY


def test_received_assigned_answered_visited_closes():
    state = next_state(State.RECEIVED, Action.ASSIGN, C)
    assert state is State.ASSIGNED
    state = next_state(state, Action.RESPOND, V)  # a village account may own and answer
    assert state is State.RESPONDED
    assert next_state(state, Action.VISIT, T, satisfaction=Satisfaction.BASIC) is State.CLOSED


def test_a_grievance_cannot_be_answered_before_it_is_assigned_or_closed_without_an_answer():
    with pytest.raises(IllegalMove, match="待交办"):
        next_state(State.RECEIVED, Action.RESPOND, C)
    with pytest.raises(IllegalMove, match="办理中"):
        next_state(State.ASSIGNED, Action.VISIT, C, satisfaction=Satisfaction.SATISFIED)


@pytest.mark.parametrize("role", [V, Role.CITY, Role.PROVINCE, Role.DEPARTMENT, Role.INSURER, Role.SYSADMIN])
def test_only_township_and_county_assign(role):
    with pytest.raises(IllegalMove, match="须由乡镇或县级用户办理"):
        next_state(State.RECEIVED, Action.ASSIGN, role)


def test_visit_needs_the_satisfaction():
    with pytest.raises(IllegalMove, match="满意度"):
        next_state(State.RESPONDED, Action.VISIT, C)


@pytest.mark.parametrize("said", [None, Satisfaction.SATISFIED, Satisfaction.BASIC])
def test_only_unsatisfied_reopens(said):
    for state in (State.RESPONDED, State.CLOSED):
        with pytest.raises(IllegalMove, match="不满意"):
            next_state(state, Action.REOPEN, T, reason="群众不认可", satisfaction=said)


def test_reopen_needs_a_reason_and_goes_back_to_the_owner():
    with pytest.raises(IllegalMove, match="理由"):
        next_state(State.CLOSED, Action.REOPEN, C, reason="  ", satisfaction=Satisfaction.UNSATISFIED)
    assert next_state(State.CLOSED, Action.REOPEN, C, reason="补助仍未到账",
                      satisfaction=Satisfaction.UNSATISFIED) is State.ASSIGNED


def test_every_open_state_moves_on_and_a_closed_one_only_reopens():
    assert {st for st, _ in TRANSITIONS} == OPEN_STATES | {State.CLOSED}
    assert [a for st, a in TRANSITIONS if st is State.CLOSED] == [Action.REOPEN]
    assert allowed_actions(State.ASSIGNED, V) == [Action.RESPOND]
    assert set(allowed_actions(State.ASSIGNED, C)) == {Action.ASSIGN, Action.RESPOND}
    assert allowed_actions(State.CLOSED, V) == []


def test_response_due_counts_working_days_over_the_national_day_holiday():
    # received Wed 2026-09-30; 10-01..07 are holidays, Sat 10-10 is a make-up working day
    due = response_due(dt.date(2026, 9, 30), GrievanceRules(response_days=5), DEFAULT_CALENDAR)
    assert due == dt.date(2026, 10, 13)  # 10-08, 10-09, 10-10 (调休), 10-12, 10-13
    assert visit_due(dt.date(2026, 11, 20), GrievanceRules(visit_days=1), WorkCalendar()) == dt.date(2026, 11, 23)


def test_rules_refuse_zero_days():
    with pytest.raises(ValueError):
        GrievanceRules(response_days=0)


def test_overdue_only_while_open_and_after_the_day():
    due = dt.date(2026, 3, 2)
    assert not is_overdue(State.ASSIGNED, due, due)
    assert is_overdue(State.ASSIGNED, due, due + dt.timedelta(days=1))
    assert not is_overdue(State.CLOSED, due, due + dt.timedelta(days=30))
    assert not is_overdue(State.RECEIVED, None, due)


def test_resolved_means_closed_with_satisfied_or_basic():
    assert is_resolved(State.CLOSED, Satisfaction.SATISFIED) and is_resolved(State.CLOSED, Satisfaction.BASIC)
    assert not is_resolved(State.CLOSED, Satisfaction.UNSATISFIED)
    assert not is_resolved(State.RESPONDED, None)


def test_tally_of_the_source_county_gives_its_rate():
    today = dt.date(2026, 6, 1)
    rows = ([Row(State.CLOSED, Satisfaction.SATISFIED, None)] * 50 + [Row(State.CLOSED, Satisfaction.BASIC, None)] * 5
            + [Row(State.ASSIGNED, None, dt.date(2026, 5, 1)), Row(State.RESPONDED, None, dt.date(2026, 6, 5))])
    t = tally(rows, today)
    assert (t.received, t.resolved, t.open, t.overdue, t.unsatisfied) == (57, 55, 2, 1, 0)
    assert t.rate == pytest.approx(55 / 57) and t.rate_text == "96.5%"


def test_tally_of_nothing_has_no_rate():
    assert tally([], dt.date(2026, 1, 1)).rate is None
    assert tally([], dt.date(2026, 1, 1)).rate_text == "—"


_rows = st.lists(st.builds(Row, st.sampled_from(list(State)), st.sampled_from([None, *Satisfaction]),
                           st.one_of(st.none(), st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)))))


@given(_rows, _rows)
def test_tallies_add_up_and_the_rate_stays_a_share(first, second):
    today = dt.date(2026, 6, 30)
    a, b, both = tally(first, today), tally(second, today), tally(first + second, today)
    assert both.received == a.received + b.received and both.resolved == a.resolved + b.resolved
    assert both.overdue == a.overdue + b.overdue and both.overdue <= both.open <= both.received
    assert both.resolved + both.open <= both.received
    assert both.rate is None if not both.received else 0 <= both.rate <= 1
