"""Working days (DOMAIN.md §5): weekdays that are neither a bank holiday of the case's
nation nor a closure day of the pack. Pure: no clock; the `holidays` calendar is pinned.

"N working days after D" is the Nth working day after D; D itself never counts. Counting
is arithmetic over weekday indexes, then corrected for the holidays in the range, so
`add` costs a few bisections however large N is. Each calendar also remembers its answers
(the same due dates and lateness are asked for again and again across a caseload).
"""

from __future__ import annotations

from bisect import bisect_right
from calendar import monthrange
from collections.abc import Iterable
from datetime import date
from functools import cache
from typing import Any

from cpworkflow.errors import BadInputError
from cpworkflow.policy import bank_holiday_table

# Nation (the pack's word) → subdivision of the `holidays` United Kingdom calendar.
SUBDIVISIONS: dict[str, str] = {
    "england": "ENG",
    "wales": "WLS",
    "scotland": "SCT",
    "northern_ireland": "NIR",
}


@cache
def bank_holidays(subdiv: str, year: int) -> frozenset[date]:
    """The bank holidays of one UK subdivision that fall in `year` (observed days included):
    from the table made from `holidays` (scripts/bank_holidays.py), or outside its years from
    `holidays` itself, asked for the neighbouring years too in case a holiday is observed
    across New Year."""
    table = bank_holiday_table
    if table.FIRST_YEAR <= year <= table.LAST_YEAR:
        days = table.DAYS[subdiv][year].split()
        return frozenset(date(year, int(mmdd[:2]), int(mmdd[2:])) for mmdd in days)
    import holidays  # some 100 ms: it imports every country's module to give one

    found = holidays.country_holidays("GB", subdiv=subdiv, years=(year - 1, year, year + 1))
    return frozenset(d for d in found if d.year == year)


def _weekdays_through(ordinal: int) -> int:
    """How many weekdays lie in ordinals 1..ordinal (ordinal 1, 0001-01-01, is a Monday)."""
    weeks, rest = divmod(ordinal - 1, 7)
    return 5 * weeks + min(rest + 1, 5)


def _nth_weekday(k: int) -> int:
    """The ordinal of the k-th weekday counted from 0001-01-01 (k >= 1)."""
    weeks, rest = divmod(k - 1, 5)
    return 7 * weeks + rest + 1


class WorkingCalendar:
    """The working days of one nation, less the pack's closure days."""

    def __init__(self, nation: str = "england", closure_days: Iterable[date] = ()) -> None:
        if nation not in SUBDIVISIONS:
            known = ", ".join(SUBDIVISIONS)
            raise BadInputError(
                f"unknown nation {nation!r} (expected one of: {known})", field="nation"
            )
        self.nation = nation
        self.closure_days = frozenset(closure_days)
        self._subdiv = SUBDIVISIONS[nation]
        self._off: dict[int, tuple[int, ...]] = {}  # year → sorted ordinals of weekdays off
        self._off_set: dict[int, frozenset[int]] = {}
        # Answers already given: (start ordinal, n) → date, (start, end ordinals) → count.
        self._added: dict[tuple[int, int], date] = {}
        self._between: dict[tuple[int, int], int] = {}

    def __repr__(self) -> str:
        return f"WorkingCalendar({self.nation!r}, closure_days={sorted(self.closure_days)!r})"

    def _year(self, year: int) -> tuple[int, ...]:
        off = self._off.get(year)
        if off is None:
            days = bank_holidays(self._subdiv, year) | {
                d for d in self.closure_days if d.year == year
            }
            off = tuple(sorted(d.toordinal() for d in days if d.weekday() < 5))
            self._off[year] = off
            self._off_set[year] = frozenset(off)
        return off

    def _off_between(self, after: int, through: int) -> int:
        """How many weekdays off lie in ordinals after < o <= through."""
        if through <= after:
            return 0
        total = 0
        for year in range(date.fromordinal(after + 1).year, date.fromordinal(through).year + 1):
            off = self._year(year)
            total += bisect_right(off, through) - bisect_right(off, after)
        return total

    def is_working_day(self, d: date) -> bool:
        if d.weekday() >= 5:
            return False
        self._year(d.year)
        return d.toordinal() not in self._off_set[d.year]

    def add(self, start: date, n: int) -> date:
        """n > 0: the nth working day after `start`; n < 0: the |n|th working day before it;
        n == 0: `start` itself (working day or not)."""
        if n == 0:
            return start
        key = (start.toordinal(), n)
        found = self._added.get(key)
        if found is None:
            found = self._add(key[0], n)
            _remember(self._added, key, found)
        return found

    def _add(self, s: int, n: int) -> date:
        # Guess the weekday as if there were no holidays, then move on by the holidays
        # passed on the way until the count of holidays in range stops growing. The least
        # such fixed point is always a working day (see tests/unit/test_workingdays.py).
        skipped = 0
        if n > 0:
            first = _weekdays_through(s)
            while True:
                o = _nth_weekday(first + n + skipped)
                off = self._off_between(s, o)
                if off == skipped:
                    return date.fromordinal(o)
                skipped = off
        last = _weekdays_through(s - 1)
        while True:
            o = _nth_weekday(last + n - skipped + 1)
            off = self._off_between(o - 1, s - 1)
            if off == skipped:
                return date.fromordinal(o)
            skipped = off

    def working_days_between(self, start: date, end: date) -> int:
        """The number of working days d with start < d <= end (0 if end <= start): how late,
        in working days, something due on `start` and done on `end` was."""
        key = s, e = start.toordinal(), end.toordinal()
        if e <= s:
            return 0
        found = self._between.get(key)
        if found is None:
            found = _weekdays_through(e) - _weekdays_through(s) - self._off_between(s, e)
            _remember(self._between, key, found)
        return found


_REMEMBERED = 1 << 16  # answers kept per calendar and question, before starting afresh


def _remember(answers: dict[tuple[int, int], Any], key: tuple[int, int], value: Any) -> None:
    if len(answers) >= _REMEMBERED:
        answers.clear()
    answers[key] = value


def add_months(d: date, months: int) -> date:
    """Calendar months, clamped to the month's end: 31 Jan + 1 month is 28 (or 29) Feb."""
    year, month0 = divmod(d.year * 12 + d.month - 1 + months, 12)
    return date(year, month0 + 1, min(d.day, monthrange(year, month0 + 1)[1]))
