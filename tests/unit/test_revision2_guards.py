"""Revision 2 guards (DOMAIN.md §4, §7): each refuses, and allows, as its row says. Where the
first build got it wrong, the test says so ("wrong in the first build") and quotes the row
or seed sentence it follows."""

from __future__ import annotations

from typing import Any

from casebook import (
    CHAIR,
    OTHER_CHAIR,
    SM,
    SW,
    TM,
    Casebook,
    assert_refusal,
    cin_meeting,
    cin_support,
    end_plan,
    final_review,
    reflective,
    smart_plan,
)

RCPC = "2025-04-15"


# -- G-SMART -----------------------------------------------------------------------------


def test_a_cin_plan_with_no_action_is_refused_by_g_smart() -> None:
    """Wrong in the first build: "A CiN plan with no actions passes G-SMART". DOMAIN §4
    G-SMART: "a CinPlan has at least one outcome and at least one action"."""
    book = Casebook().at_review()
    no_actions = end_plan(continuing_support=cin_support(actions=[]))
    refusals = book.refusals("ReviewConferenceHeld", RCPC, CHAIR, **no_actions)
    assert_refusal(refusals, "G-SMART", "agrees no action", source="000 §2, 004")
    assert book.record("ReviewConferenceHeld", RCPC, CHAIR, **end_plan()).stage == "step_down"


def test_a_six_weekly_visiting_interval_is_refused_not_capped() -> None:
    """Wrong in the first build: "a 6-weekly visiting interval is silently capped to 4".
    DOMAIN §4 G-SMART: "the visiting interval is stated and is at most 4 weeks (refused,
    not capped)"."""
    book = Casebook().at_review()
    six = end_plan(continuing_support=cin_support(visiting_interval_weeks=6))
    refusals = book.refusals("ReviewConferenceHeld", RCPC, CHAIR, **six)
    assert_refusal(refusals, "G-SMART", "visits every 6 weeks", source="000 §2, 004")
    unstated = {k: v for k, v in smart_plan("2025-05-06").items() if k != "visiting_interval_weeks"}
    plan_without = end_plan(continuing_support={**cin_support(), "plan": unstated})
    refusals = book.refusals("ReviewConferenceHeld", RCPC, CHAIR, **plan_without)
    assert_refusal(refusals, "G-SMART", "does not state how often", source="000 §2, 004")
    four = end_plan(continuing_support=cin_support(visiting_interval_weeks=4))
    assert book.record("ReviewConferenceHeld", RCPC, CHAIR, **four).stage == "step_down"


# -- G-CHAIR-FIRST-CIN -------------------------------------------------------------------


def test_the_cases_new_cp_chair_chairs_the_first_cin_meeting_once_the_conference_chair_left() -> (
    None
):
    """Wrong in the first build: "The first CiN meeting cannot be chaired by the case's new
    CP chair after the conference chair left the authority". DOMAIN §4 G-CHAIR-FIRST-CIN:
    "once that chair has left the authority (StaffAssigned … left_authority), the CP chair
    assigned to the case after"."""
    book = Casebook().stepped_down()
    book.record("StaffAssigned", "2025-04-20", TM, person=CHAIR, left_authority=True)
    refusals = book.refusals("ChildInNeedMeetingHeld", "2025-05-06", CHAIR, **cin_meeting())
    assert_refusal(
        refusals, "G-CHAIR-FIRST-CIN", "no CP chair has been assigned", source="000 §2, §4"
    )
    book.record("StaffAssigned", "2025-04-22", TM, person=OTHER_CHAIR, team="IRO service")
    by_the_old = book.refusals("ChildInNeedMeetingHeld", "2025-05-06", CHAIR, **cin_meeting())
    assert_refusal(
        by_the_old, "G-CHAIR-FIRST-CIN", "not the case's CP chair 'chair-2'", source="000 §2, §4"
    )
    meeting = cin_meeting(chair=OTHER_CHAIR)
    assert (
        book.record("ChildInNeedMeetingHeld", "2025-05-06", OTHER_CHAIR, **meeting).stage == "cin"
    )


