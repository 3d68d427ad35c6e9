"""Scenarios from the seed documents (copied into tests/fixtures/seeds). Each test quotes,
in its docstring, the seed (by number) and the exact sentence it enforces; the last test
checks every quote is still word for word in its seed. The walks take a child through
whole lifecycles."""

from __future__ import annotations

import inspect
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from casebook import (
    CHAIR,
    IROM,
    SM,
    SW,
    TM,
    Casebook,
    cin_meeting,
    cin_support,
    end_plan,
    final_review,
    reflective,
    smart_plan,
)

ASWP = {"id": "aswp-1", "role": "aswp"}
UNIVERSAL = {"kind": "universal", "family_declined": True}
RCPC, CIN = "ReviewConferenceHeld", "ChildInNeedMeetingHeld"
REFLECTIVE, FINAL = "ReflectiveDiscussionHeld", "FinalChildInNeedReviewHeld"


def due(book: Casebook, rule: str) -> str:
    """The due date of the obligation of `rule` opened last."""
    found = [o for o in book.case.obligations.values() if o.rule == rule]
    return max(found, key=lambda o: o.opened_seq).due.isoformat()


def open_rules(book: Casebook) -> set[str]:
    return {o.rule for o in book.case.open_obligations()}


# -- 000, the step-down briefing --------------------------------------------------------


def test_000_the_first_cin_meeting_within_20_working_days_chaired_by_the_cp_chair() -> None:
    """000 §2: "Set the date for the first child in need meeting, which must occur within
    20 working days of the child protection plan ending. This meeting will be chaired by
    the child protection chair." """
    book = Casebook().at_review(conference="2025-12-19", convened="2025-12-01")
    late = end_plan(first_meeting="2026-01-22")
    assert "G-FIRST-CIN-DATE" in book.refusals(RCPC, "2025-12-19", CHAIR, **late)
    book.record(RCPC, "2025-12-19", CHAIR, **end_plan(first_meeting="2026-01-21"))
    assert due(book, "T-FIRST-CIN") == "2026-01-21"
    other = cin_meeting(chair=SW, next_meeting_date="2026-03-03")
    assert "G-CHAIR-FIRST-CIN" in book.refusals(CIN, "2026-01-21", SW, **other)
    meeting = cin_meeting(next_meeting_date="2026-03-03")
    assert book.record(CIN, "2026-01-21", CHAIR, **meeting).stage == "cin"


def test_000_outcomes_in_5_working_days_and_the_cin_plan_populated_in_10() -> None:
    """000 §3: "Following the review conference the child protection chair will ensure
    that the outcomes are recorded on the child’s file within 5 working days of the child
    protection plan ending." "The social worker will populate the child in need plan on
    liquid logic within 10 working days and circulate copies to the child, family and
    multi-agency group." """  # noqa: RUF002 - the seed's own apostrophe
    book = Casebook().stepped_down(on="2025-12-19", first_meeting="2026-01-06")
    outcomes = [o for o in book.case.obligations.values() if o.rule == "T-OUTCOMES"]
    assert [(o.due, o.owner_role) for o in outcomes] == [(date(2025, 12, 30), "cp_chair")]
    assert due(book, "T-CIN-PLAN") == "2026-01-07"
    assert "G-ROLE" in book.refusals("OutcomesRecorded", "2025-12-22", SW)
    book.record("OutcomesRecorded", "2025-12-22", CHAIR)
    assert "T-OUTCOMES" not in open_rules(book)


def test_000_cin_meetings_at_most_every_3_months() -> None:
    """000 §4: "in line with the child’s needs and to a maximum of every 3 months." """  # noqa: RUF002
    book = Casebook().stepped_down()
    too_far = cin_meeting(next_meeting_date="2025-08-07")
    assert "G-NEXT-MEETING" in book.refusals(CIN, "2025-05-06", CHAIR, **too_far)
    three_months = cin_meeting(next_meeting_date="2025-08-06")
    assert book.record(CIN, "2025-05-06", CHAIR, **three_months).stage == "cin"


def test_000_the_service_manager_stands_in_for_a_chair_who_has_left() -> None:
    """000 §5: "If the child protection chair is no longer working for the Local
    Authority, then the child protection team service manager should be invited." """
    book = Casebook().in_cin()
    book.record("StaffAssigned", "2025-06-02", TM, person=CHAIR, left_authority=True)
    assert "G-REFLECTIVE" in book.refusals(REFLECTIVE, "2025-06-10", TM, **reflective())
    stand_in = reflective(participants=[TM, SW, SM])
    assert book.record(REFLECTIVE, "2025-06-10", TM, **stand_in).stage == "final_review"


