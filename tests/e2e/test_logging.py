"""Logs carry context (command, case_id, seq) and never a child's data: a whole sample case
goes through the command line while structlog's `capture_logs()` and stderr are watched."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pytest
import structlog
from cli_harness import CASES, SAMPLES, cpw, data_leaves, ok
from structlog.testing import capture_logs

from cpworkflow import logs
from cpworkflow.lifecycle.machine import STAGES

CASE = "C1001"
ENVELOPES = CASES[CASE]()
DISCLOSURE = "Mother disclosed the secret address 14 Larch Way"
READS = [
    ["show", CASE],
    ["history", CASE],
    ["audit", CASE],
    ["due"],
    ["verify"],
    ["export", CASE, "--format", "jsonl"],
    ["diagram", "--case", CASE],
]


def forbidden_values() -> set[str]:
    """Every string leaf of every envelope's data (the child's ref and birth date among
    them), less what a log line may name: the case id and stage names."""
    leaves = {leaf for e in ENVELOPES for leaf in data_leaves(e["data"])}
    leaves |= {ENVELOPES[0]["data"]["child"]["ref"], ENVELOPES[0]["data"]["child"]["birth_date"]}
    leaves.add(DISCLOSURE)
    return leaves - {CASE} - set(STAGES)


FORBIDDEN = forbidden_values()


def test_the_forbidden_values_include_the_childs_details_and_free_text() -> None:
    assert {"2016-05-14", "WBRI", "school", DISCLOSURE} <= FORBIDDEN
    assert len(FORBIDDEN) > 20


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from _strings(item)


def leaks(entries: Iterable[Mapping[str, Any]]) -> list[str]:
    """Forbidden values found in log entries: as a whole value, or (long ones) inside one."""
    long_ones = [v for v in FORBIDDEN if len(v) >= 12]
    found = []
    for entry in entries:
        for text in _strings(entry):
            found += [text] if text in FORBIDDEN else [v for v in long_ones if v in text]
    return found


def record_args(envelope: Mapping[str, Any], key: str | None = None) -> list[str]:
    args = [
        "record",
        envelope["case_id"],
        envelope["type"],
        "--on",
        envelope["occurred_on"],
        "--actor",
        envelope["actor"]["id"],
        "--role",
        envelope["actor"]["role"],
        "--data",
        json.dumps(envelope["data"]),
    ]
    return [*args, "--key", key] if key else args


DISSENT = {"agency": "school", "about": "the plan", "reason": DISCLOSURE}
REFUSED_OPENING = {**ENVELOPES[0], "data": {"child": {"ref": DISCLOSURE}}}


def test_a_whole_case_through_the_cli_logs_context_and_no_data(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    logs.configure("debug", json_logs=True)  # the level the CLI would set with --log-level
    monkeypatch.setattr(logs, "configure", lambda *args, **kwargs: None)  # keep the capture
    processors = [structlog.contextvars.merge_contextvars, logs.scrub]
    try:
        with capture_logs(processors=processors) as entries:
            for n, envelope in enumerate(ENVELOPES, 1):
                ok(db, *record_args(envelope, key=f"k{n}"), keep_logging=True)
            ok(db, *record_args(ENVELOPES[-1], key=f"k{len(ENVELOPES)}"), keep_logging=True)
            assert cpw(db, *record_args(REFUSED_OPENING), keep_logging=True).exit_code == 1
            for args in READS:
                ok(db, *args, keep_logging=True)
    finally:
        structlog.reset_defaults()
        structlog.contextvars.clear_contextvars()

    assert leaks(entries) == []
    assert all(entry.get("command") for entry in entries), entries
    recorded = [e for e in entries if e["event"] == "recorded"]
    assert [e["seq"] for e in recorded] == list(range(1, len(ENVELOPES) + 1))
    assert {(e["case_id"], e["command"]) for e in recorded} == {(CASE, "record")}
    duplicate = [e for e in entries if e["event"].startswith("duplicate key")]
    assert [(e["case_id"], e["seq"]) for e in duplicate] == [(CASE, len(ENVELOPES))]
    refused = [e for e in entries if e["event"] == "refused"]
    assert [(e["case_id"], e["rules"]) for e in refused] == [(CASE, ["G-STAGE", "G-CHRONOLOGY"])]
    read_commands = {e["command"] for e in entries if e.get("case_id") == CASE}
    assert {"show", "history", "audit", "export", "diagram"} <= read_commands


def test_debug_logs_on_stderr_are_json_lines_with_context_and_no_data(db: str) -> None:
    outputs = [
        cpw(db, "--log-level", "debug", "import", str(SAMPLES / f"{CASE}.jsonl")),
        cpw(
            db,
            "--log-level",
            "debug",
            *record_args({**ENVELOPES[-1], "type": "DissentRecorded", "data": DISSENT}),
        ),
        cpw(db, "--log-level", "debug", *record_args(REFUSED_OPENING)),
        *(cpw(db, "--log-level", "debug", *args) for args in READS),
    ]
    assert [r.exit_code for r in outputs] == [0, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    entries, others = [], []
    for result in outputs:
        for text in result.stderr.splitlines():
            if text.startswith("{"):
                entries.append(json.loads(text))
            else:
                others.append(text)
    assert all(text.startswith("refused: ") for text in others), others
    assert DISCLOSURE not in "".join(r.stderr + r.stdout for r in outputs[1:3])
    assert leaks(entries) == []
    assert all({"command", "level", "timestamp", "event"} <= e.keys() for e in entries)
    imported = [e for e in entries if e["event"] == "imported case"]
    assert [(e["case_id"], e["events"], e["command"]) for e in imported] == [(CASE, 52, "import")]
    shown = [e for e in entries if e["command"] == "show"]
    assert shown
    assert [e["case_id"] for e in shown] == [CASE] * len(shown)


def test_a_payload_passed_to_a_logger_by_mistake_is_withheld(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logs.configure("info", json_logs=True)
    try:
        structlog.get_logger("test").info("oops", case_id=CASE, data={"reason": DISCLOSURE})
    finally:
        structlog.reset_defaults()
    line = json.loads(capsys.readouterr().err)
    assert (line["case_id"], line["data"]) == (CASE, "[withheld]")


def test_logs_are_human_on_a_terminal_and_quiet_below_the_level(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logs.configure("warning", json_logs=False)
    try:
        log = structlog.get_logger("test")
        log.info("not shown", case_id=CASE)
        log.warning("store slow", case_id=CASE, seq=3)
    finally:
        structlog.reset_defaults()
    err = capsys.readouterr().err
    assert "not shown" not in err
    assert "[warning  ] store slow" in err
    assert "case_id=C1001 seq=3" in err
