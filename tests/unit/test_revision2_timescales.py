"""Revision 2 timescales (DOMAIN.md §5, §7), each with a due date worked out by hand on the
England calendar of 2025 (bank holidays: Good Friday 18 April, Easter Monday 21 April,
5 May, 26 May), and the first build's mistakes they correct."""

from __future__ import annotations

from datetime import date

from casebook import (
    CHAIR,
    SW,
    TM,
    Casebook,
    cin_meeting,
)
from cpworkflow.lifecycle.obligation import Obligation
from cpworkflow.reports.audit import audit


def d(text: str) -> date:
    return date.fromisoformat(text)


def only(book: Casebook, rule: str) -> Obligation:
    found = [o for o in book.case.obligations.values() if o.rule == rule]
    assert len(found) == 1, found
    return found[0]


def first(book: Casebook, rule: str) -> Obligation:
    return min(
        (o for o in book.case.obligations.values() if o.rule == rule), key=lambda o: o.opened_seq
    )


def latest(book: Casebook, rule: str) -> Obligation:
    return max(
        (o for o in book.case.obligations.values() if o.rule == rule), key=lambda o: o.opened_seq
    )


PLAN = {"chair": CHAIR, "decision": "plan", "categories": ["neglect"], "lead_social_worker": SW}


def in_enquiry(on: str = "2025-04-14") -> Casebook:
    book = Casebook()
    book.opened(on="2025-04-10")
    book.record("StrategyMeetingHeld", on, TM, outcome="s47")
    return book


# -- T-ICPC, T-ICPC-REPORTS: before the initial conference ---------------------------------


def test_the_icpc_is_due_15_working_days_after_the_s47_strategy_meeting() -> None:
    """DOMAIN §5 T-ICPC: "15 working days after the strategy meeting that started the s47
    enquiry". From Monday 14 April: 15, 16, 17, (Good Friday, Easter Monday), 22-25, 28-30,
    1, 2 May, (5 May), 6, 7, 8 May: due Thursday 8 May."""
    book = in_enquiry()
    ob = only(book, "T-ICPC")
    assert (ob.due, ob.owner_role) == (d("2025-05-08"), "team_manager")
    book.record("InitialConferenceHeld", "2025-05-09", CHAIR, **PLAN)
    ob = only(book, "T-ICPC")
    assert (ob.met_on, ob.late_by_working_days) == (d("2025-05-09"), 1)


def test_the_icpc_obligation_lapses_when_a_later_strategy_meeting_ends_the_enquiry() -> None:
    book = in_enquiry()
    book.record("StrategyMeetingHeld", "2025-04-16", TM, outcome="s17")
    assert only(book, "T-ICPC").lapsed_on == d("2025-04-16")


def test_agency_reports_reach_the_chair_two_working_days_before_the_icpc() -> None:
    """Wrong in the first build: "Agency reports before an ICPC are refused." DOMAIN §2:
    "Agency reports and InitialConferenceConvened are accepted in referral too (reports
    reach the chair before an ICPC, 001)"; §5 T-ICPC-REPORTS: 2 working days before. Before
    Tuesday 22 April: (Easter Monday, Good Friday), Thursday 17, Wednesday 16 April."""
    book = in_enquiry()
    book.record("InitialConferenceConvened", "2025-04-14", CHAIR, conference_date="2025-04-22")
    ob = only(book, "T-ICPC-REPORTS")
    assert (ob.due, ob.owner_role) == (d("2025-04-16"), "cp_chair")
    case = book.record("AgencyReportReceived", "2025-04-17", SW, agency="School")
    assert case.stage == "referral"
    ob = only(book, "T-ICPC-REPORTS")
    assert (ob.met_on, ob.late_by_working_days) == (d("2025-04-17"), 1)


def test_reports_not_in_by_the_icpc_are_missed() -> None:
    book = in_enquiry()
    book.record("InitialConferenceConvened", "2025-04-14", CHAIR, conference_date="2025-04-22")
    book.record("InitialConferenceHeld", "2025-04-22", CHAIR, **PLAN)
    assert only(book, "T-ICPC-REPORTS").lapsed_on == d("2025-04-22")


# -- T-SEEN-ALONE ----------------------------------------------------------------------------


