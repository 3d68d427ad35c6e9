"""The CIN census export: small hand-built logs in, the census `Message` out."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

import pytest

from cpworkflow.errors import BadInputError
from cpworkflow.reports.census import census_return, census_xml
from storedlog import CaseLog

YEAR = 2026  # the 2025-26 census: 1 April 2025 to 31 March 2026
CHAIR = {"id": "chair1", "role": "cp_chair"}
SW = {"id": "sw1", "role": "social_worker"}
CIN_SUPPORT = {"kind": "cin", "family_consent": True, "plan": {"outcomes": ["safe at home"]}}


def opened(
    case_id: str = "C1",
    on: str = "2025-05-01",
    *,
    ref: str = "CH1",
    referral: dict[str, Any] | None = None,
    **child: Any,
) -> CaseLog:
    """A case opened on `on` for a born girl; a child field given as None is left out."""
    log = CaseLog(case_id)
    child = {
        "ref": ref,
        "birth_date": "2019-06-01",
        "gender": "female",
        "disabilities": ["NONE"],
        **child,
    }
    child = {k: v for k, v in child.items() if v is not None}
    if referral is None:
        referral = {"date": on, "source": "2A", "primary_need": "N1"}
    log.record("CaseOpened", on, stage="referral", child=child, referral=referral)
    return log


def parse(document: bytes) -> ET.Element:
    return ET.fromstring(document)  # noqa: S314 (our own output, not untrusted input)


def census(*logs: CaseLog, year: int = YEAR, **kwargs: Any) -> ET.Element:
    return parse(census_xml([log.events for log in logs], year=year, **kwargs))


def on_a_plan(log: CaseLog, *, categories: list[str] | None = None) -> None:
    log.record("StrategyMeetingHeld", "2025-05-02", outcome="s47")
    log.record("AssessmentStarted", "2025-05-02")
    log.record("AssessmentCompleted", "2025-05-20", factors=["3A", "2B"])
    log.record(
        "InitialConferenceHeld",
        "2025-05-22",
        stage="cp_plan",
        chair=CHAIR,
        decision="plan",
        categories=categories or ["neglect"],
        lead_social_worker=SW,
    )


def test_a_referral_closed_by_a_strategy_nfa_is_a_referral_with_no_further_action() -> None:
    log = opened()
    log.record("StrategyMeetingHeld", "2025-05-03", stage="closed", outcome="nfa")

    details = census(log).find("Children/Child/CINdetails")

    assert details is not None
    assert details.findtext("CINreferralDate") == "2025-05-01"
    assert details.findtext("ReferralSource") == "2A"
    assert details.findtext("PrimaryNeedCode") == "N1"
    assert details.findtext("CINclosureDate") == "2025-05-03"
    assert details.findtext("ReasonForClosure") == "RC7"
    assert details.findtext("ReferralNFA") == "1"
    assert details.find("Assessments") is None


def test_a_strategy_nfa_after_an_assessment_is_closed_after_assessment_rc8() -> None:
    log = opened()
    log.record("AssessmentStarted", "2025-05-02")
    log.record("AssessmentCompleted", "2025-05-09", factors=["21"])
    log.record("StrategyMeetingHeld", "2025-05-10", stage="closed", outcome="nfa")

    details = census(log).find("Children/Child/CINdetails")

    assert details is not None
    assert details.findtext("ReasonForClosure") == "RC8"
    assert details.findtext("ReferralNFA") == "0"
    assert details.findtext("Assessments/AssessmentAuthorisationDate") == "2025-05-09"


def test_a_child_on_a_plan_with_reviews_then_stepped_down_to_cin_and_closed() -> None:
    log = opened()
    on_a_plan(log)
    log.record("ReviewConferenceConvened", "2025-07-01", stage="review")
    log.record(
        "ReviewConferenceHeld",
        "2025-08-20",
        stage="cp_plan",
        chair=CHAIR,
        decision="continue",
        category_judgements={"neglect": "continuing_risk"},
        categories=["neglect", "emotional"],
    )
    log.record("ReviewConferenceConvened", "2025-11-01", stage="review")
    log.record(
        "ReviewConferenceHeld",
        "2025-11-20",
        stage="step_down",
        chair=CHAIR,
        decision="end_plan",
        category_judgements={"neglect": "no_longer_at_risk", "emotional": "no_longer_at_risk"},
        continuing_support=CIN_SUPPORT,
    )
    log.record("ChildInNeedMeetingHeld", "2025-12-01", stage="cin", chair=CHAIR, kind="first")
    log.record("ReflectiveDiscussionHeld", "2026-02-01", stage="final_review")
    log.record("FinalChildInNeedReviewHeld", "2026-02-10", stage="closed", decision="end_plan")

    details = census(log).find("Children/Child/CINdetails")

    assert details is not None
    assert details.findtext("CINclosureDate") == "2026-02-10"
    assert details.findtext("ReasonForClosure") == "RC7"
    assert details.findtext("ReferralNFA") == "0"
    assert details.findtext("Assessments/AssessmentActualStartDate") == "2025-05-02"
    factors = details.findall("Assessments/FactorsIdentifiedAtAssessment/AssessmentFactors")
    assert [f.text for f in factors] == ["3A", "2B"]
    assert details.findtext("Section47/S47ActualStartDate") == "2025-05-02"
    assert details.findtext("Section47/DateOfInitialCPC") == "2025-05-22"
    assert details.findtext("Section47/ICPCnotRequired") == "0"
    assert details.findtext("CINPlanDates/CINPlanStartDate") == "2025-11-20"
    assert details.findtext("CINPlanDates/CINPlanEndDate") == "2026-02-10"
    plan = details.find("ChildProtectionPlans")
    assert plan is not None
    assert plan.findtext("CPPstartDate") == "2025-05-22"
    assert plan.findtext("CPPendDate") == "2025-11-20"
    assert plan.findtext("InitialCategoryOfAbuse") == "NEG"
    assert plan.findtext("LatestCategoryOfAbuse") == "MUL"
    assert plan.findtext("NumberOfPreviousCPP") == "0"
    assert [r.text for r in plan.findall("Reviews/CPPreviewDate")] == ["2025-08-20", "2025-11-20"]


def test_several_categories_at_the_initial_conference_are_multiple() -> None:
    log = opened()
    on_a_plan(log, categories=["physical", "sexual"])

    plan = census(log).find("Children/Child/CINdetails/ChildProtectionPlans")

    assert plan is not None
    assert plan.findtext("InitialCategoryOfAbuse") == "MUL"
    assert plan.findtext("LatestCategoryOfAbuse") == "MUL"
    assert plan.find("CPPendDate") is None


def test_a_case_outside_the_census_year_is_left_out() -> None:
    before = opened("C0", "2024-05-01", ref="CH0")
    before.record("StrategyMeetingHeld", "2025-03-20", stage="closed", outcome="nfa")
    after = opened("C9", "2026-04-02", ref="CH9")
    inside = opened("C1", "2025-04-01", ref="CH1")

    children = census(before, inside, after).findall("Children/Child")

    assert [c.findtext("ChildIdentifiers/LAchildID") for c in children] == ["CH1"]


def test_a_census_with_no_child_in_the_year_is_refused() -> None:
    before = opened("C0", "2024-05-01")
    before.record("StrategyMeetingHeld", "2024-06-01", stage="closed", outcome="nfa")

    with pytest.raises(BadInputError, match="no child's CIN episode was open"):
        census(before)


def test_a_retracted_assessment_is_skipped() -> None:
    log = opened()
    wrong = log.record("AssessmentStarted", "2025-05-02")
    log.record("EntryRetracted", "2025-05-03", seq=wrong, reason="wrong child")
    log.record("AssessmentStarted", "2025-05-06")

    assessments = census(log).findall("Children/Child/CINdetails/Assessments")

    assert [a.findtext("AssessmentActualStartDate") for a in assessments] == ["2025-05-06"]


def test_a_reopened_case_gives_two_cin_episodes_and_counts_the_earlier_plan() -> None:
    log = opened()
    on_a_plan(log)
    log.record("ChildProtectionPlanEnded", "2025-06-30", stage="closed", reason="left_uk")
    log.record(
        "CaseReopened",
        "2025-10-01",
        stage="referral",
        referral={"date": "2025-09-30", "source": "6", "primary_need": "N4"},
    )
    log.record("StrategyMeetingHeld", "2025-10-02", outcome="s47")
    log.record(
        "InitialConferenceHeld",
        "2025-10-20",
        stage="cp_plan",
        chair=CHAIR,
        decision="plan",
        categories=["physical"],
    )

    episodes = census(log).findall("Children/Child/CINdetails")

    assert [e.findtext("CINreferralDate") for e in episodes] == ["2025-05-01", "2025-09-30"]
    assert [e.findtext("CINclosureDate") for e in episodes] == ["2025-06-30", None]
    assert episodes[0].findtext("ReasonForClosure") == "RC7"
    assert episodes[0].findtext("ChildProtectionPlans/CPPendDate") == "2025-06-30"
    assert episodes[1].findtext("ReferralSource") == "6"
    assert episodes[1].findtext("ChildProtectionPlans/NumberOfPreviousCPP") == "1"
    assert episodes[1].findtext("ChildProtectionPlans/InitialCategoryOfAbuse") == "PHY"


def test_elements_follow_the_schema_sequence() -> None:
    log = opened()
    on_a_plan(log)
    log.record("ChildProtectionPlanEnded", "2025-09-01", stage="closed", reason="transferred")

    child = census(log).find("Children/Child")

    assert child is not None
    details = child.find("CINdetails")
    assert details is not None
    assert [e.tag for e in child] == ["ChildIdentifiers", "ChildCharacteristics", "CINdetails"]
    assert [e.tag for e in details] == [
        "CINreferralDate",
        "ReferralSource",
        "PrimaryNeedCode",
        "CINclosureDate",
        "ReasonForClosure",
        "Assessments",
        "Section47",
        "ReferralNFA",
        "ChildProtectionPlans",
    ]
    assert details.findtext("ReasonForClosure") == "RC5"


def test_the_header_names_the_collection_and_the_output_is_deterministic() -> None:
    log = opened()
    at = datetime(2026, 4, 10, 8, 30, 5, 123, tzinfo=UTC)

    first = census_xml([log.events], year=YEAR, la_code="318", generated_at=at)
    again = census_xml([log.events], year=YEAR, la_code="318", generated_at=at)
    header = parse(first).find("Header")

    assert first == again
    assert first.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n  <Header>')
    assert header is not None
    assert header.findtext("CollectionDetails/Collection") == "CIN"
    assert header.findtext("CollectionDetails/Year") == "2026"
    assert header.findtext("CollectionDetails/ReferenceDate") == "2026-03-31"
    assert header.findtext("Source/SourceLevel") == "L"
    assert header.findtext("Source/LEA") == "318"
    assert header.findtext("Source/DateTime") == "2026-04-10T08:30:05+00:00"


def test_events_after_the_reference_date_do_not_count() -> None:
    log = opened()
    log.record("StrategyMeetingHeld", "2026-04-03", stage="closed", outcome="nfa")

    details = census(log).find("Children/Child/CINdetails")

    assert details is not None
    assert details.find("CINclosureDate") is None
    assert details.findtext("ReferralNFA") == "0"


def test_an_unborn_child_has_an_expected_birth_date_and_sex_u() -> None:
    log = opened(birth_date=None, expected_birth_date="2026-01-10", gender="male")

    ids = census(log).find("Children/Child/ChildIdentifiers")

    assert ids is not None
    assert ids.find("PersonBirthDate") is None
    assert ids.findtext("ExpectedPersonBirthDate") == "2026-01-10"
    assert ids.findtext("Sex") == "U"


def test_a_child_who_died_has_a_death_date_and_closure_rc2() -> None:
    log = opened(upn="a12345678901b")
    log.record("CaseClosed", "2025-07-01", stage="closed", reason="died")

    child = census(log).find("Children/Child")

    assert child is not None
    assert child.findtext("ChildIdentifiers/UPN") == "A12345678901B"
    assert child.findtext("ChildIdentifiers/PersonDeathDate") == "2025-07-01"
    assert child.findtext("CINdetails/ReasonForClosure") == "RC2"


def test_what_the_log_does_not_say_uses_the_census_not_known_codes_or_is_left_out() -> None:
    log = opened(gender=None, referral={})

    child = census(log).find("Children/Child")

    assert child is not None
    assert child.findtext("ChildIdentifiers/Sex") == "U"
    assert child.findtext("ChildCharacteristics/Ethnicity") == "NOBT"
    assert child.findtext("CINdetails/ReferralSource") == "10"
    assert child.find("CINdetails/PrimaryNeedCode") is None
    assert child.findtext("CINdetails/CINreferralDate") == "2025-05-01"


def returned(*logs: CaseLog) -> tuple[list[str], list[dict[str, str]]]:
    """The LAchildIDs in the return, and the problems of the children left out."""
    result = census_return([log.events for log in logs], year=YEAR)
    refs = [c.findtext("ChildIdentifiers/LAchildID") or "" for c in parse(result.xml).iter("Child")]
    return refs, [p.to_json() for p in result.problems]


def test_a_child_without_a_birth_date_is_left_out_and_named_while_the_rest_is_returned() -> None:
    refs, problems = returned(opened("C1", birth_date=None), opened("C2", ref="CH2"))

    assert refs == ["CH2"]
    assert problems == [
        {
            "child": "CH1",
            "case_id": "C1",
            "item": "PersonBirthDate",
            "problem": "the census needs the child's birth date (PersonBirthDate) or expected "
            "birth date (ExpectedPersonBirthDate)",
        }
    ]


def test_census_xml_refuses_a_return_that_would_leave_a_child_out() -> None:
    with pytest.raises(BadInputError, match=r"case C1: .*\(PersonBirthDate\)") as refused:
        census(opened(birth_date=None), opened("C2", ref="CH2"))

    assert refused.value.field == "PersonBirthDate"


def test_a_code_the_census_does_not_know_leaves_the_child_out() -> None:
    refs, problems = returned(opened(ethnicity="ZZZZ"), opened("C2", ref="CH2"))

    assert refs == ["CH2"]
    assert [(p["case_id"], p["item"], p["problem"]) for p in problems] == [
        ("C1", "Ethnicity", "'ZZZZ' is not a census Ethnicity code")
    ]


def test_when_no_child_can_be_returned_the_census_is_refused_with_the_first_reason() -> None:
    with pytest.raises(BadInputError, match=r"no child can be returned \(1 left out: .*birth"):
        census_return([opened(birth_date=None).events], year=YEAR)


def test_two_cases_of_one_child_that_disagree_about_the_child_leave_the_child_out() -> None:
    other = opened("C3", ref="CH3")
    refs, problems = returned(opened("C1"), opened("C2", birth_date="2019-06-02"), other)

    assert refs == ["CH3"]
    assert [(p["child"], p["case_id"], p["item"]) for p in problems] == [
        ("CH1", "C2", "ChildIdentifiers")
    ]


def test_a_section_47_that_ends_in_s17_needs_no_conference() -> None:
    log = opened()
    log.record("StrategyMeetingHeld", "2025-05-02", outcome="s47")
    log.record("StrategyMeetingHeld", "2025-05-09", stage="step_down", outcome="s17")

    details = census(log).find("Children/Child/CINdetails")

    assert details is not None
    assert details.findtext("Section47/ICPCnotRequired") == "1"
    assert details.find("Section47/DateOfInitialCPC") is None
    assert details.findtext("CINPlanDates/CINPlanStartDate") == "2025-05-09"
    assert details.find("CINPlanDates/CINPlanEndDate") is None


def test_a_section_47_still_open_at_the_reference_date_awaits_its_conference() -> None:
    log = opened("C1", "2026-03-01")
    log.record("StrategyMeetingHeld", "2026-03-02", outcome="s47")

    s47 = census(log).find("Children/Child/CINdetails/Section47")

    assert s47 is not None
    assert [e.tag for e in s47] == ["S47ActualStartDate", "ICPCnotRequired"]
    assert s47.findtext("ICPCnotRequired") == "0"


def test_a_local_authority_code_must_be_three_digits() -> None:
    with pytest.raises(BadInputError, match="three-digit"):
        census(opened(), la_code="E09")


def test_a_section_47_during_a_plan_needs_no_initial_conference() -> None:
    log = opened()
    on_a_plan(log)
    log.record("StrategyMeetingHeld", "2025-07-01", outcome="s47")

    s47s = census(log).findall("Children/Child/CINdetails/Section47")

    assert [s.findtext("S47ActualStartDate") for s in s47s] == ["2025-05-02", "2025-07-01"]
    assert [s.findtext("ICPCnotRequired") for s in s47s] == ["0", "1"]


def test_two_cases_of_one_child_are_one_child_with_both_episodes() -> None:
    first = opened("C1", "2025-04-05")
    on_a_plan(first)
    first.record("ChildProtectionPlanEnded", "2025-06-01", stage="closed", reason="transferred")
    second = opened("C2", "2025-09-01")
    on_a_plan(second)

    children = census(second, first).findall("Children/Child")

    assert len(children) == 1
    episodes = children[0].findall("CINdetails")
    assert [e.findtext("CINreferralDate") for e in episodes] == ["2025-04-05", "2025-09-01"]
    previous = [e.findtext("ChildProtectionPlans/NumberOfPreviousCPP") for e in episodes]
    assert previous == ["0", "1"]


def test_disabilities_are_the_censuss_codes_and_the_latest_record_wins() -> None:
    log = opened(disabilities=["MOB"])
    log.record("ChildDetailsRecorded", "2025-06-01", disabilities=["AUT", "COMM", "AUT"])

    codes = census(log).findall("Children/Child/ChildCharacteristics/Disabilities/Disability")

    assert [c.text for c in codes] == ["AUT", "COMM"]


def test_a_born_child_with_no_disabilities_recorded_cannot_be_returned() -> None:
    refs, problems = returned(opened(disabilities=None), opened("C2", ref="CH2"))

    assert refs == ["CH2"]
    assert [(p["child"], p["item"]) for p in problems] == [("CH1", "Disability")]
    assert "ChildDetailsRecorded" in problems[0]["problem"]


def test_a_referral_with_no_further_action_needs_no_disabilities() -> None:
    log = opened(disabilities=None)
    log.record("StrategyMeetingHeld", "2025-05-03", stage="closed", outcome="nfa")

    child = census(log).find("Children/Child")

    assert child is not None
    assert child.find("ChildCharacteristics/Disabilities") is None
    assert child.findtext("CINdetails/ReferralNFA") == "1"


def test_none_with_another_disability_cannot_be_returned() -> None:
    refs, problems = returned(opened(disabilities=["NONE", "VIS"]), opened("C2", ref="CH2"))

    assert (refs, [p["item"] for p in problems]) == (["CH2"], ["Disability"])


def test_a_upn_learned_later_replaces_the_reason_it_was_unknown() -> None:
    unknown = opened(upn_unknown="UN2")
    learned = opened("C2", ref="CH2", upn_unknown="UN2")
    learned.record("ChildDetailsRecorded", "2025-09-01", upn="B12345678901C")
    moved = opened("C3", ref="CH3", upn="C12345678901D")
    moved.record(
        "ChildDetailsRecorded", "2025-09-01", upn="D12345678901E", former_upn="C12345678901D"
    )

    ids = {
        c.findtext("ChildIdentifiers/LAchildID"): c.find("ChildIdentifiers")
        for c in census(unknown, learned, moved).iter("Child")
    }

    first = ids["CH1"]
    assert first is not None
    assert [(e.tag, e.text) for e in first][:2] == [("LAchildID", "CH1"), ("UPNunknown", "UN2")]
    assert ids["CH2"] is not None
    assert ids["CH2"].findtext("UPN") == "B12345678901C"
    assert ids["CH2"].find("UPNunknown") is None
    assert ids["CH3"] is not None
    assert (ids["CH3"].findtext("UPN"), ids["CH3"].findtext("FormerUPN")) == (
        "D12345678901E",
        "C12345678901D",
    )


def test_details_recorded_after_the_reference_date_still_describe_the_child() -> None:
    log = opened(disabilities=None)
    log.record("ChildDetailsRecorded", "2026-04-20", disabilities=["NONE"], ethnicity="WIRI")

    child = census(log).find("Children/Child/ChildCharacteristics")

    assert child is not None
    assert child.findtext("Ethnicity") == "WIRI"
    assert child.findtext("Disabilities/Disability") == "NONE"


def test_a_retracted_detail_is_not_the_childs() -> None:
    log = opened(ethnicity="WBRI")
    wrong = log.record("ChildDetailsRecorded", "2025-06-01", ethnicity="BAFR")
    log.record("EntryRetracted", "2025-06-02", seq=wrong, reason="another child's")

    assert census(log).findtext("Children/Child/ChildCharacteristics/Ethnicity") == "WBRI"


def test_an_unborn_child_born_in_the_year_has_a_birth_date_and_a_sex() -> None:
    log = opened(birth_date=None, expected_birth_date="2025-08-01", gender=None)
    log.record("ChildBorn", "2025-08-04", birth_date="2025-07-30", gender="M")

    ids = census(log).find("Children/Child/ChildIdentifiers")

    assert ids is not None
    assert ids.findtext("PersonBirthDate") == "2025-07-30"
    assert ids.find("ExpectedPersonBirthDate") is None
    assert ids.findtext("Sex") == "M"


def test_a_birth_after_the_reference_date_leaves_the_child_unborn_in_the_return() -> None:
    log = opened(birth_date=None, expected_birth_date="2026-04-10", gender=None)
    log.record("ChildBorn", "2026-04-12", birth_date="2026-04-11", gender="F")

    ids = census(log).find("Children/Child/ChildIdentifiers")

    assert ids is not None
    assert ids.findtext("ExpectedPersonBirthDate") == "2026-04-10"
    assert (ids.find("PersonBirthDate"), ids.findtext("Sex")) == (None, "U")


def test_an_assessment_that_referred_to_early_help_then_nfa_closes_rc9() -> None:
    log = opened()
    log.record("AssessmentStarted", "2025-05-02")
    log.record("AssessmentCompleted", "2025-05-09", factors=["21"], outcome="early_help")
    log.record("StrategyMeetingHeld", "2025-05-10", stage="closed", outcome="nfa")

    details = census(log).find("Children/Child/CINdetails")

    assert details is not None
    assert (details.findtext("ReasonForClosure"), details.findtext("ReferralNFA")) == ("RC9", "0")


@pytest.mark.parametrize("year", [26, 1999, 2101])
def test_a_year_that_is_not_a_collection_year_is_refused(year: int) -> None:
    with pytest.raises(BadInputError, match=f"{year} is not a collection year") as refused:
        census(opened(), year=year)

    assert refused.value.field == "--year"


def test_a_reason_for_no_upn_recorded_after_a_upn_is_the_latest_word() -> None:
    log = opened(upn="A12345678901B")
    log.record("ChildDetailsRecorded", "2025-09-01", upn_unknown="UN3")

    ids = census(log).find("Children/Child/ChildIdentifiers")

    assert ids is not None
    assert (ids.find("UPN"), ids.findtext("UPNunknown")) == (None, "UN3")


def test_a_upn_with_the_wrong_check_letter_leaves_the_child_out() -> None:
    refs, problems = returned(
        opened(upn="B318260000001"), opened("C2", ref="CH2", upn="J318260000001")
    )

    assert refs == ["CH2"]
    assert [(p["child"], p["item"]) for p in problems] == [("CH1", "UPN")]
    assert "would be J" in problems[0]["problem"]


def test_an_episode_closed_with_its_assessment_never_completed_cannot_be_returned() -> None:
    log = opened()
    log.record("AssessmentStarted", "2025-05-02")
    log.record("CaseClosed", "2025-06-01", stage="closed", reason="left_uk")

    refs, problems = returned(log, opened("C2", ref="CH2"))

    assert refs == ["CH2"]
    assert [(p["item"], "8867" in p["problem"]) for p in problems] == [
        ("AssessmentAuthorisationDate", True)
    ]


def test_an_assessment_open_since_before_the_year_cannot_be_returned() -> None:
    log = opened("C1", "2025-03-01")
    log.record("AssessmentStarted", "2025-03-03")

    refs, problems = returned(log, opened("C2", ref="CH2"))

    assert refs == ["CH2"]
    assert ["8736" in p["problem"] for p in problems] == [True]
