"""Late recording and retractions (DOMAIN.md §5): obligations follow when things happened,
not the order they were typed in. Each "wrong in the first build" test is a bullet of issue
8 and quotes the DOMAIN row it follows."""

from __future__ import annotations

from datetime import date

from casebook import CHAIR, SW, TM, Casebook, cin_meeting
from cpworkflow.lifecycle.obligation import Obligation


def d(text: str) -> date:
    return date.fromisoformat(text)


def chain(book: Casebook, rule: str) -> list[tuple[str, str, str | None, int | None]]:
    """(opened_on, due, met_on, late_by) of each obligation of `rule`, by date."""
    obs = sorted(
        (o for o in book.case.obligations.values() if o.rule == rule),
        key=lambda o: (o.opened_on, o.due),
    )
    return [
        (o.opened_on.isoformat(), o.due.isoformat(), _iso(o.met_on), o.late_by_working_days)
        for o in obs
    ]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def open_ones(book: Casebook, rule: str) -> list[Obligation]:
    return [o for o in book.case.obligations.values() if o.rule == rule and o.is_open]


def test_a_visit_recorded_late_meets_what_was_open_on_its_date_and_opens_no_phantom() -> None:
    """Wrong in the first build: "A visit on 3 February recorded after a visit on 10
    February opens a visit "due 17 February" that shows overdue, although the child was seen
    on the 10th." DOMAIN §5: "a visit recorded late for 3 February never opens a visit due
    17 February when a visit on 10 February is already recorded"."""
    book = Casebook().on_plan()  # ICPC 2025-01-20: T-CP-VISIT due 2025-02-03
    book.record("ChildVisited", "2025-02-10", SW, seen=True)
    book.record("ChildVisited", "2025-02-03", SW, seen=True)  # typed in late
    assert chain(book, "T-CP-VISIT") == [
        ("2025-01-20", "2025-02-03", "2025-02-03", 0),
        ("2025-02-03", "2025-02-17", "2025-02-10", 0),
        ("2025-02-10", "2025-02-24", None, None),
    ]
    assert [o.due for o in open_ones(book, "T-CP-VISIT")] == [d("2025-02-24")]
    assert book.replayed() == book.case


def test_retracting_a_visit_lets_the_next_visit_by_date_meet_what_it_met() -> None:
    """Wrong in the first build: "Retracting the 5 February visit leaves the 10 February
    visit obligation met for good; the 17 February visit should meet it, late by 5 working
    days." DOMAIN §5: "EntryRetracted of a fact that met an obligation reopens that
    obligation; the next satisfying fact by date meets it (late by N), and what the
    retracted fact opened is withdrawn"."""
    book = Casebook().on_plan(on="2025-01-27")  # T-CP-VISIT due 2025-02-10
    book.record("ChildVisited", "2025-02-05", SW, seen=True)  # seq 4
    book.record("ChildVisited", "2025-02-17", SW, seen=True)
    book.record("EntryRetracted", "2025-02-20", SW, seq=4, reason="Recorded on the wrong child")
    # 11, 12, 13, 14 and 17 February: five working days late.
    assert chain(book, "T-CP-VISIT") == [
        ("2025-01-27", "2025-02-10", "2025-02-17", 5),
        ("2025-02-17", "2025-03-03", None, None),
    ]
    assert "4:T-CP-VISIT" in book.events[-1].decision["withdrawn"]
    assert book.replayed() == book.case


def test_record_then_retract_leaves_the_obligations_as_if_never_recorded() -> None:
    with_it, without = Casebook().on_plan(), Casebook().on_plan()
    for book in (with_it, without):
        book.record("ChildVisited", "2025-02-12", SW, seen=True, seen_alone=True)
    with_it.record("ChildVisited", "2025-01-30", SW, seen=True, bedroom_seen=True)  # seq 5
    with_it.record("EntryRetracted", "2025-02-14", SW, seq=5, reason="Wrong child")
    for rule in ("T-CP-VISIT", "T-SEEN-ALONE", "T-BEDROOM"):
        assert chain(with_it, rule) == chain(without, rule), rule


def test_a_visit_dated_before_the_latest_cin_review_but_inside_the_cin_plan_is_accepted() -> None:
    """Wrong in the first build: "A visit dated before the latest CiN review, but inside the
    CiN plan, is refused by G-CHRONOLOGY as 'before the current stage began'." DOMAIN §2:
    "A CiN review meeting ... do[es] not begin a period"."""
    book = Casebook().in_cin()  # the CiN period began with the RCPC of 2025-04-15
    review = cin_meeting("review", TM, next_meeting_date="2025-07-29")
    book.record("ChildInNeedMeetingHeld", "2025-06-17", TM, **review)
    book.record("ChildVisited", "2025-06-02", SW, seen=True)
    # Due 13 May, seen 2 June: 13 working days late (26 May was the spring bank holiday).
    assert chain(book, "T-CIN-VISIT") == [
        ("2025-04-15", "2025-05-13", "2025-06-02", 13),
        ("2025-06-02", "2025-06-30", None, None),
    ]
    refusals = book.refusals("ChildVisited", "2025-04-10", SW, seen=True)
    assert "before the current period began (2025-04-15)" in refusals["G-CHRONOLOGY"].reason


def test_a_core_group_recorded_late_rechains_the_core_groups() -> None:
    book = Casebook().on_plan()  # first core group due 2025-02-03
    book.record("CoreGroupMeetingHeld", "2025-03-10", SW, chair=SW)
    book.record("CoreGroupMeetingHeld", "2025-01-30", TM, chair=TM)  # typed in late
    assert chain(book, "T-CORE-GROUP") == [
        ("2025-01-20", "2025-02-03", "2025-01-30", 0),
        ("2025-01-30", "2025-03-13", "2025-03-10", 0),
        ("2025-03-10", "2025-04-21", None, None),
    ]


def test_an_agency_report_recorded_late_meets_the_reports_obligation_of_its_date() -> None:
    book = Casebook().at_review()  # convened 2025-03-25 for 2025-04-15: reports due 2025-04-08
    book.record("ReviewConferenceHeld", "2025-04-15", CHAIR, chair=CHAIR, decision="continue")
    reports = [o for o in book.case.obligations.values() if o.rule == "T-REPORTS"]
    assert reports[0].lapsed_on == d("2025-04-15")  # missed at the conference
    book.record("AgencyReportReceived", "2025-04-07", SW, agency="School")  # typed in late
    ob = book.case.obligations[reports[0].id]
    assert (ob.met_on, ob.late_by_working_days, ob.lapsed_on) == (d("2025-04-07"), 0, None)
    assert book.replayed() == book.case


def test_the_bedroom_seen_late_rescues_the_obligation_the_conference_marked_missed() -> None:
    book = Casebook().at_review()
    book.record("ReviewConferenceHeld", "2025-04-15", CHAIR, chair=CHAIR, decision="continue")
    first = min(
        (o for o in book.case.obligations.values() if o.rule == "T-BEDROOM"),
        key=lambda o: o.opened_seq,
    )
    assert first.lapsed_on == d("2025-04-15")
    book.record("ChildVisited", "2025-03-20", SW, seen=True, bedroom_seen=True)
    assert book.case.obligations[first.id].met_on == d("2025-03-20")
    second = max(
        (o for o in book.case.obligations.values() if o.rule == "T-BEDROOM"),
        key=lambda o: o.opened_seq,
    )
    assert second.is_open  # the visit before the conference is not the next one's
