"""Supervision core: threshold rules, campaign phases, the problem table, the monthly summary and 约谈 ranking."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fangpin.core.regions import Level
from fangpin.core.supervision import (
    Actor,
    Campaign,
    CampaignError,
    Comparator,
    IllegalProblemMove,
    Metric,
    MonthRow,
    Phase,
    ProblemAction,
    ProblemFact,
    ProblemState,
    RegionStats,
    Rule,
    SummonsRule,
    breaches,
    check_phases,
    evaluate,
    is_overdue,
    monthly_summary,
    next_problem_state,
    problem_actions,
    repeated,
    rule_in_force,
    summons_list,
)

D = dt.date


def village(code="130633100201", **kw) -> RegionStats:
    return RegionStats(code=code, name=f"村{code[-3:]}", level=Level.VILLAGE, **kw)


def test_village_over_twenty_remaining_is_a_breach_and_twenty_is_not():
    rule = Rule(Metric.REMAINING, Level.VILLAGE, Comparator.GT, Decimal(20))
    assert evaluate(rule, village(remaining=20, population=500)) is None
    breach = evaluate(rule, village(remaining=21, population=500))
    assert breach is not None and breach.value == 21 and "村201" in breach.text


def test_rule_only_applies_to_rows_of_its_level():
    rule = Rule(Metric.REMAINING, Level.TOWNSHIP, Comparator.GT, Decimal(0))
    assert evaluate(rule, village(remaining=99, population=100)) is None


def test_incidence_is_remaining_over_population_in_percent():
    row = village(remaining=8, population=500)
    assert row.incidence == Decimal("1.60")
    rule = Rule(Metric.INCIDENCE, Level.VILLAGE, Comparator.GT, Decimal("1.5"))
    assert evaluate(rule, row).value == Decimal("1.60")
    assert evaluate(rule, village(remaining=7, population=500)) is None  # 1.40 %
    assert village(remaining=3, population=0).incidence == 0  # no population: no division by zero


def test_scale_excess_depends_on_the_county_limit():
    rule = Rule(Metric.SCALE_EXCESS, Level.COUNTY, Comparator.GT, Decimal(0))
    county = RegionStats("130633", "易县", Level.COUNTY, remaining=70, population=1000)
    assert evaluate(rule, county) is not None  # 7 % over 5 %
    deep = RegionStats("130633", "易县", Level.COUNTY, remaining=70, population=1000, scale_limit=Decimal(10))
    assert evaluate(rule, deep) is None


@pytest.mark.parametrize(("comparator", "value", "hit"), [
    (Comparator.GT, 3, False), (Comparator.GE, 3, True), (Comparator.LT, 4, True), (Comparator.LE, 2, False)])
def test_comparators(comparator, value, hit):
    rule = Rule(Metric.OVERDUE_STEPS, Level.VILLAGE, comparator, Decimal(value))
    assert (evaluate(rule, village(overdue_steps=3)) is not None) is hit


def test_villages_without_monitoring_objects_per_township():
    rule = Rule(Metric.VILLAGES_WITHOUT, Level.TOWNSHIP, Comparator.GE, Decimal(1))
    rows = [RegionStats("130633100", "易州镇", Level.TOWNSHIP, villages=5, villages_without=2),
            RegionStats("130633101", "梁格庄镇", Level.TOWNSHIP, villages=5, villages_without=0)]
    assert [b.code for b in breaches([rule], rows)] == ["130633100"]


def test_campaign_rules_apply_only_in_their_phases():
    campaign = Campaign("百日攻坚", (Phase("第一阶段", D(2020, 3, 20), D(2020, 4, 30)),
                                  Phase("第二阶段", D(2020, 5, 1), D(2020, 5, 31))))
    assert rule_in_force(None, "", D(2019, 1, 1))
    assert rule_in_force(campaign, "", D(2020, 4, 30))
    assert not rule_in_force(campaign, "", D(2020, 6, 1))
    assert rule_in_force(campaign, "第二阶段", D(2020, 5, 1))
    assert not rule_in_force(campaign, "第二阶段", D(2020, 4, 1))


def test_overlapping_or_inverted_phases_are_refused_by_name():
    with pytest.raises(CampaignError, match="第一阶段.*第二阶段"):
        check_phases([Phase("第一阶段", D(2020, 3, 20), D(2020, 5, 1)), Phase("第二阶段", D(2020, 5, 1), D(2020, 5, 31))])
    with pytest.raises(CampaignError, match="第三阶段"):
        check_phases([Phase("第三阶段", D(2020, 6, 30), D(2020, 6, 1))])
    check_phases([Phase("a", D(2020, 1, 1), D(2020, 1, 31)), Phase("b", D(2020, 2, 1), D(2020, 2, 28))])


def test_problem_moves_follow_the_table_and_the_party():
    s = next_problem_state(ProblemState.ASSIGNED, ProblemAction.SUBMIT, Actor.OWNER, "已入户核实并纳入监测")
    assert s is ProblemState.SUBMITTED
    assert next_problem_state(s, ProblemAction.SEND_BACK, Actor.SUPERVISOR, "佐证不足") is ProblemState.RETURNED
    assert next_problem_state(ProblemState.RETURNED, ProblemAction.SUBMIT, Actor.OWNER, "补充") is ProblemState.SUBMITTED
    assert next_problem_state(s, ProblemAction.SIGN_OFF, Actor.SUPERVISOR) is ProblemState.CLOSED
    with pytest.raises(IllegalProblemMove, match="督战单位"):
        next_problem_state(s, ProblemAction.SIGN_OFF, Actor.OWNER)
    with pytest.raises(IllegalProblemMove, match="整改情况"):
        next_problem_state(ProblemState.ASSIGNED, ProblemAction.SUBMIT, Actor.OWNER, "  ")
    with pytest.raises(IllegalProblemMove, match="已销号"):
        next_problem_state(ProblemState.CLOSED, ProblemAction.SEND_BACK, Actor.SUPERVISOR, "x")
    assert problem_actions(ProblemState.SUBMITTED, Actor.SUPERVISOR) == [ProblemAction.SIGN_OFF, ProblemAction.SEND_BACK]
    assert problem_actions(ProblemState.SUBMITTED, Actor.OWNER) == []


def test_overdue_counts_open_past_deadline_and_late_sign_offs():
    p = ProblemFact("v1", "remaining", D(2026, 3, 1), D(2026, 3, 15))
    assert not is_overdue(p, D(2026, 3, 15)) and is_overdue(p, D(2026, 3, 16))
    late = ProblemFact("v1", "remaining", D(2026, 3, 1), D(2026, 3, 15), closed=D(2026, 3, 20))
    on_time = ProblemFact("v1", "remaining", D(2026, 3, 1), D(2026, 3, 15), closed=D(2026, 3, 10))
    assert is_overdue(late, D(2026, 4, 1)) and not is_overdue(on_time, D(2026, 4, 1))
    assert not is_overdue(ProblemFact("v1", "k", D(2026, 3, 1), D(2026, 3, 2), cancelled=True), D(2026, 4, 1))


def test_repeated_means_same_region_and_rule_again():
    items = [ProblemFact("v1", "remaining", D(2026, 1, 5), D(2026, 1, 20), closed=D(2026, 1, 10)),
             ProblemFact("v2", "remaining", D(2026, 2, 5), D(2026, 2, 20)),
             ProblemFact("v1", "incidence", D(2026, 2, 6), D(2026, 2, 20)),
             ProblemFact("v1", "remaining", D(2026, 2, 7), D(2026, 2, 20))]
    assert repeated(items) == {3}


def test_monthly_summary_counts_raised_resolved_overdue_per_region():
    items = [ProblemFact("v1", "a", D(2026, 3, 2), D(2026, 3, 10), closed=D(2026, 3, 9)),   # resolved on time
             ProblemFact("v1", "b", D(2026, 3, 2), D(2026, 3, 10)),                          # open, overdue
             ProblemFact("v2", "a", D(2026, 2, 2), D(2026, 2, 10), closed=D(2026, 3, 5)),    # late, resolved in March
             ProblemFact("v3", "a", D(2026, 4, 2), D(2026, 4, 10))]                          # next month
    rows = {r.region: r for r in monthly_summary(items, 2026, 3)}
    assert rows["v1"] == MonthRow("v1", raised=2, resolved=1, overdue=1, repeated=0, open=1)
    assert rows["v2"] == MonthRow("v2", raised=0, resolved=1, overdue=1, repeated=0, open=0)
    assert "v3" not in rows
    # as of the 5th of March the open problem is not yet overdue
    assert {r.region: r.overdue for r in monthly_summary(items, 2026, 3, as_of=D(2026, 3, 5))}["v1"] == 0


def test_summons_ranks_by_weighted_overdue_and_repeated():
    rows = [MonthRow("a", overdue=1, repeated=0), MonthRow("b", overdue=2, repeated=0),
            MonthRow("c", overdue=0, repeated=3), MonthRow("d", overdue=3, repeated=2)]
    out = summons_list(rows, SummonsRule(min_overdue=2, min_repeated=2))
    assert [e.region for e in out] == ["d", "b", "c"]  # 8, 4, 3 — "a" has too few
    assert out[0].score == 8 and len(out[0].reasons) == 2
    assert [e.region for e in summons_list(rows, SummonsRule(min_overdue=2, min_repeated=2, limit=1))] == ["d"]
    # ties: more overdue first
    tie = summons_list([MonthRow("x", overdue=0, repeated=4), MonthRow("y", overdue=2, repeated=0)],
                       SummonsRule(min_overdue=2, min_repeated=2))
    assert [e.region for e in tie] == ["y", "x"]


def test_monthly_summary_rolled_up_to_counties():
    items = [ProblemFact("130633100201", "a", D(2026, 3, 2), D(2026, 3, 5)),
             ProblemFact("130633101201", "a", D(2026, 3, 2), D(2026, 3, 5)),
             ProblemFact("130633", "b", D(2026, 3, 3), D(2026, 3, 20)),
             ProblemFact("1306", "b", D(2026, 3, 3), D(2026, 3, 20)),
             ProblemFact("130623100201", "a", D(2026, 3, 2), D(2026, 3, 25))]
    rows = {r.region: r for r in monthly_summary(items, 2026, 3, as_of=D(2026, 3, 10), roll_up=6)}
    assert set(rows) == {"130633", "1306", "130623"}
    assert (rows["130633"].raised, rows["130633"].overdue, rows["130633"].repeated) == (3, 2, 0)
    assert [e.region for e in summons_list(rows.values(), SummonsRule(min_overdue=2))] == ["130633"]
