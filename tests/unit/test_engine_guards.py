"""The engine's guards (DOMAIN.md §3, §4): chronology, role, stage, waivers and
retractions — each refusing and allowing, and what a waiver and a retraction do."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from casebook import (
    CHAIR,
    IROM,
    LEAD,
    OTHER_CHAIR,
    SM,
    SW,
    TM,
    Casebook,
    assert_refusal,
    cin_meeting,
    end_plan,
    smart_plan,
)
from cpworkflow.lifecycle.decide import Decided

AUDITOR = {"id": "aud-1", "role": "auditor"}
ENGINE, STAGE_TABLE, VOCABULARY = "engine", "engine: DOMAIN.md §2", "engine: DOMAIN.md §3"
ALL_THREE = ["child", "family", "agencies"]


def waiver(rule: str, by: dict[str, str] = TM) -> dict[str, Any]:
    return {"rule": rule, "reason": "Agreed in supervision", "authorised_by": by}


# -- G-CHRONOLOGY -----------------------------------------------------------------------


def test_an_event_dated_in_the_future_is_refused() -> None:
    book = Casebook().on_plan()
    book.today = date(2025, 2, 1)
    refusals = book.refusals("ChildVisited", "2025-02-02", SW, seen=True)
    assert_refusal(refusals, "G-CHRONOLOGY", "dated 2025-02-02, in the future", source=ENGINE)
    assert book.record("ChildVisited", "2025-02-01", SW, seen=True).version == 4


def test_a_fact_dated_before_the_current_period_began_is_refused() -> None:
    book = Casebook().on_plan()  # the plan period began on 2025-01-20
    refusals = book.refusals("ChildVisited", "2025-01-15", SW, seen=True)
    words = ("dated 2025-01-15", "before the current period began (2025-01-20)")
    assert_refusal(refusals, "G-CHRONOLOGY", *words, source=ENGINE)


def test_a_fact_recorded_late_but_within_the_current_stage_is_accepted() -> None:
    book = Casebook().on_plan()
    book.record("ChildVisited", "2025-02-10", SW, seen=True, seen_alone=True)
    assert book.record("ChildVisited", "2025-01-20", SW, seen=True).version == 5


def test_a_closed_case_takes_late_records_of_what_happened_before_it_closed() -> None:
    book = Casebook().at_review()  # the review stage began on 2025-03-25
    universal = {"kind": "universal", "family_declined": True}
    book.record(
        "ReviewConferenceHeld", "2025-04-15", CHAIR, **end_plan(continuing_support=universal)
    )
    dissent = {"agency": "Police", "about": "the plan ending", "reason": "Risk remains"}
    book.record("DissentRecorded", "2025-04-15", CHAIR, **dissent)
    book.record("OutcomesRecorded", "2025-04-16", CHAIR)
    book.record("IroManagerAuditCompleted", "2025-05-01", IROM)
    # The plan period (from the ICPC of 2025-01-20, the review stage included) was the
    # period before the case closed: a late record may go back to its start, no further.
    book.record("DissentRecorded", "2025-03-20", CHAIR, **dissent)
    refusals = book.refusals("DissentRecorded", "2025-01-15", CHAIR, **dissent)
    words = ("before the period before the case closed began (2025-01-20)",)
    assert_refusal(refusals, "G-CHRONOLOGY", *words, source=ENGINE)
    assert "G-STAGE" in book.refusals("ChildVisited", "2025-05-02", SW, seen=True)


# -- G-ROLE -----------------------------------------------------------------------------


def test_a_role_the_pack_does_not_allow_may_not_record_the_event() -> None:
    book = Casebook().on_plan()
    refusals = book.refusals("ChildVisited", "2025-02-01", AUDITOR, seen=True)
    words = (
        "auditor may not record ChildVisited under policy default;"
        " who may: aswp, lead_professional, social_worker, team_manager",
    )
    assert_refusal(refusals, "G-ROLE", *words, source=ENGINE)
    convened = {"conference_date": "2025-04-15"}
    refusals = book.refusals("ReviewConferenceConvened", "2025-02-01", LEAD, **convened)
    assert_refusal(refusals, "G-ROLE", "lead_professional may not record", source=ENGINE)


def test_a_role_the_pack_allows_records_the_event() -> None:
    book = Casebook().on_plan()
    assert book.record("ChildVisited", "2025-02-01", LEAD, seen=True).version == 4


# -- G-STAGE ----------------------------------------------------------------------------


def test_an_event_not_allowed_in_the_stage_is_refused_naming_the_stage_and_the_allowed() -> None:
    book = Casebook().opened()
    held = {"chair": CHAIR, "decision": "continue"}
    refusals = book.refusals("ReviewConferenceHeld", "2025-01-10", CHAIR, **held)
    words = ("ReviewConferenceHeld with decision continue is not allowed in stage referral",)
    words += ("allowed there:", "StrategyMeetingHeld", "InitialConferenceHeld", "CaseClosed")
    assert_refusal(refusals, "G-STAGE", *words, source=STAGE_TABLE)


def test_an_event_allowed_in_the_stage_is_accepted() -> None:
    book = Casebook().opened()
    assert book.record("StrategyMeetingHeld", "2025-01-10", SW, outcome="s47").stage == "referral"


def test_a_case_is_opened_only_once() -> None:
    book = Casebook().opened()
    refusals = book.refusals("CaseOpened", "2025-01-07", SW, child={"ref": "C1"})
    assert_refusal(refusals, "G-STAGE", "case C1 already exists", source=STAGE_TABLE)


# -- G-WAIVER and what a waiver does ----------------------------------------------------


def test_a_waiver_by_a_social_worker_is_refused() -> None:
    book = Casebook().stepped_down()
    refusals = book.refusals("RuleWaived", "2025-04-20", SW, **waiver("G-NEXT-MEETING", SW))
    words = ("a social_worker may not waive a rule", "not authorised by a role allowed")
    assert_refusal(refusals, "G-WAIVER", *words, source=VOCABULARY)
    assert "G-ROLE" in refusals


@pytest.mark.parametrize("rule", ["G-ROLE", "G-CHRONOLOGY", "G-STAGE", "G-RETRACT", "G-NOPE"])
def test_the_engines_own_guards_cannot_be_waived(rule: str) -> None:
    book = Casebook().stepped_down()
    refusals = book.refusals("RuleWaived", "2025-04-20", TM, **waiver(rule))
    assert_refusal(
        refusals, "G-WAIVER", f"{rule} is not a guard that can be waived", source=VOCABULARY
    )


@pytest.mark.parametrize("by", [TM, SM, IROM])
def test_a_manager_may_waive_a_case_work_guard(by: dict[str, str]) -> None:
    book = Casebook().stepped_down()
    case = book.record("RuleWaived", "2025-04-20", by, **waiver("G-NEXT-MEETING", by))
    assert dict(case.pending_waivers) == {"G-NEXT-MEETING": case.version}


def test_a_waiver_lets_the_next_event_pass_exactly_the_named_guard_once() -> None:
    book = Casebook().stepped_down()
    book.record("RuleWaived", "2025-04-20", TM, **waiver("G-NEXT-MEETING"))
    undated = cin_meeting(next_meeting_date=None)
    refusals = book.refusals(
        "ChildInNeedMeetingHeld", "2025-05-06", OTHER_CHAIR, **{**undated, "chair": OTHER_CHAIR}
    )
    assert set(refusals) == {"G-CHAIR-FIRST-CIN"}  # the waiver holds past a refusal
    outcome = book.attempt("ChildInNeedMeetingHeld", "2025-05-06", CHAIR, **undated)
    assert isinstance(outcome, Decided)
    assert outcome.event.decision["waived"] == ["G-NEXT-MEETING"]
    assert not book.case.pending_waivers
    again = cin_meeting("review", next_meeting_date=None)
    refusals = book.refusals("ChildInNeedMeetingHeld", "2025-05-20", CHAIR, **again)
    assert set(refusals) == {"G-NEXT-MEETING"}


def test_a_waiver_is_neither_used_nor_spent_by_an_event_its_rule_does_not_judge() -> None:
    """Wrong in the first build: "A waiver is spent by an unrelated visit and the meeting it
    was granted for is refused". DOMAIN §3 RuleWaived: "lets the next event that this rule
    judges pass that one guard (events the rule does not judge neither use nor spend it)"."""
    book = Casebook().stepped_down()
    book.record("RuleWaived", "2025-04-20", TM, **waiver("G-NEXT-MEETING"))  # seq 6
    visit = book.attempt("ChildVisited", "2025-04-22", SW, seen=True)
    assert isinstance(visit, Decided)
    assert "waived" not in visit.event.decision
    assert book.case.pending_waivers == {"G-NEXT-MEETING": 6}
    undated = cin_meeting(next_meeting_date=None)
    meeting = book.record("ChildInNeedMeetingHeld", "2025-05-06", CHAIR, **undated)
    assert book.events[-1].decision["waived"] == ["G-NEXT-MEETING"]
    assert meeting.pending_waivers == {}