def test_000_a_cin_plan_ends_only_through_a_final_cin_review() -> None:
    """000 §5: "The child in need plan must always be ended through a final child in need
    review, as per the child in need guidance." """
    book = Casebook().in_cin()
    refusals = book.refusals(FINAL, "2025-06-10", TM, **final_review())
    assert "G-STAGE" in refusals
    assert FINAL not in refusals["G-STAGE"].reason.split("allowed there")[1]
    book.record(REFLECTIVE, "2025-06-10", TM, **reflective())
    assert book.record(FINAL, "2025-06-17", TM, **final_review()).stage == "closed"


def test_000_an_icpc_that_makes_no_plan_steps_down_the_same_way() -> None:
    """000 §6: "The practice is the same as set out above in point 2." """
    book = Casebook().opened()
    no_plan = {"chair": CHAIR, "decision": "no_plan"}
    far = cin_support("2025-03-01", contingency="")
    refusals = book.refusals(
        "InitialConferenceHeld", "2025-01-20", CHAIR, **no_plan, continuing_support=far
    )
    assert {"G-CONTINGENCY", "G-FIRST-CIN-DATE"} <= set(refusals)
    book.record(
        "InitialConferenceHeld",
        "2025-01-20",
        CHAIR,
        **no_plan,
        continuing_support=cin_support("2025-02-10"),
    )
    assert (book.case.stage, due(book, "T-FIRST-CIN")) == ("step_down", "2025-02-17")


# -- 001, Managing a Child Protection Plan ----------------------------------------------


def test_001_a_plan_ends_only_when_each_category_is_no_longer_at_risk() -> None:
    """001: "The Child Protection Plan should be ended only if the child is judged to be no
    longer at continuing risk of significant harm in relation to each category of the child
    protection plan." """
    book = Casebook().at_review(categories=("neglect", "physical"))
    one = end_plan(categories=("neglect",))
    assert "G-EACH-CATEGORY" in book.refusals(RCPC, "2025-04-15", CHAIR, **one)
    both = end_plan(categories=("neglect", "physical"))
    assert book.record(RCPC, "2025-04-15", CHAIR, **both).stage == "step_down"


def test_001_ending_at_the_first_review_needs_overriding_reasons_and_an_iro_audit() -> None:
    """001: "The plan should not be discontinued at the first review conference unless
    there are overriding reasons to do so. In this event all plans that cease at the first
    review must be audited by the IRO Manager." """
    book = Casebook().at_review()
    bare = end_plan(overriding_reasons=None)
    assert "G-FIRST-REVIEW" in book.refusals(RCPC, "2025-04-15", CHAIR, **bare)
    book.record(RCPC, "2025-04-15", CHAIR, **end_plan())
    assert "T-IRO-AUDIT" in open_rules(book)
    book.record("IroManagerAuditCompleted", "2025-04-30", IROM, findings="Reasons sound")
    assert "T-IRO-AUDIT" not in open_rules(book)


def test_001_temporary_arrangements_need_a_written_assessment_and_long_term_plan() -> None:
    """001: "In such a circumstance, there must also be a completed assessment, available
    in writing to the Conference and a long-term plan which ensures continuing safety and
    which is agreed by Conference." """
    book = Casebook().at_review()
    kin = end_plan(temporary_arrangements={"assessment_completed": True})
    assert "G-TEMPORARY" in book.refusals(RCPC, "2025-04-15", CHAIR, **kin)


def test_001_an_ending_that_rests_on_a_court_order_has_a_contingency() -> None:
    """001: "Where discontinuation of a Child Protection Plan depends on seeking an order at
    Court, the Review Conference must make a contingency recommendation in the event that
    the order is not granted, for example, that there will be a further Initial Child
    Protection Conference." """
    book = Casebook().at_review()
    court = end_plan(court_dependent={"contingency_recommendation": ""})
    assert "G-COURT" in book.refusals(RCPC, "2025-04-15", CHAIR, **court)


