"""Working days (DOMAIN.md §5): weekdays less the nation's bank holidays and the pack's
closure days; "N working days after D" is the Nth working day after D."""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpworkflow.errors import BadInputError
from cpworkflow.policy.workingdays import WorkingCalendar, add_months

ENGLAND = WorkingCalendar()
SCOTLAND = WorkingCalendar("scotland")
CALENDARS = [ENGLAND, SCOTLAND, WorkingCalendar("wales"), WorkingCalendar("northern_ireland")]

dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
steps = st.integers(min_value=1, max_value=400)
calendars = st.sampled_from(CALENDARS)


def one_day_at_a_time(cal: WorkingCalendar, start: date, n: int) -> date:
    """The obvious, slow definition that `add` must agree with."""
    day, left, step = start, abs(n), 1 if n > 0 else -1
    while left:
        day += timedelta(days=step)
        left -= cal.is_working_day(day)
    return day


# -- known dates ----------------------------------------------------------------------


def test_five_working_days_after_12_september_2022_skip_the_queens_state_funeral() -> None:
    assert not ENGLAND.is_working_day(date(2022, 9, 19))
    assert ENGLAND.add(date(2022, 9, 12), 5) == date(2022, 9, 20)


def test_five_working_days_after_maundy_thursday_2025_skip_good_friday_and_easter_monday() -> None:
    assert ENGLAND.add(date(2025, 4, 17), 5) == date(2025, 4, 28)


@pytest.mark.parametrize(
    ("n", "expected"),
    [(5, date(2025, 12, 30)), (10, date(2026, 1, 7)), (20, date(2026, 1, 21))],
)
def test_working_days_after_19_december_2025_skip_christmas_boxing_day_and_new_year(
    n: int, expected: date
) -> None:
    assert ENGLAND.add(date(2025, 12, 19), n) == expected


def test_scotland_takes_2_january_as_a_bank_holiday_and_england_does_not() -> None:
    assert not SCOTLAND.is_working_day(date(2026, 1, 2))
    assert ENGLAND.is_working_day(date(2026, 1, 2))
    assert SCOTLAND.add(date(2025, 12, 31), 1) == date(2026, 1, 5)
    assert ENGLAND.add(date(2025, 12, 31), 1) == date(2026, 1, 2)


def test_northern_ireland_takes_st_patricks_day_and_the_twelfth() -> None:
    ulster = WorkingCalendar("northern_ireland")
    assert not ulster.is_working_day(date(2025, 3, 17))
    assert not ulster.is_working_day(date(2025, 7, 14))  # the Twelfth, observed on Monday
    assert ENGLAND.is_working_day(date(2025, 3, 17))


def test_a_closure_day_of_the_pack_is_not_a_working_day() -> None:
    closed = WorkingCalendar("england", closure_days=[date(2025, 12, 29)])
    assert not closed.is_working_day(date(2025, 12, 29))
    assert closed.add(date(2025, 12, 19), 5) == date(2025, 12, 31)
    assert closed.working_days_between(date(2025, 12, 19), date(2025, 12, 31)) == 5


def test_weekends_are_not_working_days() -> None:
    assert not ENGLAND.is_working_day(date(2025, 3, 1))  # Saturday
    assert not ENGLAND.is_working_day(date(2025, 3, 2))  # Sunday
    assert ENGLAND.add(date(2025, 2, 28), 1) == date(2025, 3, 3)


def test_the_start_day_never_counts_and_zero_days_is_the_start_itself() -> None:
    assert ENGLAND.add(date(2025, 3, 3), 1) == date(2025, 3, 4)
    assert ENGLAND.add(date(2025, 3, 1), 0) == date(2025, 3, 1)


def test_counting_back_5_working_days_from_28_april_2025_skips_easter() -> None:
    assert ENGLAND.add(date(2025, 4, 28), -5) == date(2025, 4, 17)


def test_late_by_counts_the_working_days_after_the_due_date_up_to_the_day_met() -> None:
    due = date(2025, 12, 19)
    assert ENGLAND.working_days_between(due, due) == 0
    assert ENGLAND.working_days_between(due, date(2025, 12, 22)) == 1
    assert ENGLAND.working_days_between(due, date(2025, 12, 28)) == 3  # Sunday after Christmas
    assert ENGLAND.working_days_between(due, date(2026, 1, 7)) == 10
    assert ENGLAND.working_days_between(due, date(2025, 12, 1)) == 0


