"""Laws of the statutory returns, for any inspection date and any caseload drawn from the
lifecycle paths (tests/caseload.py, tests/casebook_annex_a.py)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime
from functools import cache

from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook_annex_a import book
from caseload import caseload
from cpworkflow.errors import BadInputError
from cpworkflow.records import StoredEvent
from cpworkflow.reports.annex_a import LISTS, annex_a
from cpworkflow.reports.census import census_return
from storedlog import CaseLog

inspection_dates = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31))


@cache
def _book() -> tuple[list[StoredEvent], ...]:
    return tuple(book())


@cache
def _caseload() -> tuple[list[StoredEvent], ...]:
    return tuple(caseload(48))


def _day(text: str) -> date:
    return datetime.strptime(text, "%d/%m/%Y").date()


@settings(max_examples=60, deadline=None)
@given(inspection_dates)
def test_no_cell_holds_a_date_after_the_inspection(as_at: date) -> None:
    lists = annex_a(_book(), as_at)

    for number in LISTS:
        for row in lists.table(number):
            dates = [_day(c) for c in row if isinstance(c, str) and c.count("/") == 2]
            assert all(d <= as_at for d in dates), (number, row)


@settings(max_examples=60, deadline=None)
@given(inspection_dates)
def test_rows_belong_to_the_six_months_back_from_the_inspection(as_at: date) -> None:
    lists, start = annex_a(_book(), as_at), as_at - relativedelta(months=6)

    assert all(start <= _day(row[5]) <= as_at for row in lists.table(3))
    for row in lists.table(4):  # authorised in the window, or still open
        assert row[8] == "" or _day(row[8]) >= start
    for row in lists.table(7):  # ended in the window, or in force
        assert row[12] == "" or _day(row[12]) >= start


@settings(max_examples=60, deadline=None)
@given(inspection_dates)
def test_age_is_whole_years_on_the_inspection_date(as_at: date) -> None:
    for number in LISTS:
        for row in annex_a(_book(), as_at).table(number):
            born = _day(str(row[3]))
            assert row[4] == relativedelta(as_at, born).years


@settings(max_examples=25, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=47), min_size=1))
def test_a_child_who_cannot_be_returned_never_changes_the_others(chosen: set[int]) -> None:
    logs = [_caseload()[k] for k in sorted(chosen)]
    unreturnable = CaseLog("X1")
    unreturnable.record("CaseOpened", "2025-06-02", stage="referral", child={"ref": "X1"})

    def children(result_xml: bytes) -> list[str | None]:
        root = ET.fromstring(result_xml)  # noqa: S314 (our own output)
        return [e.text for e in root.iter("LAchildID")]

    try:
        alone = census_return(logs, year=2026)
    except BadInputError as none_in_year:  # a sample of children all outside 2025-26
        assert "no child's CIN episode was open" in str(none_in_year)
        return
    with_it = census_return([*logs, unreturnable.events], year=2026)

    assert children(with_it.xml) == children(alone.xml)
    assert [p.child for p in with_it.problems] == [*(p.child for p in alone.problems), "X1"]
