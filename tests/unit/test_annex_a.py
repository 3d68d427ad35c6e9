"""Ofsted's Annex A from the hand-built case book (tests/casebook_annex_a.py): every row
and cell written out by hand, compared with the export at the inspection date."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from casebook_annex_a import AS_AT, EXPECTED, HEADERS, SHEETS, book
from caseload import pre_birth_plan
from cpworkflow.reports.annex_a import LISTS, AnnexA, annex_a
from storedlog import CaseLog

openpyxl = pytest.importorskip("openpyxl", reason="reading the workbook needs openpyxl (dev)")


@pytest.fixture(scope="module")
def lists() -> AnnexA:
    return annex_a(book(), AS_AT)


@pytest.mark.parametrize("number", LISTS)
def test_each_list_holds_exactly_the_rows_worked_out_by_hand(lists: AnnexA, number: int) -> None:
    expected = [cells for cells, _ in EXPECTED[number]]

    assert lists.table(number) == expected


@pytest.mark.parametrize("number", LISTS)
def test_tracing_adds_the_case_and_the_events_each_row_came_from(
    lists: AnnexA, number: int
) -> None:
    expected = [(*cells, *source) for cells, source in EXPECTED[number]]

    assert lists.table(number, trace=True) == expected
    assert lists.headers(number, trace=True)[-2:] == ("Case ID", "Source Event Seqs")


def test_the_workbook_opened_again_has_ofsteds_sheets_headers_and_cells(lists: AnnexA) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(lists.xlsx()), read_only=True)

    assert workbook.sheetnames == SHEETS
    for number, name in zip(LISTS, SHEETS, strict=True):
        rows = list(workbook[name].iter_rows(values_only=True))
        assert list(rows[0]) == HEADERS[number]
        cells = [tuple("" if v is None else v for v in row) for row in rows[1:]]
        assert cells == [cells for cells, _ in EXPECTED[number]]


def test_the_same_inspection_date_gives_the_same_bytes() -> None:
    first, again = annex_a(book(), AS_AT), annex_a(book(), AS_AT)

    assert first.xlsx() == again.xlsx()
    assert first.csv(7, trace=True) == again.csv(7, trace=True)


def test_a_list_as_csv_has_ofsteds_headers_and_the_same_cells(lists: AnnexA) -> None:
    rows = list(csv.reader(io.StringIO(lists.csv(5).decode())))

    assert rows[0] == HEADERS[5]
    assert rows[1:] == [[str(c) for c in cells] for cells, _ in EXPECTED[5]]


def test_the_window_is_six_months_back_from_the_inspection_date_both_ends_included() -> None:
    a_day_later = annex_a(book(), date(2026, 3, 3))

    # A5's plan ended on 2 September 2025: six months before 2 March, not before 3 March.
    assert [row[0] for row in a_day_later.table(7)] == ["A6"]
    assert [row[0] for row in a_day_later.table(4)][-1] == "A8"  # authorised 16/09


def test_an_inspection_before_events_does_not_see_them() -> None:
    early = annex_a(book(), date(2025, 11, 20))

    plan = {row[0]: row for row in early.table(7)}
    assert list(plan) == ["A5"]
    referrals = [row[0] for row in early.table(3)]
    assert referrals == ["A1", "A2", "A5", "A6", "A7", "A8"]  # A3 and A4 were referred later
    assert early.table(3)[1][4] == 13  # A2's age on 20 November 2025


def test_a_log_that_cannot_be_read_is_left_out_and_named_while_the_rest_is_listed() -> None:
    broken = CaseLog("Z1")
    broken.record("CaseOpened", "2025-12-01", stage="referral", child={"ref": "Z1"})
    broken.record("AssessmentCompleted", "2025-12-05")  # never started

    lists = annex_a([*book(), broken.events], AS_AT)

    assert [row[0] for row in lists.table(6)] == [cells[0] for cells, _ in EXPECTED[6]]
    assert len(lists.unread) == 1
    assert lists.unread[0].startswith("case Z1: the census needs the start date")


def test_a_traced_workbook_has_the_case_and_seqs_at_the_right_of_each_list(lists: AnnexA) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(lists.xlsx([7], trace=True)), read_only=True)

    assert workbook.sheetnames == ["List 7 - Child protection"]
    rows = list(workbook["List 7 - Child protection"].iter_rows(values_only=True))
    assert list(rows[0]) == [*HEADERS[7], "Case ID", "Source Event Seqs"]
    assert [row[-2:] for row in rows[1:]] == [source for _, source in EXPECTED[7]]


def test_the_12_month_counts_are_of_the_enquiries_and_icpcs_before_the_current_one() -> None:
    log = CaseLog("Q1")
    child = {"ref": "Q1", "birth_date": "2016-01-01", "gender": "M", "disabilities": ["NONE"]}
    log.record("CaseOpened", "2025-03-03", stage="referral", child=child)
    log.record("StrategyMeetingHeld", "2025-03-04", outcome="s47")
    log.record(
        "InitialConferenceHeld", "2025-03-18", stage="closed", decision="no_plan", categories=[]
    )
    log.record("CaseReopened", "2025-10-06", stage="referral")
    log.record("StrategyMeetingHeld", "2025-10-07", outcome="s47")
    log.record(
        "InitialConferenceHeld",
        "2025-10-21",
        stage="cp_plan",
        decision="plan",
        categories=["sexual"],
    )

    lists = annex_a([log.events], AS_AT)

    (enquiry,) = lists.table(5)  # the March enquiry ended before the window
    assert enquiry[6:12] == ("07/10/2025", "b) No", "21/10/2025", "a) Yes", 1, 1)
    (referral,) = lists.table(3)
    assert referral[5] == "06/10/2025" and referral[8] == 1
    (plan,) = lists.table(7)
    assert plan[7:9] == ("d) Sexual abuse", "d) Sexual abuse")


def test_an_unborn_child_has_no_birth_date_or_age_until_born() -> None:
    """The pre-birth path: referred 5 January 2026, born on 14 February."""
    path = pre_birth_plan("U1", date(2026, 1, 5), {"gender": "F"})

    before = annex_a([path.events], date(2026, 2, 10)).table(7)
    after = annex_a([path.events], date(2026, 2, 20)).table(7)

    assert before[0][:5] == ("U1", "c) Not stated/recorded", "t) NOBT", "", "")
    assert after[0][:5] == ("U1", "b) Female", "t) NOBT", "14/02/2026", 0)