def test_while_the_conference_chair_stays_a_newly_assigned_chair_may_not_chair_it() -> None:
    book = Casebook().stepped_down()
    book.record("StaffAssigned", "2025-04-22", TM, person=OTHER_CHAIR)
    meeting = cin_meeting(chair=OTHER_CHAIR)
    refusals = book.refusals("ChildInNeedMeetingHeld", "2025-05-06", OTHER_CHAIR, **meeting)
    assert_refusal(
        refusals, "G-CHAIR-FIRST-CIN", "not the case's CP chair 'chair-1'", source="000 §2, §4"
    )


# -- G-NEXT-MEETING on a final review that continues -----------------------------------


def test_a_final_review_that_continues_without_a_next_meeting_is_refused() -> None:
    """Wrong in the first build: "A final review that continues the plan with no next
    meeting is accepted, and no review ever falls due again". DOMAIN §4 G-NEXT-MEETING:
    "every CiN meeting — a final CiN review that continues the plan included — sets the
    next meeting date"."""
    book = Casebook().at_final_review()
    going_on = final_review(decision="continue")
    refusals = book.refusals("FinalChildInNeedReviewHeld", "2025-06-17", TM, **going_on)
    assert_refusal(refusals, "G-NEXT-MEETING", "did not set the date", source="000 §4, 004")
    too_far = final_review(decision="continue", next_meeting_date="2025-10-01")
    refusals = book.refusals("FinalChildInNeedReviewHeld", "2025-06-17", TM, **too_far)
    assert_refusal(refusals, "G-NEXT-MEETING", "later than the maximum", source="000 §4, 004")
    dated = final_review(decision="continue", next_meeting_date="2025-07-29")
    case = book.record("FinalChildInNeedReviewHeld", "2025-06-17", TM, **dated)
    review = [o for o in case.obligations.values() if o.rule == "T-CIN-REVIEW" and o.is_open]
    assert [o.due.isoformat() for o in review] == ["2025-07-29"]


# -- G-THIRD-REVIEW counts final reviews --------------------------------------------------


def _two_reviews_then_final(policy: str) -> Casebook:
    """In CiN: one review meeting, then a final review that continues (two reviews), each
    meeting within four weeks of the last (sefton's longest interval)."""
    book = Casebook(policy=policy).in_cin(next_meeting="2025-06-03")
    review = cin_meeting("review", SW, next_meeting_date="2025-06-24")
    book.record("ChildInNeedMeetingHeld", "2025-06-03", SW, **review)
    book.record("ReflectiveDiscussionHeld", "2025-06-10", TM, **reflective())
    going_on = final_review(
        chair=SW, decision="continue", next_meeting_date="2025-07-15", review_interval_weeks=3
    )
    book.record("FinalChildInNeedReviewHeld", "2025-06-24", SW, **going_on)
    return book


def test_the_third_review_counts_a_final_review_and_needs_an_aswp_or_team_manager() -> None:
    """DOMAIN §4 G-THIRD-REVIEW: "the third CiN review meeting (review meetings and final
    reviews counted together, the first CiN meeting not) is chaired by an ASWP or a team
    manager (the default pack; lancashire and sefton do not adopt it)"."""
    book = _two_reviews_then_final("default")
    third = cin_meeting("review", SW, next_meeting_date="2025-08-05")
    refusals = book.refusals("ChildInNeedMeetingHeld", "2025-07-15", SW, **third)
    assert_refusal(refusals, "G-THIRD-REVIEW", "chaired by a social_worker", source="004")
    by_tm = cin_meeting("review", TM, next_meeting_date="2025-08-05")
    assert book.record("ChildInNeedMeetingHeld", "2025-07-15", TM, **by_tm).stage == "cin"


def test_lancashire_and_sefton_do_not_adopt_the_third_review_rule() -> None:
    for policy in ("lancashire", "sefton"):
        book = _two_reviews_then_final(policy)
        third = cin_meeting("review", SW, next_meeting_date="2025-08-05")
        assert book.record("ChildInNeedMeetingHeld", "2025-07-15", SW, **third).stage == "cin"


# -- G-REFLECTIVE -------------------------------------------------------------------------


def _s17_in_cin() -> Casebook:
    """A child in need case that never went to conference: s17, then the first CiN meeting."""
    book = Casebook().opened()
    book.record("StrategyMeetingHeld", "2025-01-07", TM, outcome="s17")
    book.record(
        "ChildInNeedMeetingHeld",
        "2025-01-20",
        SW,
        **cin_meeting(chair=SW, next_meeting_date="2025-03-03"),
    )
    return book