def test_001_no_automatic_withdrawal_of_help() -> None:
    """001: "There should never be an automatic withdrawal of help." """
    book = Casebook().at_review()
    for support in (None, {"kind": "universal", "family_declined": False}):
        silent = end_plan(continuing_support=support)
        assert "G-SUPPORT" in book.refusals(RCPC, "2025-04-15", CHAIR, **silent)
    declined = end_plan(continuing_support=UNIVERSAL)
    assert book.record(RCPC, "2025-04-15", CHAIR, **declined).stage == "closed"


def test_001_the_manager_attends_when_the_social_worker_recommends_ending() -> None:
    """001: "Attend all Initial Child Protection Conferences and Review Conferences where
    the recommendation of the Social Worker is to end the Child protection Plan" """
    book = Casebook().at_review()
    alone = end_plan(social_worker_recommendation="end_plan", manager_attended=False)
    assert "G-MANAGER" in book.refusals(RCPC, "2025-04-15", CHAIR, **alone)


def test_001_reviews_within_three_months_then_at_most_six_months_apart() -> None:
    """001: "The first Child Protection Review Conference is to be held within three months
    of the Initial Child Protection Conference, and further reviews should be held at
    intervals of not more than six months, for as long as the child remains the subject of
    a Child Protection Plan." """
    book = Casebook().on_plan(on="2025-01-31")
    assert due(book, "T-FIRST-RCPC") == "2025-04-30"  # calendar months, clamped
    book.record("ReviewConferenceConvened", "2025-04-01", CHAIR, conference_date="2025-04-29")
    book.record(RCPC, "2025-04-29", CHAIR, chair=CHAIR, decision="continue")
    assert due(book, "T-NEXT-RCPC") == "2025-10-29"


def test_001_every_professional_is_told_before_the_case_closes() -> None:
    """001: "All professionals involved with the child's case should be informed of closure
    by Children's Social Care prior to closing the case." """
    book = Casebook().at_final_review()
    quiet = final_review(professionals_informed=None)
    assert "G-INFORMED" in book.refusals(FINAL, "2025-06-17", TM, **quiet)


def test_001_agency_reports_reach_the_chair_five_working_days_before_the_rcpc() -> None:
    """001: "For a Review Child Protection Conference, reports from agencies should be sent
    to the Chairperson at least five working days before the meeting." """
    book = Casebook().at_review(conference="2025-04-28", convened="2025-04-01")
    assert due(book, "T-REPORTS") == "2025-04-17"


# -- 002, Lancashire's IRO step-down guidance -------------------------------------------


def test_002_lancashire_accepts_early_help_after_a_referral_before_the_rcpc() -> None:
    """002: "Where it is judged that this support can be provided at Level 3 of the
    Continuum of Need **it is expected that a referral and case discussion with Children
    and Family Wellbeing Service should be undertaken before the Review Child Protection
    Conference.**" """
    early_help = {"kind": "early_help", "referral_made": True}
    for pack, accepted in (("default", False), ("lancashire", True)):
        book = Casebook(policy=pack).at_review()
        outcome = book.attempt(RCPC, "2025-04-15", CHAIR,
                               **end_plan(continuing_support=early_help))  # fmt: skip
        assert (book.case.stage == "closed") is accepted, outcome
    book = Casebook(policy="lancashire").at_review()
    not_made = end_plan(continuing_support={**early_help, "referral_made": False})
    assert "G-SUPPORT" in book.refusals(RCPC, "2025-04-15", CHAIR, **not_made)


def test_002_a_first_review_step_down_is_scrutinised_in_lancashire() -> None:
    """002: "**A CP Plan ending by step-down at the first review** (so typically approx. 8
    weeks after the creation of the plan) should be unusual" """
    book = Casebook(policy="lancashire").at_review()
    bare = end_plan(overriding_reasons=None)
    refusal = book.refusals(RCPC, "2025-04-15", CHAIR, **bare)["G-FIRST-REVIEW"]
    assert refusal.source == "001, 002"
    book.record(RCPC, "2025-04-15", CHAIR, **end_plan())
    assert "T-IRO-AUDIT" in open_rules(book)


# -- 003, Sefton ------------------------------------------------------------------------


def test_003_a_transfer_needs_the_receiving_authoritys_conference_in_writing() -> None:
    """003: "The child has moved permanently to another local authority; provided the
    receiving authority has convened a transfer child protection conference and confirmed
    in writing responsibility for case management" """
    book = Casebook(policy="sefton").on_plan()
    transfer = {"receiving_authority": "Knowsley", "transfer_conference_date": "2025-03-03"}
    verbal = {"reason": "transferred", "transfer": {**transfer, "written_confirmation": False}}
    assert "G-TRANSFER" in book.refusals("ChildProtectionPlanEnded", "2025-03-04", TM, **verbal)
    written = {"reason": "transferred", "transfer": {**transfer, "written_confirmation": True}}
    written["professionals_informed"] = True
    assert book.record("ChildProtectionPlanEnded", "2025-03-04", TM, **written).stage == "closed"
    assert due(book, "T-NOTIFY") == "2025-03-11"


