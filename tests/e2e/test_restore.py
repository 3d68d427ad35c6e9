"""Restore with history: a log moved SQLite → PostgreSQL → SQLite keeps every seq,
recorded_at, decision, key and hash, so the exports are byte for byte the same and every
`--known-at` answer is too; a file whose chain does not verify is refused, naming case and
seq, and nothing is written."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from cli_harness import cpw, json_of, ok

from cpworkflow.store import EventStore

OLD_STORE = Path(__file__).parents[1] / "fixtures" / "stores" / "store-0.1.0.sqlite"


@pytest.fixture
def original(tmp_path: Path) -> str:
    """The log the first build wrote, five cases recorded over time (a copy)."""
    copy = tmp_path / "original.db"
    shutil.copyfile(OLD_STORE, copy)
    return f"sqlite:///{copy}"


def _export(url: str, target: Path) -> bytes:
    ok(url, "export", "--format", "jsonl", "-o", str(target))
    return target.read_bytes()


def _hashes(url: str) -> list[tuple[str, int, str, str]]:
    store = EventStore(url)
    try:
        return sorted((e.case_id, e.seq, e.hash, e.prev_hash) for e in store.read_all())
    finally:
        store.dispose()


def _moments(url: str) -> list[str]:
    """Every moment something was recorded, and a microsecond before each."""
    store = EventStore(url)
    try:
        stamps = sorted({e.recorded_at for e in store.read_all()})
    finally:
        store.dispose()
    moments = []
    for stamp in stamps:
        for moment in (stamp - timedelta(microseconds=1), stamp):
            moments.append(moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    return moments


def test_a_log_moved_sqlite_to_postgres_to_sqlite_keeps_its_history(
    original: str, pg_url: str, tmp_path: Path
) -> None:
    first = _export(original, tmp_path / "1.jsonl")
    assert "restored" in ok(pg_url, "restore", str(tmp_path / "1.jsonl")).stdout
    second = _export(pg_url, tmp_path / "2.jsonl")
    back = f"sqlite:///{tmp_path / 'back' / 'events.db'}"
    ok(back, "restore", str(tmp_path / "2.jsonl"))
    third = _export(back, tmp_path / "3.jsonl")

    assert first == second == third
    assert _hashes(original) == _hashes(pg_url) == _hashes(back)
    cases = [json.loads(line)["case_id"] for line in first.splitlines()]
    for case_id in sorted(set(cases)):
        for moment in _moments(original):
            answers = [
                json_of(url, "history", case_id, "--known-at", moment)
                if cpw(url, "history", case_id, "--known-at", moment).exit_code == 0
                else None
                for url in (original, pg_url, back)
            ]
            assert answers[0] == answers[1] == answers[2], (case_id, moment)
        shown = [json_of(url, "show", case_id) for url in (original, pg_url, back)]
        assert shown[0] == shown[1] == shown[2]
    for url in (pg_url, back):
        assert ok(url, "verify").stdout.startswith("verified")


def test_a_file_whose_chain_breaks_is_refused_naming_case_and_seq(
    original: str, store_url: str, tmp_path: Path
) -> None:
    lines = _export(original, tmp_path / "all.jsonl").decode().splitlines()
    edited = json.loads(lines[3])
    edited["data"]["seen"] = not edited["data"].get("seen", False)
    lines[3] = json.dumps(edited)
    (tmp_path / "edited.jsonl").write_text("\n".join(lines) + "\n")
    refused = cpw(store_url, "restore", str(tmp_path / "edited.jsonl"))
    assert refused.exit_code == 4
    assert refused.stderr.startswith(
        f"error: case {edited['case_id']} at seq {edited['stored']['seq']}: "
    )
    assert "(line 4)" in refused.stderr
    assert cpw(store_url, "verify").exit_code == 6  # nothing was written, not even a store


def test_restore_needs_an_empty_store_and_an_export(original: str, tmp_path: Path) -> None:
    _export(original, tmp_path / "all.jsonl")
    again = cpw(original, "restore", str(tmp_path / "all.jsonl"))
    assert again.exit_code == 2
    assert "restore needs an empty store: this one has" in again.stderr
    envelope = {"case_id": "C1", "type": "CaseOpened", "occurred_on": "2025-01-06"}
    (tmp_path / "new.jsonl").write_text(json.dumps(envelope) + "\n")
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    bare = cpw(fresh, "restore", str(tmp_path / "new.jsonl"))
    assert bare.exit_code == 2
    assert bare.stderr.startswith("error: line 1: stored: must be an object")
