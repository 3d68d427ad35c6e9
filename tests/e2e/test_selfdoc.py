"""`cpw events` documents the vocabulary well enough to record without DOMAIN.md open: each
field's type, need and allowed values, who records the event, the structures inside, a
template that `record` takes as it stands, and the JSON Schema the README promises. And
shell completion offers event types, roles and the store's case ids."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_harness import SW, cpw, json_of, ok, record_args

from cpworkflow.vocabulary.envelope import EVENT_TYPES

CPW = Path(sys.executable).parent / "cpw"


def test_events_shows_each_fields_type_need_and_allowed_values() -> None:
    text = ok(None, "events").stdout
    block = text.split("\n\nReviewConferenceHeld: ", 1)[1].split("\n\n", 1)[0]
    assert "accepted in: review" in block
    assert "recorded by (default pack): cp_chair" in block
    rows = {line.split()[0]: line.split() for line in block.splitlines()[3:]}
    assert rows["decision"] == ["decision", "choice", "required", "continue,", "end_plan"]
    assert rows["next_review_date"] == ["next_review_date", "date", "optional"]
    assert rows["chair"] == ["chair", "person", "required"]
    assert "A person is" in text and "social_worker" in text.splitlines()[-1]


def test_events_json_carries_the_same_detail() -> None:
    doc = json_of(None, "events")
    rcpc = next(e for e in doc["events"] if e["type"] == "ReviewConferenceHeld")
    decision = next(f for f in rcpc["fields"] if f["name"] == "decision")
    assert decision | {"type": None} == {
        "name": "decision",
        "type": None,
        "kind": "choice",
        "required": True,
        "allowed": ["continue", "end_plan"],
    }
    assert rcpc["recorded_by"] == ["cp_chair"]
    assert {e["type"] for e in doc["events"]} == set(EVENT_TYPES)


def test_one_event_type_shows_the_structures_its_fields_hold() -> None:
    text = ok(None, "events", "ReviewConferenceHeld").stdout
    for structure in ("CinSupport:", "CinPlan:", "Action:", "EarlyHelpSupport:"):
        assert f"\n  {structure}\n" in text
    plan = text.split("\n  CinPlan:\n", 1)[1].split("\n\n", 1)[0]
    assert "contingency" in plan and "review_interval_weeks" in plan
    support = text.split("\n  CinSupport:\n", 1)[1].split("\n\n", 1)[0]
    assert "kind" in support and "cin" in support  # the tag that selects it
    assert "cpw events ReviewConferenceHeld --template" in text


def test_an_unknown_event_type_is_refused_naming_the_types() -> None:
    result = cpw(None, "events", "ReviewConference")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: TYPE: unknown event type 'ReviewConference';")
    assert "ReviewConferenceHeld" in result.stderr


@pytest.mark.parametrize("event_type", list(EVENT_TYPES))
def test_every_template_is_data_that_record_decodes_as_it_stands(db: str, event_type: str) -> None:
    template = ok(None, "events", event_type, "--template").stdout
    data = json.loads(template)
    ok(db, "init")
    args = record_args("T1", event_type, "2025-01-06", SW, data)
    result = cpw(db, *args, env={"CPW_TODAY": "2025-01-06"})
    # decoded: opened, refused by a rule, or a case not found; never bad input (2)
    assert result.exit_code in (0, 1, 5), (event_type, result.stderr)
    if event_type == "CaseOpened":
        assert result.exit_code == 0


def test_the_step_down_template_shows_what_a_cin_plan_looks_like() -> None:
    data = json.loads(ok(None, "events", "ReviewConferenceHeld", "--template").stdout)
    assert data["decision"] == "end_plan"
    support = data["continuing_support"]
    assert support["kind"] == "cin"
    assert {"outcomes", "actions", "contingency", "first_meeting_date"} <= support["plan"].keys()


def test_json_schema_describes_the_envelope_and_every_types_data() -> None:
    schema = json.loads(ok(None, "events", "--json-schema").stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["required"]) >= {"case_id", "type", "occurred_on", "actor"}
    assert schema["properties"]["type"]["enum"] == list(EVENT_TYPES)
    assert len(schema["oneOf"]) == len(EVENT_TYPES)
    for event_type in EVENT_TYPES:
        definition = schema["$defs"][event_type]
        template = json.loads(ok(None, "events", event_type, "--template").stdout)
        assert set(definition.get("required", ())) <= template.keys(), event_type
        assert template.keys() <= definition.get("properties", {}).keys(), event_type


def test_template_and_json_schema_need_what_they_need() -> None:
    assert cpw(None, "events", "--template").stderr == (
        "error: TYPE: name the event type: cpw events TYPE --template\n"
    )
    both = cpw(None, "events", "ChildVisited", "--template", "--json-schema")
    assert both.exit_code == 2


def test_an_event_without_required_fields_records_without_data(db: str) -> None:
    ok(db, "init")
    ok(db, *record_args("C1", "CaseOpened", "2025-01-06", SW, {"child": {"ref": "R"}}))
    started = ok(
        db, "record", "C1", "AssessmentStarted", "--on", "2025-01-06", "--actor", "sw-1",
        "--role", "social_worker",
    )  # fmt: skip
    assert started.stdout.startswith("C1: AssessmentStarted recorded as seq 2")


def test_an_event_with_required_fields_and_no_data_says_which_and_where_to_look(db: str) -> None:
    ok(db, "init")
    result = cpw(
        db, "record", "C1", "ChildVisited", "--on", "2025-01-06", "--actor", "sw-1",
        "--role", "social_worker",
    )  # fmt: skip
    assert (result.exit_code, result.stderr) == (
        2,
        "error: --data: ChildVisited needs data with seen; `cpw events ChildVisited"
        " --template` prints an example to start from\n",
    )


def complete(words: str, db: str) -> list[str]:
    """What the shell would offer after `cpw WORDS` (bash completion, as click gives it)."""
    done = subprocess.run(
        [str(CPW)],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "_CPW_COMPLETE": "bash_complete",
            "COMP_WORDS": f"cpw {words}",
            "COMP_CWORD": str(len(words.split(" "))),
            "CPW_DB": db,
        },
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [line.split(",", 1)[1] for line in done.stdout.splitlines() if line]


def test_the_shell_completes_case_ids_event_types_and_roles(db: str) -> None:
    ok(db, "init")
    for case_id in ("C1001", "C1002", "D7"):
        data = {"child": {"ref": case_id}}
        ok(db, *record_args(case_id, "CaseOpened", "2025-01-06", SW, data))
    assert complete("show C10", db) == ["C1001", "C1002"]
    assert complete("diagram --case D", db) == ["D7"]
    assert complete("record C1001 ChildIn", db) == [
        "ChildInNeedPlanRecorded",
        "ChildInNeedPlanCirculated",
        "ChildInNeedMeetingHeld",
    ]
    assert complete("events Review", db) == ["ReviewConferenceConvened", "ReviewConferenceHeld"]
    assert complete("record C1001 ChildVisited --role team", db) == ["team_manager"]
    assert complete("show C", "sqlite:////nonexistent/folder/x.db") == []  # no store, no noise
