import datetime as dt

from fangpin.core.workdays import DEFAULT_CALENDAR, WorkCalendar

PLAIN = WorkCalendar()


def test_weekends_are_skipped():
    friday = dt.date(2026, 11, 20)
    assert PLAIN.add_workdays(friday, 1) == dt.date(2026, 11, 23)  # Monday
    assert PLAIN.add_workdays(friday, 5) == dt.date(2026, 11, 27)


def test_zero_days_is_the_start():
    assert PLAIN.add_workdays(dt.date(2026, 11, 21), 0) == dt.date(2026, 11, 21)


def test_national_day_week_and_make_up_saturday():
    # 2026: 1–7 Oct off, Saturday 10 Oct is a make-up working day.
    sep30 = dt.date(2026, 9, 30)
    assert DEFAULT_CALENDAR.add_workdays(sep30, 1) == dt.date(2026, 10, 8)
    assert DEFAULT_CALENDAR.add_workdays(sep30, 3) == dt.date(2026, 10, 10)
    assert DEFAULT_CALENDAR.is_workday(dt.date(2026, 10, 10))


def test_spring_festival_2026_takes_nine_days():
    feb13 = dt.date(2026, 2, 13)  # Friday before; 14 Feb (Saturday) is a make-up day
    assert DEFAULT_CALENDAR.add_workdays(feb13, 1) == dt.date(2026, 2, 14)
    assert DEFAULT_CALENDAR.add_workdays(feb13, 2) == dt.date(2026, 2, 24)


def test_workdays_between_is_inverse_of_add():
    start = dt.date(2026, 4, 1)
    for n in range(0, 30):
        end = DEFAULT_CALENDAR.add_workdays(start, n)
        assert DEFAULT_CALENDAR.workdays_between(start, end) == n
    assert DEFAULT_CALENDAR.workdays_between(dt.date(2026, 4, 10), start) < 0