def test_003_the_plan_ends_at_eighteen_not_before() -> None:
    """003: "The child has reached eighteen years of age, has died or has permanently left
    the UK." """
    book = Casebook(policy="sefton").on_plan(birth_date="2007-03-01")
    assert "G-AGE" in book.refusals(
        "ChildProtectionPlanEnded", "2025-02-28", TM, reason="turned_18"
    )
    assert (
        book.record(
            "ChildProtectionPlanEnded",
            "2025-03-01",
            TM,
            reason="turned_18",
            professionals_informed=True,
        ).stage
        == "closed"
    )


def test_003_sefton_cin_meetings_are_4_weekly() -> None:
    """003: "The plan should be reviewed at Child in Need meetings, which should take place
    on a 4 weekly basis." """
    book = Casebook(policy="sefton").stepped_down()
    six_weeks = cin_meeting(next_meeting_date="2025-06-17")
    assert "G-NEXT-MEETING" in book.refusals(CIN, "2025-05-06", CHAIR, **six_weeks)
    four_weeks = cin_meeting(next_meeting_date="2025-06-03")
    assert book.record(CIN, "2025-05-06", CHAIR, **four_weeks).stage == "cin"


def test_003_sefton_notifies_the_agencies_when_a_plan_ends() -> None:
    """003: "When a child is no longer subject to a child protection plan, notification
    should be sent, as a minimum, to the agencies’ representatives who were invited to
    attend the initial conference that led to the plan." """  # noqa: RUF002
    book = Casebook(policy="sefton").stepped_down()
    assert "T-NOTIFY" in open_rules(book)
    book.record("AgenciesNotified", "2025-04-17", SW, agencies=["Police", "School", "Health"])
    assert "T-NOTIFY" not in open_rules(book)
    assert "T-NOTIFY" not in {o.rule for o in Casebook().stepped_down().case.obligations.values()}


def test_003_dissent_is_recorded_even_after_the_case_closed() -> None:
    """003: "If an agency does not agree with a decision or recommendation made at a child
    protection conference their dissent will be recorded in the minutes of the
    conference." """
    book = Casebook(policy="sefton").at_review()
    dissent = [{"agency": "Police", "reason": "Risk remains"}]
    ending = end_plan(continuing_support={"kind": "universal", "reason": "School and GP"})
    book.record(RCPC, "2025-04-15", CHAIR, **ending, dissent=dissent)
    late = {"agency": "Health", "about": "the plan ending", "reason": "Not consulted"}
    assert book.record("DissentRecorded", "2025-04-16", CHAIR, **late).stage == "closed"


# -- 004, the 10 point Child in Need guide ----------------------------------------------


def test_004_vague_timescales_are_not_acceptable() -> None:
    """004: "Terms like 'ongoing' and ASAP are not acceptable." """
    book = Casebook().stepped_down()
    for vague in ("ongoing", "ASAP"):
        plan = smart_plan("2025-05-06", actions=[{"action": "Support", "owner": SW, "due": vague}])
        refusals = book.refusals("ChildInNeedPlanRecorded", "2025-04-20", SW, plan=plan)
        assert refusals["G-SMART"].reason.endswith(f"has a vague timescale {vague!r}")


def test_004_the_third_review_is_chaired_by_an_aswp_or_team_manager() -> None:
    """004: "Any 3rd Child in Need Review Meeting will be chaired by the Advanced Social
    Work Practitioner / Team Manager to minimise drift." """
    book = Casebook().in_cin(next_meeting="2025-05-27")
    for on, then in (("2025-05-27", "2025-06-17"), ("2025-06-17", "2025-07-08")):
        book.record(CIN, on, SW, **cin_meeting("review", SW, next_meeting_date=then))
    third = cin_meeting("review", SW, next_meeting_date="2025-08-05")
    assert "G-THIRD-REVIEW" in book.refusals(CIN, "2025-07-08", SW, **third)
    book.record(CIN, "2025-07-08", ASWP, **{**third, "chair": ASWP})


