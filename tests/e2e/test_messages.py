"""The messages issue 12 found unhelpful, as `cpw record` prints them now: each names the
field as the user gave it, what was wrong, and what is allowed there."""

from __future__ import annotations

import json

import pytest
from cli_harness import CHAIR, cpw, ok, opened_on_plan

RCPC = ["record", "C1", "ReviewConferenceHeld", "--on", "2025-04-22", "--actor", "iro-7"]
VISIT = ["record", "C1", "ChildVisited", "--actor", "sw-1"]


def refused_input(db: str, *args: str) -> str:
    result = cpw(db, *args)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.count("\n") == 1
    return result.stderr


@pytest.fixture
def on_plan(db: str) -> str:
    opened_on_plan(db)
    return db


def end_plan(**support: object) -> str:
    data = {"chair": CHAIR, "decision": "end_plan", "continuing_support": {"kind": "cin"}}
    data["continuing_support"] = {"kind": "cin", **support}
    return json.dumps(data)


def test_a_field_at_the_wrong_level_says_where_it_belongs(on_plan: str) -> None:
    stderr = refused_input(
        on_plan, *RCPC, "--role", "cp_chair", "--data", end_plan(contingency="a plan B")
    )
    assert stderr == (
        "error: data.continuing_support.contingency: not a field here: contingency belongs"
        " inside plan\n"
    )


def test_a_misspelt_field_is_matched_and_the_fields_there_listed(on_plan: str) -> None:
    stderr = refused_input(on_plan, *VISIT, "--role", "social_worker", "--on", "2025-02-03",
                           "--data", '{"seen": true, "seen_alnoe": true}')  # fmt: skip
    assert stderr.startswith("error: data.seen_alnoe: unknown field; did you mean 'seen_alone'?")
    assert "fields here: seen, seen_alone, seen_awake, bedroom_seen, at_home, visitor" in stderr


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ('{"seen": true', 'is not valid JSON: it ends too soon (a closing }, ] or " is missing)'),
        (
            "{'seen': true}",
            "is not valid JSON at line 1, column 2: expected a key in double quotes"
            ' (JSON uses "double quotes", not single), near "{\'seen\': true}"',
        ),
        (
            '{"seen": true,}',
            "is not valid JSON at line 1, column 15: a comma before the closing }"
            " (JSON allows no trailing comma), near '{\"seen\": true,}'",
        ),
    ],
    ids=["unclosed", "single quotes", "trailing comma"],
)
def test_json_that_does_not_parse_says_where_and_what_was_expected(
    on_plan: str, data: str, message: str
) -> None:
    stderr = refused_input(
        on_plan, *VISIT, "--role", "social_worker", "--on", "2025-02-03", "--data", data
    )
    assert stderr == f"error: --data: {message}\n"


def test_a_date_in_the_wrong_form_is_reported_as_the_on_option(on_plan: str) -> None:
    stderr = refused_input(
        on_plan, *VISIT, "--role", "social_worker", "--on", "15/09/2025", "--data", "{}"
    )
    assert stderr == "error: --on: '15/09/2025' is not a real date (YYYY-MM-DD)\n"


def test_an_unknown_role_lists_the_roles(on_plan: str) -> None:
    stderr = refused_input(on_plan, *RCPC, "--role", "chair", "--data", end_plan())
    assert stderr == (
        "error: --role: unknown role 'chair'; choose one of aswp, auditor, cp_chair,"
        " group_manager, iro_manager, lead_professional, service_manager, social_worker,"
        " team_manager\n"
    )


def test_an_unknown_decision_lists_the_decisions(on_plan: str) -> None:
    data = json.dumps({"chair": CHAIR, "decision": "end-plan"})
    stderr = refused_input(on_plan, *RCPC, "--role", "cp_chair", "--data", data)
    assert (
        stderr
        == "error: data.decision: unknown decision 'end-plan'; choose one of continue, end_plan\n"
    )


def test_waiving_a_timescale_says_only_guards_are_waived(on_plan: str) -> None:
    data = {
        "rule": "T-CP-VISIT",
        "reason": "x",
        "authorised_by": {"id": "gm-1", "role": "group_manager"},
    }
    stderr = refused_input(
        on_plan, "record", "C1", "RuleWaived", "--on", "2025-02-03", "--actor", "tm-1",
        "--role", "team_manager", "--data", json.dumps(data),
    )  # fmt: skip
    assert stderr == (
        "error: data.rule: 'T-CP-VISIT' is not a guard id such as G-CONTINGENCY: only guards"
        " are waived, never a timescale (T-...); `cpw rules` lists them\n"
    )
    assert "^G-" not in stderr  # no regular expression


def test_a_role_that_may_not_record_the_event_is_told_who_may(on_plan: str) -> None:
    result = cpw(on_plan, *VISIT, "--role", "auditor", "--on", "2025-02-03", "--data",
                 '{"seen": true}')  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr == (
        "refused: G-ROLE: auditor may not record ChildVisited under policy default; who may:"
        " aswp, lead_professional, social_worker, team_manager (engine)\n"
    )
    assert ok(on_plan, "history", "C1", "--json").stdout.count('"seq"') == 3


@pytest.mark.parametrize(
    "command", [["show"], ["history"], ["audit"], ["prove"], ["verify"], ["diagram", "--case"]]
)
def test_a_case_id_no_case_can_have_is_bad_input_not_a_missing_case(
    on_plan: str, command: list[str]
) -> None:
    stderr = refused_input(on_plan, *command, "C\u200b1")
    where = "--case" if command[-1] == "--case" else "CASE_ID"
    assert stderr == (
        f"error: {where}: must be printable: character 2 is an invisible character (U+200B)\n"
    )


def test_a_case_id_that_could_exist_but_does_not_is_still_not_found(on_plan: str) -> None:
    result = cpw(on_plan, "show", "C2")
    assert result.exit_code == 5
    assert result.stderr == "error: case C2 not found\n"
