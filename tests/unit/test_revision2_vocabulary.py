"""The revision 2 vocabulary (DOMAIN.md §3): the new events and fields decode, and bad
values are refused naming the field; and every payload stored before them still decodes
to exactly what was stored, which is why no type needed a new schema version."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from event_examples import envelope, example

from cpworkflow.errors import BadInputError
from cpworkflow.lifecycle.case import Case
from cpworkflow.lifecycle.facts import FACT_TYPES, TIMESCALES_OF, Fact, met_by, opens
from cpworkflow.reports import selfdoc
from cpworkflow.vocabulary.census_codes import DISABILITIES, UPN_UNKNOWN_REASONS
from cpworkflow.vocabulary.envelope import SCHEMA_VERSION, decode_data, parse_envelope, to_json_data

ROOT = Path(__file__).parents[2]
STORED_LOGS = [
    *sorted((ROOT / "eventstore" / "samples").glob("*.jsonl")),
    ROOT / "tests" / "fixtures" / "stores" / "C1005-0.1.0.jsonl",
]


def refused(event_type: str, data: dict[str, Any]) -> BadInputError:
    with pytest.raises(BadInputError) as err:
        parse_envelope(envelope(event_type, data))
    return err.value


def test_the_census_lists_of_disabilities_and_upn_reasons_are_the_schemas() -> None:
    assert DISABILITIES[0] == "NONE" and len(DISABILITIES) == 13
    assert UPN_UNKNOWN_REASONS == ("UN1", "UN2", "UN3", "UN4", "UN5", "UN6", "UN7")


@pytest.mark.parametrize(
    ("event_type", "data", "field", "words"),
    [
        ("ChildDetailsRecorded", {"disabilities": ["NONE", "HEAR"]}, "data.disabilities", "alone"),
        (
            "ChildDetailsRecorded",
            {"disabilities": ["VIS", "VIS"]},
            "data.disabilities",
            "more than once",
        ),
        ("ChildDetailsRecorded", {}, "data.upn", "at least one detail"),
        ("ChildDetailsRecorded", {"upn_unknown": "UN8"}, "data.upn_unknown", "UN8"),
        (
            "ChildDetailsRecorded",
            {"upn": "A123456789012", "upn_unknown": "UN1"},
            "data.upn_unknown",
            "not both",
        ),
        (
            "LegalStatusRecorded",
            {"status": "police_protection", "start_date": "2025-02-03", "end_date": "2025-02-01"},
            "data.end_date",
            "before the start",
        ),
        (
            "LegalStatusRecorded",
            {"status": "care_order", "start_date": "2025-02-03"},
            "data.status",
            "",
        ),
        ("ChildBorn", {}, "data.birth_date", ""),
        (
            "InitialConferenceConvened",
            {"conference_date": "2025-02-30"},
            "data.conference_date",
            "",
        ),
        ("AssessmentCompleted", {"outcome": "maybe"}, "data.outcome", ""),
        ("ChildVisited", {"seen": True, "seen_awake": "yes"}, "data.seen_awake", ""),
        ("StaffAssigned", {"person": {"id": "x", "role": "aswp"}, "team": ""}, "data.team", ""),
    ],
)
def test_a_bad_value_of_a_revision_2_field_is_refused_naming_the_field(
    event_type: str, data: dict[str, Any], field: str, words: str
) -> None:
    error = refused(event_type, data)
    assert error.field == field, (error.field, str(error))
    assert words in str(error)


def test_a_child_opened_with_census_details_keeps_them() -> None:
    child = {"ref": "C7", "expected_birth_date": "2025-06-01", "upn_unknown": "UN6"}
    data = {"child": {**child, "disabilities": ["NONE"]}}
    assert to_json_data(decode_data("CaseOpened", data)) == data
    with_both = {"child": {**child, "upn": "A123456789012"}}
    assert refused("CaseOpened", with_both).field == "data.child.upn_unknown"


def stored_payloads() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path in STORED_LOGS:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            event = json.loads(line)
            found.append((f"{path.name}:{number}", event["type"], event["data"]))
    return found


@pytest.mark.parametrize(("where", "event_type", "data"), stored_payloads())
def test_every_stored_payload_decodes_to_exactly_what_was_stored(
    where: str, event_type: str, data: dict[str, Any]
) -> None:
    """Revision 2 only adds optional fields, and a field left out means its default: a
    payload written before decodes and encodes back byte for byte, so its type stays at
    schema version 1 and no upcaster is needed (the hashes cover the stored bytes)."""
    assert SCHEMA_VERSION[event_type] == 1
    assert to_json_data(decode_data(event_type, data)) == data, where


def test_cpw_events_shows_where_each_new_event_is_accepted_and_what_it_meets() -> None:
    """DOMAIN §2: the stage-neutral facts are written down once and shown in `cpw events`;
    agency reports and InitialConferenceConvened are accepted in referral too."""
    by_type = {e["type"]: e for e in selfdoc.events()["events"]}
    assert by_type["InitialConferenceConvened"]["stages"] == ["referral"]
    assert by_type["AgencyReportReceived"]["stages"] == ["referral", "cp_plan", "review"]
    assert "closed" in by_type["ChildDetailsRecorded"]["stages"]
    assert by_type["LegalStatusRecorded"]["stage_neutral"] is True
    assert by_type["ReviewConferenceHeld"]["stage_neutral"] is False
    assert by_type["ChildVisited"]["timescales"] == [
        "T-CP-VISIT", "T-SEEN-ALONE", "T-CIN-VISIT", "T-BEDROOM",
    ]  # fmt: skip


@pytest.mark.parametrize("stage", ["cp_plan", "cin"])
@pytest.mark.parametrize("event_type", sorted(FACT_TYPES))
def test_what_cpw_events_says_a_fact_meets_covers_what_it_does(event_type: str, stage: str) -> None:
    case = Case("C1", stage=stage, child={"birth_date": "2025-01-01"}, pre_birth_plan=True)
    fact = Fact(9, event_type, date(2025, 3, 1), example(event_type))
    rules = set(met_by(case, fact)) | set(opens(case, fact))
    assert rules <= set(TIMESCALES_OF[event_type])
