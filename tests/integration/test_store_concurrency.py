"""Real OS processes against one store, on both engines: racing writers on one case, writers
on separate cases watched by a reader, a writer killed half-way through a batch, and a
writer kept waiting for the lock."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from store_helpers import HELPER, holding_the_write_lock, new_event

from cpworkflow.errors import ConflictError
from cpworkflow.store import EventStore, sqlite_setup

WRITERS = 8
EACH = 200


def _start_writers(url: str, cases: list[str], go: Path) -> list[subprocess.Popen[str]]:
    """Start one append-loop child per case name, and release them together."""
    children = [
        subprocess.Popen(
            [sys.executable, str(HELPER), "append-loop", url, case, str(EACH), f"w{n}", str(go)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for n, case in enumerate(cases)
    ]
    for child in children:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
    go.touch()
    return children


def _finish(children: list[subprocess.Popen[str]]) -> list[dict[str, object]]:
    reports = []
    for child in children:
        out, _ = child.communicate(timeout=120)
        assert child.returncode == 0
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports


@pytest.mark.slow
def test_eight_processes_racing_on_one_case_store_every_event_exactly_once(
    store: EventStore, store_url: str, tmp_path: Path
) -> None:
    reports = _finish(_start_writers(store_url, ["C1"] * WRITERS, tmp_path / "go"))
    events = store.load("C1")
    assert [e.seq for e in events] == list(range(1, WRITERS * EACH + 1))
    written = sorted((e.data["writer"], e.data["n"]) for e in events)
    assert written == sorted((f"w{w}", n) for w in range(WRITERS) for n in range(EACH))
    assert store.count() == WRITERS * EACH
    assert store.verify() == []
    assert sum(int(str(r["conflicts"])) for r in reports) > 0  # they really did race


@pytest.mark.slow
def test_positions_become_visible_in_commit_order_to_a_concurrent_reader(
    store: EventStore, store_url: str, tmp_path: Path
) -> None:
    cases = [f"C{n}" for n in range(WRITERS)]
    children = _start_writers(store_url, cases, tmp_path / "go")
    seen: list[int] = []
    while any(child.poll() is None for child in children):
        after = seen[-1] if seen else 0
        seen.extend(e.position for e in store.read_all(from_position=after, batch_size=50))
    _finish(children)
    seen.extend(e.position for e in store.read_all(from_position=seen[-1] if seen else 0))
    every = list(store.read_all())
    # Nothing ever appeared behind the reader: reading on from the last position seen
    # collected every event there is.
    assert seen == [e.position for e in every]
    assert len(every) == WRITERS * EACH
    assert seen == sorted(set(seen))
    for case in cases:
        in_position_order = [e.seq for e in every if e.case_id == case]
        assert in_position_order == list(range(1, EACH + 1))
    assert store.verify() == []


@pytest.mark.slow
def test_a_writer_killed_mid_batch_leaves_nothing_behind(store: EventStore, store_url: str) -> None:
    store.append("C0", [new_event("C0")])
    child = subprocess.Popen(
        [sys.executable, str(HELPER), "big-batch", store_url, "C1", "10000"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    started = time.monotonic()
    line = child.stdout.readline().strip()  # printed once rows of the batch are inserted
    assert line == "inserting", f"the child said {line!r}"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    assert time.monotonic() - started < 60
    assert store.version("C1") == 0
    assert store.count() == 1
    assert store.verify() == []
    # The dead writer's lock is gone too: the next append goes straight in, at seq 1.
    assert store.append("C1", [new_event()], expected_version=0).events[0].seq == 1


def test_a_writer_kept_waiting_past_the_busy_timeout_gets_a_conflict_and_writes_nothing(
    store: EventStore, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_setup, "BUSY_TIMEOUT_MS", 200)
    waiting = EventStore(store_url)  # its connections take the shortened timeout
    with holding_the_write_lock(store_url):
        with pytest.raises(ConflictError, match="busy"):
            waiting.append("C1", [new_event()])
        assert waiting.count() == 0  # readers carry on while the write lock is held
    assert waiting.append("C1", [new_event()]).events[0].seq == 1
    waiting.dispose()


RECORD_LOOP = Path(__file__).with_name("record_loop.py")


@pytest.mark.slow
def test_eight_processes_recording_to_one_case_without_expect_version_are_never_refused(
    store_url: str, tmp_path: Path
) -> None:
    """8 processes x 200 `cpw record` calls to one case, no --expect-version: each call
    that meets a concurrent append decides again against the new state, so every call
    lands, exactly once, and the log verifies."""
    python = [sys.executable, str(RECORD_LOOP)]
    subprocess.run([*python, "open", store_url, "C1"], check=True, timeout=60)
    go = tmp_path / "go"
    children = [
        subprocess.Popen(
            [*python, "record", store_url, "C1", str(EACH), f"w{n}", str(go)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(WRITERS)
    ]
    reports = []
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
        go.touch()
        for child in children:
            out, _ = child.communicate(timeout=900)
            assert child.returncode == 0
            reports.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for child in children:  # a failed or timed-out run leaves no writer behind
            if child.poll() is None:
                child.kill()
                child.wait()
    assert [r["codes"] for r in reports] == [{"0": EACH}] * WRITERS
    store = EventStore(store_url)
    try:
        events = store.load("C1")
        assert len(events) == 3 + WRITERS * EACH
        assert [e.seq for e in events] == list(range(1, 3 + WRITERS * EACH + 1))
        keys = sorted(str(e.key) for e in events[3:])
        assert keys == sorted(f"w{w}-{n}" for w in range(WRITERS) for n in range(EACH))
        assert store.verify() == []
    finally:
        store.dispose()
    assert sum(int(r["decided_again"]) for r in reports) > 0  # they really did race