def test_the_child_is_seen_alone_at_least_every_six_weeks_on_a_plan() -> None:
    """DOMAIN §5 T-SEEN-ALONE: "at least every 6 weeks while on a plan". From an ICPC on
    10 March: 21 April, Easter Monday (calendar weeks: not moved); seen alone on 22 April,
    one working day late."""
    book = Casebook().on_plan(on="2025-03-10")
    assert only(book, "T-SEEN-ALONE").due == d("2025-04-21")
    book.record("ChildVisited", "2025-04-01", SW, seen=True, seen_alone=False)
    assert only(book, "T-SEEN-ALONE").is_open  # seen, not alone: T-CP-VISIT's only
    book.record("ChildVisited", "2025-04-22", SW, seen=True, seen_alone=True)
    first = min(
        (o for o in book.case.obligations.values() if o.rule == "T-SEEN-ALONE"),
        key=lambda o: o.opened_seq,
    )
    assert (first.met_on, first.late_by_working_days) == (d("2025-04-22"), 1)
    assert latest(book, "T-SEEN-ALONE").due == d("2025-06-03")


def test_a_baby_seen_awake_counts_as_seen_alone_and_an_older_child_does_not() -> None:
    """DOMAIN §5 T-SEEN-ALONE: "the child seen alone, or a baby (under 1) seen awake"."""
    baby = Casebook().on_plan(on="2025-03-10", birth_date="2024-12-01")
    baby.record("ChildVisited", "2025-04-01", SW, seen=True, seen_awake=True)
    assert first(baby, "T-SEEN-ALONE").met_on == d("2025-04-01")
    older = Casebook().on_plan(on="2025-03-10")  # born 2015
    older.record("ChildVisited", "2025-04-01", SW, seen=True, seen_awake=True)
    assert only(older, "T-SEEN-ALONE").is_open


def test_seeing_a_pre_birth_child_alone_falls_due_only_once_it_is_born() -> None:
    """DOMAIN §5 T-SEEN-ALONE: "not before a pre-birth child is born ... plan in force /
    ChildBorn → ChildVisited". Born 2 April: due six weeks on, 14 May."""
    book = Casebook(case_id="C9")
    book.record(
        "CaseOpened", "2025-01-06", SW, child={"ref": "C9", "expected_birth_date": "2025-04-01"}
    )
    book.record("StrategyMeetingHeld", "2025-01-07", TM, outcome="s47")
    book.record("InitialConferenceHeld", "2025-03-10", CHAIR, **PLAN, pre_birth=True)
    assert not [o for o in book.case.obligations.values() if o.rule == "T-SEEN-ALONE"]
    book.record("ChildBorn", "2025-04-02", SW, birth_date="2025-04-02")
    assert only(book, "T-SEEN-ALONE").due == d("2025-05-14")
    book.record("ChildVisited", "2025-04-10", SW, seen=True, seen_awake=True)
    assert first(book, "T-SEEN-ALONE").met_on == d("2025-04-10")


def test_the_conference_may_set_the_visiting_interval() -> None:
    """DOMAIN §5 T-CP-VISIT: "or the interval the last conference set"."""
    book = Casebook()
    book.opened()
    book.record("StrategyMeetingHeld", "2025-01-07", TM, outcome="s47")
    book.record("InitialConferenceHeld", "2025-01-20", CHAIR, **PLAN, visiting_interval_weeks=1)
    assert only(book, "T-CP-VISIT").due == d("2025-01-27")
    book.record("ChildVisited", "2025-01-24", SW, seen=True)
    assert latest(book, "T-CP-VISIT").due == d("2025-01-31")


# -- T-CORE-GROUP-RCPC -----------------------------------------------------------------------


def test_a_core_group_falls_due_two_weeks_before_each_rcpc() -> None:
    """DOMAIN §5 T-CORE-GROUP-RCPC: "a core group at least 2 weeks (14 days) before each
    RCPC". RCPC on 6 May: due 22 April (calendar days; Easter Monday does not move it)."""
    book = Casebook().on_plan()
    book.record("ReviewConferenceConvened", "2025-04-01", CHAIR, conference_date="2025-05-06")
    ob = only(book, "T-CORE-GROUP-RCPC")
    assert (ob.due, ob.owner_role) == (d("2025-04-22"), "social_worker")
    book.record("CoreGroupMeetingHeld", "2025-04-24", SW, chair=SW)
    assert only(book, "T-CORE-GROUP-RCPC").is_open  # too close to the conference
    book.record("CoreGroupMeetingHeld", "2025-04-22", SW, chair=SW)  # recorded late
    assert only(book, "T-CORE-GROUP-RCPC").met_on == d("2025-04-22")