def test_004_visits_at_least_four_weekly_and_copies_within_five_working_days() -> None:
    """004: "The minimum visiting frequency should be individually determined based on the
    needs of the child, but should not be less than four weekly." "The child/young person,
    their parent/carer, and all key family members and agencies are provided with a copy of
    the plan within five working days of the meeting." """
    book = Casebook().at_review()
    eight_weekly = cin_support(visiting_interval_weeks=8)
    refusals = book.refusals(RCPC, "2025-04-15", CHAIR, **end_plan(continuing_support=eight_weekly))
    assert "visits every 8 weeks" in refusals["G-SMART"].reason  # refused, not capped
    book.record(RCPC, "2025-04-15", CHAIR, **end_plan(continuing_support=cin_support()))
    assert due(book, "T-CIN-VISIT") == "2025-05-13"  # four weeks
    book.record(CIN, "2025-04-17", CHAIR, **cin_meeting())
    assert due(book, "T-CIN-COPIES") == "2025-04-28"


# -- whole lifecycles -------------------------------------------------------------------

Step = tuple[str, str, dict[str, str], dict[str, Any], str]
PLAN = {"chair": CHAIR, "decision": "plan", "categories": ["neglect"], "lead_social_worker": SW}
CONTINUE = {"chair": CHAIR, "decision": "continue"}
SEEN = {"seen": True, "seen_alone": True, "bedroom_seen": True}
OPENING: list[Step] = [
    ("StrategyMeetingHeld", "2025-01-07", TM, {"outcome": "s47"}, "referral"),
    ("AssessmentStarted", "2025-01-08", SW, {}, "referral"),
    ("InitialConferenceHeld", "2025-01-20", CHAIR, PLAN, "cp_plan"),
    ("AssessmentCompleted", "2025-01-24", SW, {}, "cp_plan"),
    ("CoreGroupMeetingHeld", "2025-01-30", TM, {"chair": TM}, "cp_plan"),
    ("ChildVisited", "2025-02-01", SW, SEEN, "cp_plan"),
    ("ReviewConferenceConvened", "2025-03-25", CHAIR, {"conference_date": "2025-04-15"}, "review"),
    ("AgencyReportReceived", "2025-04-07", CHAIR, {"agency": "School"}, "review"),
    (RCPC, "2025-04-15", CHAIR, CONTINUE, "cp_plan"),
    ("ReviewConferenceConvened", "2025-09-22", CHAIR, {"conference_date": "2025-10-14"}, "review"),
]  # fmt: skip


def meeting(on: str, chair: dict[str, str], next_date: str, kind: str = "review") -> Step:
    data = cin_meeting(kind, chair, next_meeting_date=next_date)
    return (CIN, on, chair, data, "cin")


def walk(book: Casebook, steps: list[Step]) -> None:
    for event, on, actor, data, stage in steps:
        assert book.record(event, on, actor, **data).stage == stage, (event, on)
        assert book.replayed() == book.case


def test_000_a_child_walks_from_referral_through_a_plan_and_cin_to_closure() -> None:
    """000: "The focus should be on celebrating success and family led planning and
    decision making, moving into child in need planning." """
    book = Casebook().opened()
    walk(book, OPENING)
    assert open_rules(book) >= {"T-NEXT-RCPC", "T-REPORTS", "T-CP-VISIT", "T-TWO-YEARS"}
    assert "T-ASSESSMENT" not in open_rules(book) and "T-FIRST-RCPC" not in open_rules(book)
    ending = end_plan(first_meeting="2025-11-04", overriding_reasons=None,
                      social_worker_recommendation="end_plan", manager_attended=True)  # fmt: skip
    walk(book, [(RCPC, "2025-10-14", CHAIR, ending, "step_down")])
    assert open_rules(book) == {"T-OUTCOMES", "T-CIN-PLAN", "T-FIRST-CIN", "T-CIN-VISIT"}
    copies = {"recipients": ["child", "family", "agencies"]}
    cin_plan = smart_plan("2025-11-04")
    walk(book, [
        ("OutcomesRecorded", "2025-10-16", CHAIR, {}, "step_down"),
        ("ChildInNeedPlanRecorded", "2025-10-20", SW, {"plan": cin_plan}, "step_down"),
        ("ChildInNeedPlanCirculated", "2025-10-21", SW, copies, "step_down"),
        meeting("2025-11-04", CHAIR, "2025-12-16", "first"),
        ("ChildInNeedPlanCirculated", "2025-11-06", SW, copies, "cin"),
        ("ChildVisited", "2025-11-10", SW, {"seen": True}, "cin"),
        meeting("2025-12-16", SW, "2026-01-27"),
        meeting("2026-01-27", SW, "2026-03-10"),
        (REFLECTIVE, "2026-03-03", TM, reflective(), "final_review"),
        (FINAL, "2026-03-10", TM, final_review(), "closed"),
    ])  # fmt: skip
    assert book.case.open_obligations() == []
    statuses = {o.status(date(2026, 3, 10)) for o in book.case.obligations.values()}
    assert statuses <= {"met", "met_late", "lapsed"}


