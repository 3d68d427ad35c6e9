"""The CIN census export against the schema the return is checked with
(`tests/fixtures/reference/cin-census.xsd`, copied byte for byte; see its README)."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cpworkflow.reports import census_rules
from cpworkflow.reports.census import census_xml
from storedlog import CaseLog

xmlschema = pytest.importorskip("xmlschema", reason="XSD validation needs xmlschema (dev extra)")

XS = "{http://www.w3.org/2001/XMLSchema}"
CHAIR = {"id": "chair1", "role": "cp_chair"}
SW = {"id": "sw1", "role": "social_worker"}
CIN = {"kind": "cin", "family_consent": True, "plan": {"outcomes": ["safe at home"]}}


SCHEMA = Path(__file__).parents[1] / "fixtures" / "reference" / "cin-census.xsd"
SCHEMA_SHA256 = "76b3e9f6e5399b723057d449972cf82d8570958b42b361c32535a00fedf7825e"


@pytest.fixture(scope="module")
def xsd() -> Path:
    return SCHEMA


def test_the_schema_copy_is_the_reference_byte_for_byte() -> None:
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256


def _opened(case_id: str, on: str, child: dict[str, Any], **referral: Any) -> CaseLog:
    log = CaseLog(case_id)
    child = {"disabilities": ["NONE"], **child}
    log.record("CaseOpened", on, stage="referral", child=child, referral={"date": on, **referral})
    return log


def _plan(log: CaseLog, s47_on: str, icpc_on: str, categories: list[str]) -> None:
    log.record("StrategyMeetingHeld", s47_on, outcome="s47")
    log.record(
        "InitialConferenceHeld",
        icpc_on,
        stage="cp_plan",
        chair=CHAIR,
        decision="plan",
        categories=categories,
        lead_social_worker=SW,
    )


def rich_logs() -> list[CaseLog]:
    """Every path the export takes, across eight children and one reopened case."""
    born = {"birth_date": "2018-02-03", "gender": "male", "ethnicity": "WBRI"}
    nfa = _opened("C1", "2025-04-10", {"ref": "CH1", **born}, source="1A", primary_need="N5")
    nfa.record("StrategyMeetingHeld", "2025-04-11", stage="closed", outcome="nfa")

    stepped = _opened(
        "C2",
        "2025-04-20",
        {
            "ref": "CH2",
            "birth_date": "2012-09-09",
            "gender": "F",
            "ethnicity": "BAFR",
            "upn": "A12345678901B",
        },
        source="3B",
        primary_need="N1",
    )
    stepped.record("AssessmentStarted", "2025-04-21")
    _plan(stepped, "2025-04-22", "2025-05-12", ["neglect"])
    stepped.record("AssessmentCompleted", "2025-05-30", factors=["3A", "4B", "18A"])
    stepped.record("StrategyMeetingHeld", "2025-06-15", outcome="s47")
    stepped.record("ReviewConferenceConvened", "2025-07-20", stage="review")
    stepped.record(
        "ReviewConferenceHeld",
        "2025-08-10",
        stage="cp_plan",
        chair=CHAIR,
        decision="continue",
        categories=["neglect", "physical"],
    )
    stepped.record("ReviewConferenceConvened", "2026-01-10", stage="review")
    stepped.record(
        "ReviewConferenceHeld",
        "2026-02-01",
        stage="step_down",
        chair=CHAIR,
        decision="end_plan",
        continuing_support=CIN,
    )
    stepped.record("ChildInNeedMeetingHeld", "2026-02-20", stage="cin", chair=CHAIR, kind="first")

    unborn = _opened(
        "C3",
        "2025-11-01",
        {"ref": "CH3", "expected_birth_date": "2026-05-01"},
        source="3B",
        primary_need="N1",
    )
    _plan(unborn, "2025-11-02", "2025-11-20", ["neglect", "emotional"])

    reopened = _opened("C4", "2024-01-05", {"ref": "CH4", **born}, source="6", primary_need="N4")
    reopened.record("CaseClosed", "2024-03-01", stage="closed", reason="transferred")
    reopened.record(
        "CaseReopened",
        "2025-06-01",
        stage="referral",
        referral={"date": "2025-05-30", "source": "2A"},
    )
    wrong = reopened.record("AssessmentStarted", "2025-06-01")
    reopened.record("EntryRetracted", "2025-06-02", seq=wrong, reason="recorded in error")
    reopened.record("AssessmentStarted", "2025-06-03")
    reopened.record("AssessmentCompleted", "2025-06-20", factors=["21"])
    reopened.record("StrategyMeetingHeld", "2025-06-21", stage="closed", outcome="nfa")

    early_help = _opened("C5", "2025-09-01", {"ref": "CH5", **born}, source="5D")
    early_help.record("StrategyMeetingHeld", "2025-09-02", outcome="s47")
    early_help.record(
        "InitialConferenceHeld",
        "2025-09-20",
        stage="closed",
        chair=CHAIR,
        decision="no_plan",
        continuing_support={"kind": "early_help", "referral_made": True},
    )

    died = _opened("C6", "2025-12-01", {"ref": "CH6", **born}, source="3E", primary_need="N2")
    died.record("CaseClosed", "2026-01-15", stage="closed", reason="died")

    outside = _opened("C7", "2023-05-01", {"ref": "CH7", **born}, source="8")
    outside.record("StrategyMeetingHeld", "2023-05-02", stage="closed", outcome="nfa")

    cin_then_plan = _opened("C8", "2024-11-01", {"ref": "CH8", **born}, source="1C")
    cin_then_plan.record("StrategyMeetingHeld", "2024-11-02", stage="step_down", outcome="s17")
    cin_then_plan.record("ChildInNeedMeetingHeld", "2024-11-20", stage="cin", kind="first")
    cin_then_plan.record("StrategyMeetingHeld", "2025-10-01", stage="referral", outcome="s47")
    _plan(cin_then_plan, "2025-10-01", "2025-10-15", ["sexual"])
    cin_then_plan.record(
        "ChildProtectionPlanEnded", "2026-03-01", stage="closed", reason="transferred"
    )

    long_plan = _opened("C9", "2024-06-01", {"ref": "CH9", **born}, source="2B")
    _plan(long_plan, "2024-06-02", "2024-06-20", ["emotional"])
    long_plan.record("ReviewConferenceConvened", "2024-09-01", stage="review")
    long_plan.record(
        "ReviewConferenceHeld", "2024-09-15", stage="cp_plan", chair=CHAIR, decision="continue"
    )
    long_plan.record("ReviewConferenceConvened", "2025-03-01", stage="review")
    long_plan.record(
        "ReviewConferenceHeld",
        "2025-04-15",
        stage="closed",
        chair=CHAIR,
        decision="end_plan",
        continuing_support={"kind": "universal"},
    )
    return [nfa, stepped, unborn, reopened, early_help, died, outside, cin_then_plan, long_plan]


def _parse(document: bytes) -> ET.Element:
    return ET.fromstring(document)  # noqa: S314 (our own output, not untrusted input)


def _document() -> bytes:
    at = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    return census_xml(
        [log.events for log in rich_logs()], year=2026, la_code="318", generated_at=at
    )


def test_the_census_of_a_rich_caseload_is_valid_against_the_schema(xsd: Path) -> None:
    schema = xmlschema.XMLSchema(str(xsd))
    document = _document()

    errors = [str(e) for e in schema.iter_errors(document.decode())]

    assert errors == []
    children = _parse(document).findall("Children/Child")
    assert [c.findtext("ChildIdentifiers/LAchildID") for c in children] == [
        f"CH{n}" for n in (1, 2, 3, 4, 5, 6, 8, 9)
    ]


def test_the_rich_census_shows_each_path() -> None:
    children = {
        c.findtext("ChildIdentifiers/LAchildID"): c
        for c in _parse(_document()).findall("Children/Child")
    }
    closure = {
        ref: c.findtext("CINdetails[last()]/ReasonForClosure") for ref, c in children.items()
    }

    assert closure == {
        "CH1": "RC7",
        "CH2": None,
        "CH3": None,
        "CH4": "RC8",
        "CH5": "RC7",
        "CH6": "RC2",
        "CH8": "RC5",
        "CH9": "RC7",
    }
    cin_then_plan = children["CH8"].find("CINdetails")
    assert cin_then_plan is not None
    assert cin_then_plan.findtext("CINPlanDates/CINPlanEndDate") == "2025-10-15"
    assert cin_then_plan.findtext("ChildProtectionPlans/CPPstartDate") == "2025-10-15"
    long_plan = children["CH9"].find("CINdetails")
    assert long_plan is not None
    assert long_plan.find("Section47") is None  # concluded before the year began
    assert [r.text for r in long_plan.findall("ChildProtectionPlans/Reviews/CPPreviewDate")] == [
        "2025-04-15"
    ]


def _enumeration(root: ET.Element, type_name: str) -> set[str]:
    simple = root.find(f"{XS}simpleType[@name='{type_name}']")
    assert simple is not None, type_name
    return {e.attrib["value"] for e in simple.iter(f"{XS}enumeration")}


def test_the_code_lists_are_the_schemas(xsd: Path) -> None:
    root = ET.parse(xsd).getroot()  # noqa: S314 (a trusted reference file)

    assert _enumeration(root, "referralsourcetype") == census_rules.REFERRAL_SOURCES
    assert _enumeration(root, "primaryneedcodetype") == census_rules.PRIMARY_NEEDS
    assert _enumeration(root, "ethnicitytype") == census_rules.ETHNICITIES
    assert _enumeration(root, "assessmentfactorstype") == census_rules.ASSESSMENT_FACTORS
    assert _enumeration(root, "disabilitytype") == census_rules.DISABILITIES
    assert _enumeration(root, "unknownupntype") == census_rules.UPN_UNKNOWN
    categories = {*census_rules.CATEGORY_CODES.values(), census_rules.MULTIPLE_CATEGORIES}
    assert categories == _enumeration(root, "categoryofabusetype")
    assert set(census_rules.SEX_CODES.values()) == _enumeration(root, "sextype")
    closures = _enumeration(root, "reasonforclosuretype")
    assert set(census_rules.CLOSURE_BY_REASON.values()) <= closures
    produced = {census_rules.RC_CEASED, census_rules.RC_NFA_AFTER_ASSESSMENT}
    assert produced | {census_rules.RC_EARLY_HELP_AFTER_ASSESSMENT} <= closures