def test_on_the_s17_path_the_reflective_discussion_needs_no_cp_chair() -> None:
    """Wrong in the first build: "An s17 case (never at conference) cannot end its CiN plan
    without a CP chair at the reflective discussion". DOMAIN §4 G-REFLECTIVE: "A CiN plan
    that never followed a conference (the s17 path; no CP chair on the case) needs the team
    manager and the social worker only (000 §7: the chair may contribute)"."""
    book = _s17_in_cin()
    without_sw = reflective(participants=[TM])
    refusals = book.refusals("ReflectiveDiscussionHeld", "2025-02-20", TM, **without_sw)
    assert_refusal(
        refusals, "G-REFLECTIVE", "did not include the social_worker", source="000 §5, §7"
    )
    tm_and_sw = reflective(participants=[TM, SW])
    assert (
        book.record("ReflectiveDiscussionHeld", "2025-02-20", TM, **tm_and_sw).stage
        == "final_review"
    )


def test_only_the_cases_own_cp_chair_satisfies_the_reflective_discussion() -> None:
    """Wrong in the first build: "any CP chair, even one who never had the case, satisfies
    it". DOMAIN §4 G-REFLECTIVE: "with the case's team manager, the case's social worker and
    the case's CP chair"."""
    book = Casebook().in_cin()
    stranger = reflective(participants=[TM, SW, OTHER_CHAIR])
    refusals = book.refusals("ReflectiveDiscussionHeld", "2025-06-10", TM, **stranger)
    assert_refusal(refusals, "G-REFLECTIVE", "the case's cp_chair 'chair-1'", source="000 §5, §7")
    assert (
        book.record("ReflectiveDiscussionHeld", "2025-06-10", TM, **reflective()).stage
        == "final_review"
    )


def test_with_the_chair_gone_the_service_manager_stands_in_for_the_chair() -> None:
    book = Casebook().in_cin()
    book.record("StaffAssigned", "2025-06-01", TM, person=CHAIR, left_authority=True)
    with_sm = reflective(participants=[TM, SW, SM])
    assert (
        book.record("ReflectiveDiscussionHeld", "2025-06-10", TM, **with_sm).stage == "final_review"
    )


# -- G-INFORMED on every closing event -----------------------------------------------------


def test_every_event_that_closes_the_case_needs_every_professional_informed() -> None:
    """DOMAIN §4 G-INFORMED: "a case is closed, by whatever event closes it (a conference, a
    strategy nfa, ChildProtectionPlanEnded, CaseClosed, the final CiN review), only after
    every professional involved has been informed"."""
    closers: list[tuple[Casebook, str, dict[str, str], dict[str, Any]]] = [
        (Casebook().opened(), "StrategyMeetingHeld", TM, {"outcome": "nfa"}),
        (Casebook().on_plan(), "ChildProtectionPlanEnded", TM, {"reason": "died"}),
        (Casebook().stepped_down(), "CaseClosed", TM, {"reason": "left_uk"}),
        (
            Casebook().at_review(),
            "ReviewConferenceHeld",
            CHAIR,
            end_plan(continuing_support={"kind": "universal", "family_declined": True}),
        ),
    ]
    for book, kind, actor, data in closers:
        uninformed = {k: v for k, v in data.items() if k != "professionals_informed"}
        refusals = book.refusals(kind, "2025-07-01", actor, **uninformed)
        assert_refusal(refusals, "G-INFORMED", "informed of the closure", source="001, 003")
        told = book.record(kind, "2025-07-01", actor, **uninformed, professionals_informed=True)
        assert told.stage == "closed"


# -- G-TRANSFER ---------------------------------------------------------------------------