def test_a_waiver_is_spent_by_the_next_event_its_rule_judges_even_if_not_needed() -> None:
    book = Casebook().stepped_down()
    book.record("RuleWaived", "2025-04-20", TM, **waiver("G-NEXT-MEETING"))
    book.record("ChildInNeedMeetingHeld", "2025-05-06", CHAIR, **cin_meeting())
    assert book.events[-1].decision["waivers_spent"] == {"G-NEXT-MEETING": 6}
    undated = cin_meeting("review", TM, next_meeting_date=None)
    assert "G-NEXT-MEETING" in book.refusals("ChildInNeedMeetingHeld", "2025-06-17", TM, **undated)


# -- G-RETRACT and what a retraction does -----------------------------------------------


def visited() -> Casebook:
    """On a plan (seq 3, the ICPC, opened 3:T-CP-VISIT) and a visit at seq 4 that met it."""
    book = Casebook().on_plan()
    book.record("ChildVisited", "2025-01-30", SW, seen=True, seen_alone=True)
    return book


def retract(seq: int) -> dict[str, Any]:
    return {"seq": seq, "reason": "Recorded on the wrong case"}


def test_retracting_an_event_that_changed_the_stage_is_refused() -> None:
    book = visited()
    refusals = book.refusals("EntryRetracted", "2025-02-01", SW, **retract(3))
    words = ("event 3 (InitialConferenceHeld) changed the stage", "cannot be retracted")
    assert_refusal(refusals, "G-RETRACT", *words, source=VOCABULARY)


