"""Follow-up arithmetic of risk elimination: months above the line, the next follow-up's due date."""

from datetime import date
from decimal import Decimal as D

from fangpin.core.elimination import add_months, followup_due, months_above_line, whole_months

LINE = D("7300")


def test_brief_example_three_visits_above_line_is_six_months():
    obs = [(date(2026, 1, 10), D("8000")), (date(2026, 4, 12), D("8100")), (date(2026, 7, 9), D("8200"))]
    # 01-10 → 07-09 is one day short of six months: within the week's grace for the visit date
    assert months_above_line(obs, LINE) == 6


def test_order_of_observations_does_not_matter():
    obs = [(date(2026, 7, 9), D("8200")), (date(2026, 1, 10), D("8000")), (date(2026, 4, 12), D("8100"))]
    assert months_above_line(obs, LINE) == 6


def test_a_below_line_visit_resets_the_run():
    obs = [(date(2026, 1, 10), D("8000")), (date(2026, 3, 10), D("7000")),  # below: reset
           (date(2026, 4, 10), D("7300")), (date(2026, 7, 10), D("9000"))]
    # the run starts again on 04-10 (exactly at the line counts as not below): 04-10 → 07-10 = 3
    assert months_above_line(obs, LINE) == 3


def test_latest_visit_below_line_gives_zero_and_single_visit_gives_zero():
    assert months_above_line([(date(2026, 1, 10), D("9000")), (date(2026, 8, 1), D("7299.99"))], LINE) == 0
    assert months_above_line([(date(2026, 1, 10), D("9000"))], LINE) == 0
    assert months_above_line([], LINE) == 0


def test_two_visits_on_one_day_the_lower_income_counts():
    obs = [(date(2026, 1, 10), D("8000")), (date(2026, 7, 10), D("9000")), (date(2026, 7, 10), D("7000"))]
    assert months_above_line(obs, LINE) == 0


def test_month_end_dates():
    # 01-31 + 5 months = 06-30, + 6 = 07-31: 07-01 is far short of the sixth month
    assert whole_months(date(2026, 1, 31), date(2026, 7, 1)) == 5
    # 08-31 + 6 months clamps to 02-28 (2027 is not a leap year): exactly six months
    assert whole_months(date(2026, 8, 31), date(2027, 2, 28)) == 6
    # 2027-08-31 + 6 months = 2028-02-29 (leap year); 02-21 is within the grace, 02-20 is not
    assert whole_months(date(2027, 8, 31), date(2028, 2, 22)) == 6
    assert whole_months(date(2027, 8, 31), date(2028, 2, 21)) == 5
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


def test_run_across_year_end():
    obs = [(date(2025, 11, 20), D("7400")), (date(2026, 2, 18), D("7500")), (date(2026, 5, 20), D("7600"))]
    assert months_above_line(obs, LINE) == 6


def test_followup_due_from_last_visit_or_monitoring_date():
    d = followup_due(date(2026, 3, 1), date(2026, 1, 5), 30, today=date(2026, 3, 20))
    assert (d.due, d.overdue, d.days_overdue, d.due_soon) == (date(2026, 3, 31), False, 0, False)
    d = followup_due(None, date(2026, 1, 5), 30, today=date(2026, 2, 10))
    # 01-05 + 30 days = 02-04; 02-10 is six days late
    assert (d.due, d.overdue, d.days_overdue, d.due_soon) == (date(2026, 2, 4), True, 6, True)
    d = followup_due(date(2026, 3, 1), None, 30, today=date(2026, 3, 24))  # due in 7 days: shown as due soon
    assert (d.overdue, d.due_soon) == (False, True)
    assert followup_due(None, None, 30, today=date(2026, 3, 24)).due is None