def test_without_a_core_group_two_weeks_before_the_rcpc_it_is_missed_at_the_rcpc() -> None:
    book = Casebook().on_plan()
    book.record("ReviewConferenceConvened", "2025-04-01", CHAIR, conference_date="2025-05-06")
    book.record("ReviewConferenceHeld", "2025-05-06", CHAIR, chair=CHAIR, decision="continue")
    assert only(book, "T-CORE-GROUP-RCPC").lapsed_on == d("2025-05-06")


# -- T-FIRST-CIN on the s17 path ----------------------------------------------------------------


def test_on_the_s17_path_the_first_cin_meeting_is_the_social_workers_in_10_working_days() -> None:
    """DOMAIN §5 T-FIRST-CIN: "on the s17 path (no conference): 10 working days after the
    s17 strategy meeting, owned by the social worker". From Monday 19 May: 20-23, (26 May),
    27-30, 2, 3 June: due Tuesday 3 June."""
    book = Casebook()
    book.opened(on="2025-05-12")
    book.record("StrategyMeetingHeld", "2025-05-19", TM, outcome="s17")
    ob = only(book, "T-FIRST-CIN")
    assert (ob.due, ob.owner_role) == (d("2025-06-03"), "social_worker")
    meeting = cin_meeting(chair=SW, next_meeting_date="2025-07-01")
    book.record("ChildInNeedMeetingHeld", "2025-06-02", SW, **meeting)
    assert only(book, "T-FIRST-CIN").status(d("2025-06-10")) == "met"


# -- T-BEDROOM missed, T-CIN-PLAN all three -------------------------------------------------------


def test_a_conference_before_the_bedroom_was_seen_makes_it_missed_never_not_needed() -> None:
    """Wrong in the first build: "A conference held before the bedroom was seen reports
    T-BEDROOM as 'not needed'." DOMAIN §5 T-BEDROOM: "a conference held while it is still
    open makes it missed (late by the working days from its due date, or 0 if the conference
    came before it), never 'not needed'"."""
    book = Casebook().at_review()  # T-BEDROOM due with the first RCPC, 2025-04-20
    book.record("ReviewConferenceHeld", "2025-04-15", CHAIR, chair=CHAIR, decision="continue")
    report = audit(book.case, book.events, [], book.pack.calendar(), d("2025-05-01"))
    bedroom = [o for o in report["obligations"] if o["rule"] == "T-BEDROOM" and o["lapsed_on"]]
    assert [(o["missed"], o["late_by_working_days"]) for o in bedroom] == [(True, 0)]


def test_a_cin_plan_circulated_to_the_family_only_does_not_meet_t_cin_plan() -> None:
    """Wrong in the first build: "A CiN plan circulated to the family only meets T-CIN-PLAN."
    DOMAIN §5 T-CIN-PLAN: "circulation to the child, the family and the agencies (all
    three, in one ChildInNeedPlanCirculated or several)"."""
    book = Casebook().stepped_down()
    book.record("ChildInNeedPlanRecorded", "2025-04-16", SW)
    book.record("ChildInNeedPlanCirculated", "2025-04-17", SW, recipients=["family"])
    assert latest(book, "T-CIN-PLAN").is_open
    book.record("ChildInNeedPlanCirculated", "2025-04-18", SW, recipients=["child", "agencies"])
    assert latest(book, "T-CIN-PLAN").met_on == d("2025-04-18")


# -- waivers in the audit ---------------------------------------------------------------


def test_the_audit_names_the_event_that_used_a_waiver() -> None:
    """Wrong in the first build: "the audit then says a different event used it". DOMAIN §3
    RuleWaived: "shown in every audit with the event that used it"."""
    book = Casebook().stepped_down()
    waiver = {
        "rule": "G-NEXT-MEETING",
        "reason": "Date to be fixed with the school",
        "authorised_by": TM,
    }
    book.record("RuleWaived", "2025-04-20", TM, **waiver)  # seq 6
    book.record("ChildVisited", "2025-04-22", SW, seen=True)  # seq 7: not judged by it
    book.record(
        "ChildInNeedMeetingHeld", "2025-05-06", CHAIR, **cin_meeting(next_meeting_date=None)
    )
    report = audit(book.case, book.events, [], book.pack.calendar(), d("2025-05-07"))
    assert [(w["seq"], w["used_by_seq"]) for w in report["waivers"]] == [(6, 8)]
