"""The event vocabulary (DOMAIN.md §3): every type decodes a valid example, encodes back to
exactly what was said, and describes itself for `cpw events`."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import msgspec
import pytest
from event_examples import CIN_PLAN, EXAMPLES, envelope, example

from cpworkflow.policy import schema as policy_schema
from cpworkflow.vocabulary.envelope import (
    EVENT_TYPES,
    SCHEMA_VERSION,
    Envelope,
    decode_data,
    describe_events,
    event_json_schema,
    parse_envelope,
    to_json_data,
)
from cpworkflow.vocabulary.people import ROLES, Person
from cpworkflow.vocabulary.plans import CinSupport, EarlyHelpSupport, UniversalSupport

DOMAIN_TABLE_ORDER = [
    *("CaseOpened", "StrategyMeetingHeld", "AssessmentStarted", "AssessmentCompleted"),
    *("InitialConferenceHeld", "CoreGroupMeetingHeld", "ChildVisited"),
    *("InitialConferenceConvened", "ReviewConferenceConvened", "AgencyReportReceived"),
    "ReviewConferenceHeld",
    *("ChildProtectionPlanEnded", "CaseClosed", "AgenciesNotified", "OutcomesRecorded"),
    *("ChildInNeedPlanRecorded", "ChildInNeedPlanCirculated", "ChildInNeedMeetingHeld"),
    *("ReflectiveDiscussionHeld", "FinalChildInNeedReviewHeld", "CaseReopened"),
    *("ManagementAdviceSought", "IroManagerAuditCompleted", "DissentRecorded"),
    *("StaffAssigned", "ChildDetailsRecorded", "ChildBorn", "LegalStatusRecorded"),
    *("RuleWaived", "EntryRetracted"),
]
TYPES = list(EVENT_TYPES)


def test_the_event_types_are_those_of_the_domain_table_in_its_order() -> None:
    assert TYPES == DOMAIN_TABLE_ORDER
    assert list(policy_schema.EVENT_TYPES) == TYPES


def test_each_struct_is_named_as_its_event_type_string() -> None:
    assert all(cls.__name__ == name for name, cls in EVENT_TYPES.items())


def test_every_type_is_at_schema_version_1_today() -> None:
    assert dict.fromkeys(TYPES, 1) == SCHEMA_VERSION


def test_the_roles_are_the_nine_of_the_domain() -> None:
    assert ROLES == policy_schema.ROLES
    assert len(ROLES) == 9


def test_every_event_type_has_an_example() -> None:
    assert list(EXAMPLES) == TYPES


@pytest.mark.parametrize("event_type", TYPES)
def test_every_event_type_decodes_its_example(event_type: str) -> None:
    decoded = decode_data(event_type, example(event_type))
    assert type(decoded) is EVENT_TYPES[event_type]


@pytest.mark.parametrize("event_type", TYPES)
def test_encoding_a_decoded_example_gives_back_exactly_what_was_said(event_type: str) -> None:
    assert to_json_data(decode_data(event_type, example(event_type))) == EXAMPLES[event_type]


@pytest.mark.parametrize("event_type", TYPES)
def test_decode_encode_decode_is_the_identity(event_type: str) -> None:
    once = decode_data(event_type, example(event_type))
    assert decode_data(event_type, to_json_data(once)) == once


@pytest.mark.parametrize("event_type", TYPES)
def test_an_envelope_decodes_from_bytes_text_and_a_mapping_alike(event_type: str) -> None:
    raw = envelope(event_type, key=f"k-{event_type}")
    text = json.dumps(raw)
    parsed = [parse_envelope(text), parse_envelope(text.encode()), parse_envelope(raw)]
    assert parsed[0] == parsed[1] == parsed[2]
    assert parsed[0].type == event_type
    assert parsed[0].key == f"k-{event_type}"


def test_an_envelope_carries_typed_fields() -> None:
    parsed = parse_envelope(envelope("ChildVisited"))
    assert parsed == Envelope(
        case_id="C1001",
        type="ChildVisited",
        occurred_on=dt.date(2025, 3, 4),
        actor=Person(id="iro-7", role="cp_chair"),
        data=decode_data("ChildVisited", EXAMPLES["ChildVisited"]),
        key=None,
    )
    assert to_json_data(parsed.actor) == {"id": "iro-7", "role": "cp_chair"}


def test_an_envelope_without_data_has_empty_data() -> None:
    raw = envelope("OutcomesRecorded")
    del raw["data"]
    assert to_json_data(parse_envelope(raw).data) == {}


def test_a_utf8_byte_order_mark_before_the_json_is_ignored() -> None:
    raw = b"\xef\xbb\xbf" + json.dumps(envelope("AssessmentStarted")).encode()
    assert parse_envelope(raw).type == "AssessmentStarted"


def test_fields_left_at_their_default_are_not_stored() -> None:
    data = {"chair": EXAMPLES["ReviewConferenceHeld"]["chair"], "decision": "continue"}
    given = {**data, "categories": [], "views": None, "category_judgements": {}}
    assert to_json_data(decode_data("ReviewConferenceHeld", given)) == data


def test_dates_decode_to_dates_and_encode_as_iso_text() -> None:
    decoded: Any = decode_data("ReviewConferenceConvened", {"conference_date": "2024-02-29"})
    assert decoded.conference_date == dt.date(2024, 2, 29)
    assert to_json_data(decoded) == {"conference_date": "2024-02-29"}


def test_the_from_field_of_management_advice_keeps_its_json_name() -> None:
    decoded: Any = decode_data("ManagementAdviceSought", {"from": ["legal"]})
    assert decoded.from_ == ["legal"]
    assert to_json_data(decoded) == {"from": ["legal"]}


@pytest.mark.parametrize(
    ("support", "kind"),
    [
        ({"kind": "cin", "family_consent": True, "plan": CIN_PLAN}, CinSupport),
        (
            {"kind": "early_help", "referral_made": True, "referral_date": "2025-04-28"},
            EarlyHelpSupport,
        ),
        ({"kind": "universal", "family_declined": True, "reason": "Declined"}, UniversalSupport),
        ({"kind": "cin"}, CinSupport),
    ],
)
def test_continuing_support_decodes_by_its_kind(support: dict[str, Any], kind: type) -> None:
    data = {**example("ReviewConferenceHeld"), "continuing_support": support}
    decoded: Any = decode_data("ReviewConferenceHeld", data)
    assert type(decoded.continuing_support) is kind
    assert to_json_data(decoded)["continuing_support"] == support


@pytest.mark.parametrize("due", ["ongoing", "ASAP", "as needed", "TBC", "next week", ""])
def test_a_vague_due_is_not_bad_input_because_g_smart_refuses_it(due: str) -> None:
    plan = {**CIN_PLAN, "actions": [{"action": "Attend school", "owner": "school", "due": due}]}
    decoded = decode_data("ChildInNeedPlanRecorded", {"plan": plan})
    assert to_json_data(decoded)["plan"]["actions"][0]["due"] == due


@pytest.mark.parametrize(
    ("event_type", "data"),
    [
        (
            "ReviewConferenceHeld",
            {"chair": {"id": "c", "role": "cp_chair"}, "decision": "end_plan"},
        ),
        (
            "InitialConferenceHeld",
            {"chair": {"id": "c", "role": "cp_chair"}, "decision": "no_plan"},
        ),
        ("ChildInNeedMeetingHeld", {"chair": {"id": "c", "role": "cp_chair"}, "kind": "review"}),
        ("ReflectiveDiscussionHeld", {}),
        (
            "FinalChildInNeedReviewHeld",
            {"chair": {"id": "a", "role": "aswp"}, "decision": "end_plan"},
        ),
        ("ChildInNeedPlanRecorded", {"plan": {}}),
        ("CaseClosed", {"reason": "transferred", "transfer": {}}),
    ],
)
def test_what_a_guard_judges_is_optional_so_the_guard_can_refuse_it(
    event_type: str, data: dict[str, Any]
) -> None:
    assert to_json_data(decode_data(event_type, data)) == data


def test_an_envelope_is_immutable() -> None:
    parsed = parse_envelope(envelope("AssessmentStarted"))
    with pytest.raises(AttributeError):
        parsed.case_id = "C2"  # type: ignore[misc]


def test_describe_events_lists_each_type_with_its_fields_in_order() -> None:
    described = describe_events()
    assert [d["type"] for d in described] == TYPES
    visited = described[TYPES.index("ChildVisited")]
    assert visited["schema_version"] == 1
    assert visited["summary"]
    assert visited["fields"] == [
        {"name": "seen", "type": "bool", "required": True},
        {"name": "seen_alone", "type": "bool", "required": False},
        {"name": "seen_awake", "type": "bool", "required": False},
        {"name": "bedroom_seen", "type": "bool", "required": False},
        {"name": "at_home", "type": "bool", "required": False},
        {"name": "visitor", "type": "person", "required": False},
    ]


@pytest.mark.parametrize(
    ("event_type", "required"),
    [
        ("CaseOpened", ["child"]),
        ("InitialConferenceHeld", ["chair", "decision"]),
        ("ReviewConferenceHeld", ["chair", "decision"]),
        ("ChildInNeedMeetingHeld", ["chair", "kind"]),
        ("FinalChildInNeedReviewHeld", ["chair", "decision"]),
        ("DissentRecorded", ["agency", "about", "reason"]),
        ("RuleWaived", ["rule", "reason", "authorised_by"]),
        ("ManagementAdviceSought", ["from"]),
        ("AssessmentStarted", []),
    ],
)
def test_describe_events_marks_the_required_fields(event_type: str, required: list[str]) -> None:
    fields = next(d["fields"] for d in describe_events() if d["type"] == event_type)
    assert [f["name"] for f in fields if f["required"]] == required


def test_describe_events_spells_out_enumerations() -> None:
    fields = next(d["fields"] for d in describe_events() if d["type"] == "StrategyMeetingHeld")
    assert fields[0] == {"name": "outcome", "type": "nfa | s17 | s47", "required": True}


def test_the_json_schema_defines_the_envelope_and_every_type() -> None:
    schema = event_json_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    assert set(EVENT_TYPES) <= set(schema["$defs"])
    assert schema["properties"]["type"] == {"enum": TYPES}
    assert schema["additionalProperties"] is False
    assert {"case_id", "type", "occurred_on", "actor"} <= set(schema["required"])
    assert [b["properties"]["type"]["const"] for b in schema["oneOf"]] == TYPES
    visited = schema["$defs"]["ChildVisited"]
    assert visited["required"] == ["seen"]
    assert visited["additionalProperties"] is False
    json.dumps(schema)  # plain JSON


def test_to_json_data_gives_json_builtins_only() -> None:
    encoded = to_json_data(decode_data("ReviewConferenceHeld", example("ReviewConferenceHeld")))
    assert msgspec.json.decode(msgspec.json.encode(encoded)) == encoded
