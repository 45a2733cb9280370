"""Working-day arithmetic for procedure deadlines (法定节假日 and 调休 make-up days configurable)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class WorkCalendar:
    """Weekends are rest days unless listed in ``workdays`` (调休上班); ``holidays`` are rest days."""

    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)

    @classmethod
    def of(cls, holidays: Iterable[dt.date] = (), workdays: Iterable[dt.date] = ()) -> WorkCalendar:
        return cls(frozenset(holidays), frozenset(workdays))

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after ``start`` (``start`` itself not counted)."""
        if n < 0:
            raise ValueError("n must be non-negative")
        day = start
        remaining = n
        while remaining:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when end precedes start."""
        if end < start:
            return -self.workdays_between(end, start)
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_workday(day)
        return count


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


# The State Council's 2025 and 2026 holiday arrangements (2026: 国务院办公厅关于2026年部分节假日安排的通知,
# 2025-11-04, checked against the published text); offices add later years in the UI.
CN_HOLIDAYS_2025 = (
    _days(dt.date(2025, 1, 1), dt.date(2025, 1, 1)) + _days(dt.date(2025, 1, 28), dt.date(2025, 2, 4))
    + _days(dt.date(2025, 4, 4), dt.date(2025, 4, 6)) + _days(dt.date(2025, 5, 1), dt.date(2025, 5, 5))
    + _days(dt.date(2025, 5, 31), dt.date(2025, 6, 2)) + _days(dt.date(2025, 10, 1), dt.date(2025, 10, 8))
)
CN_WORKDAYS_2025 = [dt.date(2025, 1, 26), dt.date(2025, 2, 8), dt.date(2025, 4, 27), dt.date(2025, 9, 28),
                    dt.date(2025, 10, 11)]
CN_HOLIDAYS_2026 = (
    _days(dt.date(2026, 1, 1), dt.date(2026, 1, 3)) + _days(dt.date(2026, 2, 15), dt.date(2026, 2, 23))
    + _days(dt.date(2026, 4, 4), dt.date(2026, 4, 6)) + _days(dt.date(2026, 5, 1), dt.date(2026, 5, 5))
    + _days(dt.date(2026, 6, 19), dt.date(2026, 6, 21)) + _days(dt.date(2026, 9, 25), dt.date(2026, 9, 27))
    + _days(dt.date(2026, 10, 1), dt.date(2026, 10, 7))
)
CN_WORKDAYS_2026 = [dt.date(2026, 1, 4), dt.date(2026, 2, 14), dt.date(2026, 2, 28), dt.date(2026, 5, 9),
                    dt.date(2026, 9, 20), dt.date(2026, 10, 10)]

DEFAULT_CALENDAR = WorkCalendar.of(CN_HOLIDAYS_2025 + CN_HOLIDAYS_2026, CN_WORKDAYS_2025 + CN_WORKDAYS_2026)