def test_002_a_lancashire_child_steps_down_to_early_help_at_the_second_review() -> None:
    """002: "Where a lack of consent to non-statutory support is a factor in post CPP
    planning this should be explicitly acknowledged in terms of how universal services will
    support the family." """
    book = Casebook(policy="lancashire").opened()
    walk(book, OPENING)
    support = {"kind": "early_help", "referral_made": True}
    walk(book, [(RCPC, "2025-10-14", CHAIR,
                 end_plan(continuing_support=support), "closed")])  # fmt: skip
    assert open_rules(book) == {"T-OUTCOMES"}  # no IRO audit: not the first review
    walk(book, [("OutcomesRecorded", "2025-10-15", CHAIR, {}, "closed"),
                ("CaseReopened", "2026-02-02", SW, {}, "referral")])  # fmt: skip
    declined = Casebook(policy="lancashire").opened()
    walk(declined, OPENING)
    silent = end_plan(continuing_support=UNIVERSAL)  # the lack of consent, unexplained
    assert (
        "universal support needs reason"
        in declined.refusals(RCPC, "2025-10-14", CHAIR, **silent)["G-SUPPORT"].reason
    )
    explained = {**UNIVERSAL, "reason": "The school nurse and GP will follow up"}
    walk(declined, [(RCPC, "2025-10-14", CHAIR,
                     end_plan(continuing_support=explained), "closed")])  # fmt: skip


def test_003_a_sefton_child_steps_down_at_the_first_review_into_4_weekly_cin() -> None:
    """003: "A child in need plan should be developed for any continuing support." """
    book = Casebook(policy="sefton").stepped_down()
    assert open_rules(book) >= {"T-NOTIFY", "T-IRO-AUDIT", "T-FIRST-CIN", "T-OUTCOMES"}
    walk(book, [
        ("AgenciesNotified", "2025-04-16", SW, {"agencies": ["Police", "School"]}, "step_down"),
        ("IroManagerAuditCompleted", "2025-04-25", IROM, {}, "step_down"),
        meeting("2025-05-06", CHAIR, "2025-06-03", "first"),
        meeting("2025-06-03", SW, "2025-07-01"),
        meeting("2025-07-01", SW, "2025-07-29"),
        meeting("2025-07-29", SW, "2025-08-26"),
        (REFLECTIVE, "2025-08-20", TM, reflective(), "final_review"),
        (FINAL, "2025-08-26", TM, final_review(), "closed"),
    ])  # fmt: skip
    assert {"T-NOTIFY", "T-IRO-AUDIT"}.isdisjoint(open_rules(book))


# -- the quotes are the seeds' own words ------------------------------------------------

# The five seed documents, copied byte for byte into the repository (see their README).
SEEDS = Path(__file__).parents[1] / "fixtures" / "seeds"


def scenarios() -> list[Any]:
    module = sys.modules[__name__]
    return [f for name, f in inspect.getmembers(module, inspect.isfunction)
            if name.startswith("test_") and re.match(r"test_00\d_", name)]  # fmt: skip


@pytest.mark.parametrize("scenario", scenarios(), ids=lambda f: f.__name__)
def test_every_scenario_quotes_its_seed_word_for_word(scenario: Any) -> None:
    doc = inspect.getdoc(scenario) or ""
    seed = scenario.__name__[5:8]
    assert doc.startswith(seed), f"{scenario.__name__} does not cite seed {seed} first"
    quotes = re.findall(r'"(.+?)"(?=\s|$)', doc, re.S)
    assert quotes, f"{scenario.__name__} quotes nothing"
    (path,) = SEEDS.glob(f"{seed}_*.txt")
    text = " ".join(path.read_text(encoding="utf-8").split())
    for quote in quotes:
        assert " ".join(quote.split()) in text, quote
