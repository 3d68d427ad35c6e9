"""The case-work guards of DOMAIN.md §4: for every rule, a proposal it refuses (naming the
rule, what is missing and the source) and one it lets through. The engine's own guards
(chronology, role, stage, waivers, retractions) are in test_engine_guards.py."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

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
)
from cpworkflow.errors import BadInputError, Refusal
from cpworkflow.lifecycle.case import Case
from cpworkflow.policy.rulebook import GUARDS

ASWP = {"id": "aswp-1", "role": "aswp"}
RCPC = "2025-04-15"
DEC_19 = "2025-12-19"  # 20 working days later is 2026-01-21 (Christmas and New Year)


def refused_ending(book: Casebook, on: str = RCPC, **data: Any) -> dict[str, Refusal]:
    """The refusals of an RCPC ending the plan, with the given fields spoiled."""
    return book.refusals("ReviewConferenceHeld", on, CHAIR, **end_plan(**data))


def ended(book: Casebook, on: str = RCPC, **data: Any) -> Case:
    return book.record("ReviewConferenceHeld", on, CHAIR, **end_plan(**data))


def test_the_rulebook_holds_exactly_the_guards_of_domain_md() -> None:
    domain = """CONTINGENCY SMART FIRST-CIN-DATE EACH-CATEGORY FIRST-REVIEW TEMPORARY COURT
    SUPPORT MANAGER CHAIR-FIRST-CIN NEXT-MEETING THIRD-REVIEW REFLECTIVE FINAL-REVIEW
    INFORMED TRANSFER AGE PRE-BIRTH CHRONOLOGY ROLE STAGE WAIVER RETRACT"""
    assert set(GUARDS) == {f"G-{name}" for name in domain.split()}


# -- G-CONTINGENCY ----------------------------------------------------------------------


def test_a_step_down_without_a_contingency_plan_is_refused() -> None:
    support = cin_support(contingency=" ")
    refusals = refused_ending(Casebook().at_review(), continuing_support=support)
    assert_refusal(refusals, "G-CONTINGENCY", "no agreed contingency plan", source="000 §2, §6")


def test_an_icpc_stepping_down_to_cin_without_a_contingency_plan_is_refused() -> None:
    data = {"chair": CHAIR, "decision": "no_plan"}
    support = cin_support("2025-01-27", contingency="")
    book = Casebook().opened()
    refusals = book.refusals("InitialConferenceHeld", "2025-01-20", CHAIR, **data,
                             continuing_support=support)  # fmt: skip
    assert_refusal(refusals, "G-CONTINGENCY", "contingency", source="000 §2, §6")


def test_a_step_down_with_an_agreed_contingency_plan_is_accepted() -> None:
    assert ended(Casebook().at_review()).stage == "step_down"


# -- G-SMART ----------------------------------------------------------------------------


@pytest.mark.parametrize("vague", ["ongoing", "ASAP", "TBC", "as needed"])
def test_a_cin_plan_with_a_vague_timescale_is_refused(vague: str) -> None:
    support = cin_support(actions=[{"action": "Parenting course", "owner": SW, "due": vague}])
    refusals = refused_ending(Casebook().at_review(), continuing_support=support)
    assert_refusal(refusals, "G-SMART", f"vague timescale {vague!r}", source="000 §2, 004")


def test_a_cin_plan_without_an_outcome_or_an_action_without_owner_or_timescale_is_refused() -> None:
    actions = [
        {"action": "Parenting course", "owner": "  ", "due": "2025-06-01"},
        {"action": "Health visits", "owner": "Health visiting"},
    ]
    support = cin_support(actions=actions, outcomes=[])
    refusals = refused_ending(Casebook().at_review(), continuing_support=support)
    words = ("states no outcome", "action 1 has no owner", "action 2 has no timescale")
    assert_refusal(refusals, "G-SMART", *words, source="000 §2, 004")


def test_an_action_with_no_owner_field_at_all_is_bad_input_naming_the_field() -> None:
    support = cin_support(actions=[{"action": "Parenting course", "due": "2025-06-01"}])
    with pytest.raises(BadInputError) as error:
        refused_ending(Casebook().at_review(), continuing_support=support)
    assert error.value.field == "data.continuing_support.plan.actions[0].owner"


def test_vague_actions_at_the_final_review_or_in_a_recorded_plan_are_refused() -> None:
    book = Casebook().at_final_review()
    actions = [{"action": "Keep an eye", "owner": "School", "due": "ASAP"}]
    review = final_review(actions=actions)
    refusals = book.refusals("FinalChildInNeedReviewHeld", "2025-06-17", TM, **review)
    assert_refusal(refusals, "G-SMART", "vague timescale 'ASAP'", source="000 §2, 004")
    plan = cin_support(actions=actions)["plan"]
    refusals = book.refusals("ChildInNeedPlanRecorded", "2025-06-17", SW, plan=plan)
    assert_refusal(refusals, "G-SMART", "vague timescale", source="000 §2, 004")


def test_a_plan_whose_actions_have_an_owner_and_a_date_or_an_interval_is_smart() -> None:
    book = Casebook().stepped_down()
    case = book.record("ChildInNeedPlanRecorded", "2025-04-20", SW, plan=cin_support()["plan"])
    assert case.cin_plan == cin_support()["plan"]


# -- G-FIRST-CIN-DATE -------------------------------------------------------------------


def test_a_first_cin_meeting_later_than_20_working_days_after_the_plan_ends_is_refused() -> None:
    book = Casebook().at_review(conference=DEC_19, convened="2025-12-01")
    refusals = refused_ending(book, DEC_19, continuing_support=cin_support("2026-01-22"))
    words = ("later than 20 working days", "(2026-01-21)")
    assert_refusal(refusals, "G-FIRST-CIN-DATE", *words, source="000 §2")


def test_a_step_down_that_sets_no_first_cin_meeting_date_is_refused() -> None:
    support = cin_support()
    del support["plan"]["first_meeting_date"]
    refusals = refused_ending(Casebook().at_review(), continuing_support=support)
    assert_refusal(refusals, "G-FIRST-CIN-DATE", "is not set", source="000 §2")


def test_a_first_cin_meeting_on_the_20th_working_day_after_the_plan_ends_is_accepted() -> None:
    book = Casebook().at_review(conference=DEC_19, convened="2025-12-01")
    assert ended(book, DEC_19, first_meeting="2026-01-21").stage == "step_down"


# -- G-EACH-CATEGORY --------------------------------------------------------------------


def test_ending_a_plan_needs_a_judgement_for_each_category_and_each_no_longer_at_risk() -> None:
    book = Casebook().at_review(categories=("neglect", "emotional"))
    refusals = refused_ending(book, category_judgements={"neglect": "no_longer_at_risk"})
    assert_refusal(refusals, "G-EACH-CATEGORY", "no judgement for category emotional", source="001")
    judged = {"neglect": "no_longer_at_risk", "emotional": "continuing_risk"}
    refusals = refused_ending(book, category_judgements=judged)
    assert_refusal(refusals, "G-EACH-CATEGORY", "emotional is judged continuing_risk", source="001")


def test_a_plan_ends_when_every_category_is_judged_no_longer_at_risk() -> None:
    book = Casebook().at_review(categories=("neglect", "emotional"))
    assert ended(book, categories=("neglect", "emotional")).stage == "step_down"


# -- G-FIRST-REVIEW ---------------------------------------------------------------------


def test_ending_the_plan_at_the_first_review_without_overriding_reasons_is_refused() -> None:
    refusals = refused_ending(Casebook().at_review(), overriding_reasons=None)
    assert_refusal(refusals, "G-FIRST-REVIEW", "overriding reasons", source="001, 002")


def test_ending_the_plan_at_the_second_review_needs_no_overriding_reasons() -> None:
    book = Casebook().at_review()
    book.record("ReviewConferenceHeld", RCPC, CHAIR, chair=CHAIR, decision="continue")
    book.record("ReviewConferenceConvened", "2025-09-20", CHAIR, conference_date="2025-10-14")
    case = ended(book, "2025-10-14", first_meeting="2025-10-28", overriding_reasons=None)
    assert case.stage == "step_down"


# -- G-TEMPORARY and G-COURT ------------------------------------------------------------


def test_safety_on_temporary_arrangements_needs_a_written_assessment_and_a_long_term_plan() -> None:
    temporary = {"assessment_completed": False, "long_term_plan_agreed": False}
    refusals = refused_ending(Casebook().at_review(), temporary_arrangements=temporary)
    words = ("no written assessment", "no agreed long-term plan")
    assert_refusal(refusals, "G-TEMPORARY", *words, source="001")
    both = dict.fromkeys(temporary, True)
    assert ended(Casebook().at_review(), temporary_arrangements=both).stage == "step_down"


def test_an_ending_that_depends_on_a_court_order_needs_a_contingency_recommendation() -> None:
    refusals = refused_ending(Casebook().at_review(), court_dependent={})
    assert_refusal(refusals, "G-COURT", "no contingency if it is not granted", source="001")
    court = {"contingency_recommendation": "A further ICPC if the order is refused"}
    assert ended(Casebook().at_review(), court_dependent=court).stage == "step_down"


# -- G-SUPPORT, per pack ----------------------------------------------------------------

LANCS = "002 (At the Review Conference; Before the Review Conference)"
SUPPORT_REFUSED = [
    ("default", None, "not stated", "001"),
    ("default", {"kind": "cin", "family_consent": False}, "needs family_consent", "001"),
    ("default", {"kind": "universal", "reason": "Doing well"}, "needs family_declined", "001"),
    ("default", {"kind": "early_help", "referral_made": True}, "not accepted", "001"),
    ("lancashire", {"kind": "early_help", "referral_made": False}, "needs referral_made", LANCS),
    (
        "lancashire",
        {"kind": "early_help", "referral_made": True, "referral_date": "2025-05-01"},
        "referral is dated 2025-05-01, after the conference",
        LANCS,
    ),
    ("sefton", {"kind": "universal", "family_declined": True}, "needs reason", "003 6.1.6"),
    ("sefton", {"kind": "early_help", "referral_made": True}, "not accepted", "003 6.1.6"),
]
SUPPORT_ACCEPTED = [
    ("default", cin_support(), "step_down"),
    ("default", {"kind": "universal", "family_declined": True}, "closed"),
    ("lancashire", {"kind": "early_help", "referral_made": True}, "closed"),
    (
        "lancashire",
        {"kind": "early_help", "referral_made": True, "referral_date": "2025-04-01"},
        "closed",
    ),
    ("sefton", {"kind": "universal", "reason": "Needs met by school and GP"}, "closed"),
    ("sefton", cin_support(), "step_down"),
]


@pytest.mark.parametrize(("pack", "support", "words", "source"), SUPPORT_REFUSED)
def test_continuing_support_the_pack_does_not_accept_is_refused(
    pack: str, support: dict[str, Any] | None, words: str, source: str
) -> None:
    refusals = refused_ending(Casebook(policy=pack).at_review(), continuing_support=support)
    assert_refusal(refusals, "G-SUPPORT", words, source=source)


@pytest.mark.parametrize(("pack", "support", "stage"), SUPPORT_ACCEPTED)
def test_continuing_support_the_pack_accepts_ends_the_plan(
    pack: str, support: dict[str, Any], stage: str
) -> None:
    assert ended(Casebook(policy=pack).at_review(), continuing_support=support).stage == stage


# -- G-MANAGER --------------------------------------------------------------------------


def test_the_manager_attends_the_rcpc_when_the_social_worker_recommends_ending() -> None:
    refusals = refused_ending(Casebook().at_review(), social_worker_recommendation="end_plan")
    assert_refusal(refusals, "G-MANAGER", "the manager did not attend", source="001")
    case = ended(Casebook().at_review(), social_worker_recommendation="end_plan",
                 manager_attended=True)  # fmt: skip
    assert case.stage == "step_down"


# -- G-CHAIR-FIRST-CIN ------------------------------------------------------------------


def test_the_first_cin_meeting_after_a_conference_is_chaired_by_the_cases_cp_chair() -> None:
    book = Casebook().stepped_down()
    other = cin_meeting(chair=OTHER_CHAIR)
    refusals = book.refusals("ChildInNeedMeetingHeld", "2025-05-06", OTHER_CHAIR, **other)
    words = ("chaired by 'chair-2'", "not the case's CP chair 'chair-1'")
    assert_refusal(refusals, "G-CHAIR-FIRST-CIN", *words, source="000 §2, §4")
    assert (
        book.record("ChildInNeedMeetingHeld", "2025-05-06", CHAIR, **cin_meeting()).stage == "cin"
    )


def test_after_an_s17_step_down_by_a_strategy_meeting_any_chair_may_chair_the_first() -> None:
    book = Casebook().opened()
    book.record("StrategyMeetingHeld", "2025-01-07", SW, outcome="s17")
    meeting = cin_meeting(chair=SW, next_meeting_date="2025-03-03")
    assert book.record("ChildInNeedMeetingHeld", "2025-01-20", SW, **meeting).stage == "cin"


# -- G-NEXT-MEETING ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pack", "latest", "too_late", "source"),
    [
        ("default", "2025-08-06", "2025-08-07", "000 §4, 004"),  # 3 months
        ("sefton", "2025-06-03", "2025-06-04", "003 6.1.6"),  # 4 weeks
    ],
)
def test_a_cin_meeting_sets_the_next_within_the_packs_maximum_interval(
    pack: str, latest: str, too_late: str, source: str
) -> None:
    book = Casebook(policy=pack).stepped_down()
    for next_date, words in ((None, "did not set"), (too_late, "later than the maximum")):
        meeting = cin_meeting(next_meeting_date=next_date)
        refusals = book.refusals("ChildInNeedMeetingHeld", "2025-05-06", CHAIR, **meeting)
        assert_refusal(refusals, "G-NEXT-MEETING", words, source=source)
    meeting = cin_meeting(next_meeting_date=latest)
    assert book.record("ChildInNeedMeetingHeld", "2025-05-06", CHAIR, **meeting).stage == "cin"


# -- G-THIRD-REVIEW ---------------------------------------------------------------------

THIRD = cin_meeting("review", SW, next_meeting_date="2025-07-29")


def two_reviews(pack: str) -> Casebook:
    book = Casebook(policy=pack).in_cin(next_meeting="2025-05-27")
    for on, then in (("2025-05-27", "2025-06-17"), ("2025-06-17", "2025-07-08")):
        meeting = cin_meeting("review", SW, next_meeting_date=then)
        book.record("ChildInNeedMeetingHeld", on, SW, **meeting)
    return book


def test_the_third_cin_review_chaired_by_a_social_worker_is_refused_by_default() -> None:
    refusals = two_reviews("default").refusals("ChildInNeedMeetingHeld", "2025-07-08", SW, **THIRD)
    words = ("third CiN review is chaired by a social_worker", "not an ASWP or team manager")
    assert_refusal(refusals, "G-THIRD-REVIEW", *words, source="004")


@pytest.mark.parametrize(
    ("pack", "chair"), [("default", ASWP), ("default", TM), ("lancashire", SW), ("sefton", SW)]
)
def test_the_third_cin_review_chaired_as_the_pack_requires_is_accepted(
    pack: str, chair: dict[str, str]
) -> None:
    book = two_reviews(pack)
    case = book.record("ChildInNeedMeetingHeld", "2025-07-08", SW, **{**THIRD, "chair": chair})
    assert case.cin_reviews_held == 3


# -- G-REFLECTIVE -----------------------------------------------------------------------


def test_the_reflective_discussion_needs_the_cp_chair_and_the_team_managers_record() -> None:
    book = Casebook().in_cin()
    spoiled = reflective(participants=[TM, SW], recorded_by=SW)
    refusals = book.refusals("ReflectiveDiscussionHeld", "2025-06-10", TM, **spoiled)
    words = ("did not include the case's cp_chair 'chair-1'", "not recorded by the team manager")
    assert_refusal(refusals, "G-REFLECTIVE", *words, source="000 §5, §7")
    case = book.record("ReflectiveDiscussionHeld", "2025-06-10", TM, **reflective())
    assert case.stage == "final_review"


@pytest.mark.parametrize("told_by", ["StaffAssigned left_authority", "chair_left_authority"])
def test_when_the_chair_has_left_the_authority_the_service_manager_stands_in(told_by: str) -> None:
    book = Casebook().in_cin()
    flag: dict[str, Any] = {}
    if told_by == "chair_left_authority":
        flag = {"chair_left_authority": True}
    else:
        book.record("StaffAssigned", "2025-06-01", TM, person=CHAIR, left_authority=True)
    refusals = book.refusals("ReflectiveDiscussionHeld", "2025-06-10", TM, **reflective(**flag))
    words = ("did not include the service_manager",)
    assert_refusal(refusals, "G-REFLECTIVE", *words, source="000 §5, §7")
    with_sm = reflective(participants=[TM, SW, SM], **flag)
    case = book.record("ReflectiveDiscussionHeld", "2025-06-10", TM, **with_sm)
    assert case.stage == "final_review"


def test_only_the_departure_of_the_cases_own_chair_calls_in_the_service_manager() -> None:
    book = Casebook().at_review()
    book.record("StaffAssigned", "2025-04-01", TM, person=OTHER_CHAIR)  # then CHAIR chairs
    book.record("ReviewConferenceHeld", RCPC, CHAIR, **end_plan())
    book.record("ChildInNeedMeetingHeld", "2025-05-06", CHAIR, **cin_meeting())
    book.record("StaffAssigned", "2025-06-01", TM, person=OTHER_CHAIR, left_authority=True)
    assert book.case.people()["cp_chair"] == CHAIR
    case = book.record("ReflectiveDiscussionHeld", "2025-06-10", TM, **reflective())
    assert case.stage == "final_review"


# -- G-FINAL-REVIEW and G-INFORMED ------------------------------------------------------


def test_the_final_review_names_lead_professional_outcomes_actions_frequency_contingency() -> None:
    book = Casebook().at_final_review()
    missing = {"lead_professional": None, "outstanding_outcomes": [], "actions": []}
    spoiled = final_review(**missing, review_interval_weeks=None, contingency="")
    refusals = book.refusals("FinalChildInNeedReviewHeld", "2025-06-17", TM, **spoiled)
    words = ("no lead professional", "outcomes still to be met", "no actions")
    words += ("frequency of reviews", "no contingency plan")
    assert_refusal(refusals, "G-FINAL-REVIEW", *words, source="000 §5")
    case = book.record("FinalChildInNeedReviewHeld", "2025-06-17", TM, **final_review())
    assert case.stage == "closed"


def test_a_case_is_closed_only_after_every_professional_is_informed() -> None:
    book = Casebook().at_final_review()
    uninformed = final_review(professionals_informed=False)
    refusals = book.refusals("FinalChildInNeedReviewHeld", "2025-06-17", TM, **uninformed)
    assert_refusal(refusals, "G-INFORMED", "not every professional", source="001, 003")
    refusals = book.refusals("CaseClosed", "2025-06-17", TM, reason="died")
    assert_refusal(refusals, "G-INFORMED", "not every professional", source="001, 003")
    informed = {"reason": "died", "professionals_informed": True}
    assert book.record("CaseClosed", "2025-06-17", TM, **informed).stage == "closed"


# -- G-TRANSFER and G-AGE ---------------------------------------------------------------


def test_a_transfer_needs_the_receiving_authoritys_conference_and_written_confirmation() -> None:
    book = Casebook().on_plan()
    transfer = {"receiving_authority": "Sefton", "transfer_conference_date": "2025-03-01"}
    ending = {"reason": "transferred", "transfer": transfer, "professionals_informed": True}
    refusals = book.refusals("ChildProtectionPlanEnded", "2025-03-03", TM, **ending)
    assert_refusal(refusals, "G-TRANSFER", "no written confirmation", source="003")
    refusals = book.refusals("ChildProtectionPlanEnded", "2025-03-03", TM, reason="transferred")
    words = ("no receiving authority", "no transfer conference")
    assert_refusal(refusals, "G-TRANSFER", *words, source="003")
    transfer["written_confirmation"] = True
    assert book.record("ChildProtectionPlanEnded", "2025-03-03", TM, **ending).stage == "closed"


@pytest.mark.parametrize(
    ("born", "eve", "birthday"),
    [
        ("2007-06-15", "2025-06-14", "2025-06-15"),
        ("2008-02-29", "2026-02-28", "2026-03-01"),  # a leap-day child is 18 on 1 March
    ],
)
def test_ending_because_the_child_turned_18_waits_for_the_18th_birthday(
    born: str, eve: str, birthday: str
) -> None:
    book = Casebook().on_plan(birth_date=born)
    refusals = book.refusals(
        "ChildProtectionPlanEnded", eve, TM, reason="turned_18", professionals_informed=True
    )
    assert_refusal(refusals, "G-AGE", f"the child turns 18 on {birthday}", source="003")
    case = book.record(
        "ChildProtectionPlanEnded", birthday, TM, reason="turned_18", professionals_informed=True
    )
    assert case.stage == "closed"


# -- all at once ------------------------------------------------------------------------


def test_a_refusal_lists_every_failed_rule_at_once() -> None:
    book = Casebook().at_review()
    book.today = date.fromisoformat(RCPC)
    spoiled = end_plan(
        category_judgements={},
        overriding_reasons=None,
        court_dependent={},
        social_worker_recommendation="end_plan",
        continuing_support=cin_support(contingency="", outcomes=[]),
    )
    refusals = book.refusals("ReviewConferenceHeld", "2025-04-16", SW, **spoiled)
    expected = "ROLE CHRONOLOGY EACH-CATEGORY FIRST-REVIEW COURT MANAGER CONTINGENCY SMART"
    assert set(refusals) == {f"G-{name}" for name in expected.split()}


def test_a_final_review_that_continues_the_plan_keeps_reviews_within_the_maximum() -> None:
    book = Casebook().at_final_review()
    refusals = book.refusals(
        "FinalChildInNeedReviewHeld",
        "2025-06-17",
        TM,
        **final_review(decision="continue", review_interval_weeks=20),
    )
    assert_refusal(
        refusals, "G-NEXT-MEETING", "further apart than the maximum interval", source="000 §4, 004"
    )
    book.record(
        "FinalChildInNeedReviewHeld",
        "2025-06-17",
        TM,
        **final_review(
            decision="continue", review_interval_weeks=12, next_meeting_date="2025-09-09"
        ),
    )
    assert book.case.stage == "cin"