def test_an_unknown_nation_is_refused_naming_the_field() -> None:
    with pytest.raises(BadInputError, match="unknown nation 'cornwall'") as error:
        WorkingCalendar("cornwall")
    assert error.value.field == "nation"


# -- laws -----------------------------------------------------------------------------


@given(cal=calendars, start=dates, n=st.integers(min_value=-400, max_value=400))
def test_add_agrees_with_counting_one_day_at_a_time(
    cal: WorkingCalendar, start: date, n: int
) -> None:
    assert cal.add(start, n) == one_day_at_a_time(cal, start, n)


@given(cal=calendars, start=dates, n=steps)
def test_n_working_days_after_or_before_a_date_is_a_working_day(
    cal: WorkingCalendar, start: date, n: int
) -> None:
    assert cal.is_working_day(cal.add(start, n))
    assert cal.is_working_day(cal.add(start, -n))


@given(cal=calendars, start=dates, n=st.integers(-400, 399))
def test_add_is_strictly_increasing_in_n(cal: WorkingCalendar, start: date, n: int) -> None:
    assert cal.add(start, n) < cal.add(start, n + 1)


@given(cal=calendars, start=dates, n=st.integers(min_value=0, max_value=400))
def test_the_working_days_between_a_date_and_n_working_days_after_it_are_n(
    cal: WorkingCalendar, start: date, n: int
) -> None:
    assert cal.working_days_between(start, cal.add(start, n)) == n


@given(cal=calendars, start=dates, n=steps)
def test_counting_n_forward_then_n_back_lands_on_the_last_working_day_on_or_before_start(
    cal: WorkingCalendar, start: date, n: int
) -> None:
    last_on_or_before = start if cal.is_working_day(start) else cal.add(start, -1)
    assert cal.add(cal.add(start, n), -n) == last_on_or_before


@given(cal=calendars, start=dates, n=steps)
def test_counting_n_back_then_n_forward_lands_on_the_first_working_day_on_or_after_start(
    cal: WorkingCalendar, start: date, n: int
) -> None:
    first_on_or_after = start if cal.is_working_day(start) else cal.add(start, 1)
    assert cal.add(cal.add(start, -n), n) == first_on_or_after


@given(cal=calendars, a=dates, b=dates, c=dates)
def test_working_days_between_adds_up_over_consecutive_spans(
    cal: WorkingCalendar, a: date, b: date, c: date
) -> None:
    a, b, c = sorted((a, b, c))
    assert cal.working_days_between(a, b) + cal.working_days_between(b, c) == (
        cal.working_days_between(a, c)
    )


@given(cal=calendars, start=dates, days=st.integers(min_value=0, max_value=60))
def test_working_days_between_counts_the_working_days_after_start_up_to_end(
    cal: WorkingCalendar, start: date, days: int
) -> None:
    span = [start + timedelta(days=i) for i in range(1, days + 1)]
    expected = sum(cal.is_working_day(d) for d in span)
    assert cal.working_days_between(start, start + timedelta(days=days)) == expected


# -- calendar months ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 3, 4), 3, date(2025, 6, 4)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2024, 2, 29), 24, date(2026, 2, 28)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 1, 15), -13, date(2023, 12, 15)),
    ],
)
def test_calendar_months_are_clamped_to_the_end_of_a_shorter_month(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected


@given(start=dates, months=st.integers(min_value=-240, max_value=240))
def test_adding_months_moves_the_month_by_exactly_that_many_and_never_grows_the_day(
    start: date, months: int
) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day == min(start.day, monthrange(result.year, result.month)[1])
    assert result.day <= start.day


@given(start=dates, a=st.integers(0, 60), b=st.integers(0, 60))
def test_adding_months_in_two_steps_never_lands_after_adding_them_at_once(
    start: date, a: int, b: int
) -> None:
    assert add_months(add_months(start, a), b) <= add_months(start, a + b)
