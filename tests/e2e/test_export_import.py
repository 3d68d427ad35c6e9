"""`cpw export --format jsonl` round-trips through `cpw import` (same stages, versions and
envelopes, and the new hash chains verify) on SQLite and PostgreSQL; a second import of the
same file is refused unless its keys say it was already imported; the CIN census is XML."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cli_harness import (
    SAMPLE_FILES,
    cpw,
    exported_lines,
    fingerprint,
    json_of,
    ok,
    without_store_stamps,
)

from cpworkflow.store import EventStore

CASES = ["C1001", "C1002", "C1003", "C1004"]


# The samples that still import under revision 2 (see the first test).
TODAYS = ("C1001", "C1002")


def _state(db: str, cases: Sequence[str] = CASES) -> dict[str, tuple[str, int, str]]:
    views = {case: json_of(db, "show", case) for case in cases}
    return {case: (v["stage"], v["version"], v["policy"]) for case, v in views.items()}


def _keyed(lines: list[dict[str, Any]]) -> bytes:
    """The export with an idempotency key on every envelope, as an integrating system
    would send it."""
    keyed = [{**line, "key": f"{line['case_id']}-{line['stored']['seq']}"} for line in lines]
    return b"".join(json.dumps(line).encode() + b"\n" for line in keyed)


def test_an_export_imports_into_a_fresh_store_as_the_same_cases(
    samples_db: str, store_url: str, tmp_path: Path
) -> None:
    # Import decides every event again under today's rules: the samples that still pass
    # them (C1003 and C1004 close without every professional informed, which revision 2's
    # G-INFORMED refuses; they travel with their decisions through `cpw restore`).
    exported = tmp_path / "all.jsonl"
    ok(samples_db, "export", *TODAYS, "--format", "jsonl", "-o", str(exported))
    source = exported_lines(exported.read_bytes())
    committed = [
        line
        for path in SAMPLE_FILES
        if path.stem in TODAYS
        for line in exported_lines(path.read_bytes())
    ]
    assert [without_store_stamps(x) for x in source] == [without_store_stamps(x) for x in committed]

    imported = json_of(store_url, "import", str(exported))
    assert imported == {"events": 60, "cases": 2, "duplicates": 0}
    assert _state(samples_db, TODAYS) == _state(store_url, TODAYS)
    assert _state(store_url, TODAYS) == {
        "C1001": ("closed", 52, "default"),
        "C1002": ("cin", 8, "sefton"),
    }
    assert json_of(store_url, "verify") == {"ok": True, "problems": []}

    again = exported_lines(ok(store_url, "export", "--format", "jsonl").stdout)

    def facts(line: dict[str, Any]) -> dict[str, Any]:
        # Import decides again: the decisions are today's rules' (revision 2 opens, for
        # instance, T-ICPC and T-SEEN-ALONE), the facts and stages are the same.
        kept = without_store_stamps(line)
        stage = kept["stored"].pop("decision")["stage_after"]
        return {**kept, "stage_after": stage}

    assert [facts(x) for x in again] == [facts(x) for x in source]
    assert again[0]["stored"]["hash"] != source[0]["stored"]["hash"]  # a new recorded_at
    assert [x["stored"]["prev_hash"] for x in again[1:52]] == [
        x["stored"]["hash"] for x in again[:51]
    ]


def test_a_second_import_of_a_keyed_file_writes_nothing(store_url: str, samples_db: str) -> None:
    exported = ok(samples_db, "export", *TODAYS, "--format", "jsonl").stdout
    keyed = _keyed(exported_lines(exported))
    assert json_of(store_url, "import", "-", input=keyed)["events"] == 60
    before = fingerprint(store_url, "C1001")
    again = json_of(store_url, "import", "-", input=keyed)
    assert again == {"events": 0, "cases": 0, "duplicates": 60}
    assert fingerprint(store_url, "C1001") == before
    assert ok(store_url, "import", "-", input=keyed).stdout == (
        "imported 0 events for 0 cases (60 repeated keys skipped)\n"
    )


def test_an_interrupted_keyed_import_resumes_where_it_stopped(
    store_url: str, samples_db: str
) -> None:
    keyed = _keyed(exported_lines(ok(samples_db, "export", "C1001", "--format", "jsonl").stdout))
    first_thirty = b"".join(keyed.splitlines(keepends=True)[:30])
    assert json_of(store_url, "import", "-", input=first_thirty)["events"] == 30
    resumed = json_of(store_url, "import", "-", input=keyed)
    assert resumed == {"events": 22, "cases": 1, "duplicates": 30}
    assert json_of(store_url, "show", "C1001")["version"] == 52
    assert json_of(store_url, "verify", "C1001")["ok"] is True


def test_a_second_import_without_keys_is_refused_at_line_1_and_writes_nothing(
    store_url: str,
) -> None:
    sample = next(p for p in SAMPLE_FILES if p.stem == "C1001")
    assert json_of(store_url, "import", str(sample))["events"] == 52
    before = fingerprint(store_url, "C1001")
    again = cpw(store_url, "import", str(sample))
    assert again.exit_code == 1
    assert again.stderr.startswith("line 1: refused: G-STAGE: case C1001 already exists")
    assert again.stdout == ""
    assert fingerprint(store_url, "C1001") == before
    store = EventStore(store_url)
    assert store.count() == 52
    store.dispose()


def test_an_import_that_fails_at_its_last_line_writes_none_of_its_cases(
    store_url: str, samples_db: str
) -> None:
    exported = ok(samples_db, "export", *TODAYS, "--format", "jsonl").stdout
    lines = exported.splitlines(keepends=True)
    spoiled = "".join(lines) + lines[0]  # C1001 opened again, after both cases
    failed = cpw(store_url, "import", "-", input=spoiled)
    assert (failed.exit_code, failed.stderr.split(": refused")[0]) == (1, "line 61")
    ok(store_url, "init")
    store = EventStore(store_url)
    assert (store.count(), store.case_ids()) == (0, [])
    store.dispose()


def test_the_cin_census_export_is_xml(samples_db: str, tmp_path: Path) -> None:
    for case_id in ("C1001", "C1002"):
        ok(
            samples_db,
            *("record", case_id, "ChildDetailsRecorded", "--on", "2026-06-30"),
            *("--actor", "sw-104", "--role", "social_worker"),
            *("--data", '{"disabilities": ["NONE"]}'),
        )
    target = tmp_path / "cin.xml"

    result = ok(
        samples_db,
        *("export", "C1001", "C1002", "--format", "cin-census", "--year", "2026"),
        *("--la-code", "318", "-o", str(target)),
    )

    assert result.stderr == f"wrote {target}\n"
    assert target.read_text().startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Message>')
    assert target.read_text().count("<Child>") == 2
    assert "<LEA>318</LEA>" in target.read_text()