def test_a_plan_ended_by_transfer_needs_the_conference_held_by_the_day_it_ends() -> None:
    """Wrong in the first build: "A plan ended by transfer is accepted with the receiving
    authority's conference dated after the plan ended". DOMAIN §4 G-TRANSFER: "the
    receiving authority's transfer conference, held on or before the day the plan ends"."""
    book = Casebook().on_plan()
    later = {"receiving_authority": "Wirral", "transfer_conference_date": "2025-03-10"}
    ending = {"reason": "transferred", "professionals_informed": True}
    refusals = book.refusals(
        "ChildProtectionPlanEnded",
        "2025-03-03",
        TM,
        **ending,
        transfer={**later, "written_confirmation": True},
    )
    assert_refusal(refusals, "G-TRANSFER", "after the day the plan ends", source="003")
    same_day = {**later, "transfer_conference_date": "2025-03-03", "written_confirmation": True}
    case = book.record("ChildProtectionPlanEnded", "2025-03-03", TM, **ending, transfer=same_day)
    assert case.stage == "closed"


def test_a_cin_case_moving_away_needs_a_written_handover_not_a_cp_conference() -> None:
    """Wrong in the first build: "A CiN-only case moving away is asked for a transfer CP
    conference". DOMAIN §4 G-TRANSFER: "closing a case without a plan because the child
    moved needs the receiving authority and its written confirmation of the handover"."""
    book = Casebook().in_cin()
    closing = {"reason": "transferred", "professionals_informed": True}
    refusals = book.refusals(
        "CaseClosed", "2025-06-01", TM, **closing, transfer={"receiving_authority": "Wirral"}
    )
    assert_refusal(refusals, "G-TRANSFER", "no written confirmation", source="003")
    assert "no transfer conference" not in refusals["G-TRANSFER"].reason
    handover = {"receiving_authority": "Wirral", "written_confirmation": True}
    assert (
        book.record("CaseClosed", "2025-06-01", TM, **closing, transfer=handover).stage == "closed"
    )


# -- G-PRE-BIRTH --------------------------------------------------------------------------


def test_a_pre_birth_conference_is_only_for_a_child_not_yet_born() -> None:
    born = Casebook().opened()
    born.record("StrategyMeetingHeld", "2025-01-07", TM, outcome="s47")
    plan = {"chair": CHAIR, "decision": "plan", "categories": ["neglect"], "lead_social_worker": SW}
    refusals = born.refusals("InitialConferenceHeld", "2025-01-20", CHAIR, **plan, pre_birth=True)
    assert_refusal(refusals, "G-PRE-BIRTH", "not yet born (born 2015-03-01)", source="engine")
    unborn = Casebook(case_id="C2")
    unborn.record(
        "CaseOpened", "2025-01-06", SW, child={"ref": "C2", "expected_birth_date": "2025-03-01"}
    )
    unborn.record("StrategyMeetingHeld", "2025-01-07", TM, outcome="s47")
    case = unborn.record("InitialConferenceHeld", "2025-01-20", CHAIR, **plan, pre_birth=True)
    assert case.pre_birth_plan and case.stage == "cp_plan"


def test_a_birth_is_recorded_only_for_a_child_not_yet_born() -> None:
    born = Casebook().opened()
    refusals = born.refusals("ChildBorn", "2025-01-08", SW, birth_date="2025-01-08")
    assert_refusal(refusals, "G-PRE-BIRTH", "already recorded (2015-03-01)", source="engine")
    unborn = Casebook(case_id="C2")
    unborn.record(
        "CaseOpened", "2025-01-06", SW, child={"ref": "C2", "expected_birth_date": "2025-03-01"}
    )
    case = unborn.record("ChildBorn", "2025-02-26", SW, birth_date="2025-02-26", gender="F")
    assert case.child == {
        "ref": "C2",
        "expected_birth_date": "2025-03-01",
        "birth_date": "2025-02-26",
        "gender": "F",
    }


# -- lancashire universal support ---------------------------------------------------------


def test_lancashire_universal_support_needs_a_reason() -> None:
    """DOMAIN §6 lancashire: "universal with a reason saying how universal services will
    support the family (002: lack of consent "explicitly acknowledged")"."""
    book = Casebook(policy="lancashire").at_review()
    declined = {"kind": "universal", "family_declined": True}
    refusals = book.refusals(
        "ReviewConferenceHeld", RCPC, CHAIR, **end_plan(continuing_support=declined)
    )
    assert "universal support needs reason" in refusals["G-SUPPORT"].reason
    reasoned = {**declined, "reason": "School nurse and GP will follow up"}
    case = book.record("ReviewConferenceHeld", RCPC, CHAIR, **end_plan(continuing_support=reasoned))
    assert case.stage == "closed"