def test_retracting_a_visit_reopens_the_obligation_it_met_and_withdraws_what_it_opened() -> None:
    book = visited()
    assert book.case.obligations["3:T-CP-VISIT"].status(date(2025, 2, 1)) == "met"
    case = book.record("EntryRetracted", "2025-02-01", SW, **retract(4))
    assert case.retracted == frozenset({4})
    assert case.obligations["3:T-CP-VISIT"].status(date(2025, 2, 1)) == "open"
    assert case.obligations["3:T-CP-VISIT"].met_on is None
    assert "4:T-CP-VISIT" not in case.obligations
    assert book.replayed() == case


def test_a_retraction_cannot_be_retracted_nor_an_event_retracted_twice() -> None:
    book = visited()
    book.record("EntryRetracted", "2025-02-01", SW, **retract(4))
    refusals = book.refusals("EntryRetracted", "2025-02-02", SW, **retract(5))
    assert_refusal(refusals, "G-RETRACT", "event 5 (EntryRetracted)", source=VOCABULARY)
    refusals = book.refusals("EntryRetracted", "2025-02-02", SW, **retract(4))
    assert_refusal(refusals, "G-RETRACT", "event 4 is already retracted", source=VOCABULARY)
    refusals = book.refusals("EntryRetracted", "2025-02-02", SW, **retract(9))
    assert_refusal(refusals, "G-RETRACT", "there is no event 9", source=VOCABULARY)


def test_a_waiver_cannot_be_retracted() -> None:
    book = Casebook().stepped_down()
    book.record("RuleWaived", "2025-04-20", TM, **waiver("G-NEXT-MEETING"))
    refusals = book.refusals("EntryRetracted", "2025-04-21", TM, **retract(book.case.version))
    assert_refusal(refusals, "G-RETRACT", "(RuleWaived)", source=VOCABULARY)


def test_retracting_the_only_record_of_the_cin_plan_reopens_the_plan_obligation() -> None:
    book = Casebook().stepped_down()  # seq 5 opened 5:T-CIN-PLAN (recorded and circulated)
    book.record("ChildInNeedPlanRecorded", "2025-04-16", SW, plan=smart_plan("2025-05-06"))
    book.record("ChildInNeedPlanCirculated", "2025-04-17", SW, recipients=ALL_THREE)
    assert book.case.obligations["5:T-CIN-PLAN"].met_seq == 7  # the later of the two
    case = book.record("EntryRetracted", "2025-04-18", SW, **retract(6))
    assert case.obligations["5:T-CIN-PLAN"].is_open
    case = book.record("ChildInNeedPlanRecorded", "2025-04-22", SW, plan=smart_plan("2025-05-06"))
    assert case.obligations["5:T-CIN-PLAN"].met_on == date(2025, 4, 22)
    assert book.replayed() == case


def test_a_review_conference_convened_for_a_day_already_past_is_refused() -> None:
    book = Casebook().on_plan()
    refused = book.refusals(
        "ReviewConferenceConvened", "2025-03-25", CHAIR, conference_date="2025-03-20"
    )
    assert "before the day it was convened" in refused["G-CHRONOLOGY"].reason
    book.record("ReviewConferenceConvened", "2025-03-25", CHAIR, conference_date="2025-04-15")
