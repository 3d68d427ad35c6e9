"""`import` at scale: the file is decided and written a batch at a time into one open
transaction, and only recently seen cases stay in memory. On both engines: a failure after
batches were written leaves nothing behind; cases interleaved across batches, let go and
read back decide exactly as the same file imported in one batch, and as `record` decides
them one by one; a repeated key is checked against its original wherever that is; and the
append lock is held from the first batch to the commit."""

from __future__ import annotations

import json
import tempfile
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import holding_the_write_lock
from structlog.testing import capture_logs

from cpworkflow.errors import (
    BadInputError,
    ConflictError,
    CpwError,
    KeyReusedError,
    RefusedError,
)
from cpworkflow.service import CaseService, import_halves
from cpworkflow.service.importing import Limits, import_lines
from cpworkflow.store import EventStore, sqlite_setup
from cpworkflow.workload.caseload import case_story

TODAY = date(2026, 4, 1)
STORIES = {n: case_story(5, n) for n in range(1, 7)}
ONE_BATCH = Limits(batch=10**6, keep_cases=10**6, keep_events=10**9)
TINY = Limits(batch=7, keep_cases=2, keep_events=40)  # batches of 7 lines, 2 cases kept
Envelope = dict[str, Any]


@pytest.fixture(autouse=True, params=["one process", "two processes"])
def processes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every import here decided in one process, then in two (service/import_halves.py)
    as a file of PARALLEL_FROM lines or more on two cores would be."""
    if request.param == "two processes":
        monkeypatch.setattr(import_halves, "PARALLEL_FROM", 1)
        monkeypatch.setattr(import_halves, "worth_it", lambda: True)
    return str(request.param)


def _with_a_late_visit(story: list[Envelope]) -> list[Envelope]:
    """The story with its second and third visits recorded in the other order: the later
    visit first, then the earlier one, typed in late (re-chained among the period's facts)."""
    visits = [i for i, e in enumerate(story) if e["type"] == "ChildVisited"]
    if len(visits) < 3 or visits[2] != visits[1] + 1:
        return story
    i = visits[1]
    return [*story[:i], story[i + 1], story[i], *story[i + 2 :]]


def _keyed(story: list[Envelope]) -> list[Envelope]:
    return [{**e, "key": f"{e['case_id']}-{n}"} for n, e in enumerate(story)]


def _round_robin(stories: list[list[Envelope]]) -> list[Envelope]:
    """One envelope of each case in turn: every case open at once, across every batch."""
    out: list[Envelope] = []
    for n in range(max(len(s) for s in stories)):
        out.extend(s[n] for s in stories if n < len(s))
    return out


def _lines(envelopes: list[Envelope]) -> list[str]:
    return [json.dumps(e, default=str) for e in envelopes]


def _service(url: str) -> CaseService:
    store = EventStore(url)
    store.init()
    return CaseService(store, today=lambda: TODAY)


def _stored(service: CaseService) -> dict[str, Any]:
    """What an import leaves, without what only says when it was written: every event as
    decided, and every read-model row."""
    events = [
        (e.case_id, e.seq, e.type, e.occurred_on, e.actor, e.data, e.decision, e.policy, e.key)
        for cid in service.case_ids()
        for e in service.store.load(cid)
    ]
    views = sorted(
        (v.case_id, sorted(v.summary.items()), v.obligations)
        for v, _ in service.store.read_models.views()
    )
    return {"events": events, "views": views, "verify": service.verify()}


def _outcome(url: str, lines: list[str], limits: Limits) -> dict[str, Any]:
    service = _service(url)
    try:
        result = import_lines(service, lines, limits=limits)
    except CpwError as err:
        return {"error": (type(err).__name__, str(err)), **_stored(service)}
    finally:
        service.store.dispose()
    service = _service(url)
    try:
        return {"imported": result, **_stored(service)}
    finally:
        service.store.dispose()


@pytest.fixture
def urls(store_url: str, tmp_path: Path) -> tuple[str, str]:
    """An empty store on the engine under test, and one on a SQLite file beside it."""
    return store_url, f"sqlite:///{tmp_path / 'other.db'}"


@pytest.mark.parametrize(
    "last_line",
    [
        pytest.param("refused", id="refused"),
        pytest.param("bad-json", id="bad-json"),
    ],
)
def test_an_import_that_fails_after_its_first_batches_were_written_leaves_nothing(
    store_url: str, last_line: str
) -> None:
    envelopes = [e for n in sorted(STORIES) for e in STORIES[n]]
    lines = _lines(envelopes)
    lines.append("{not json" if last_line == "bad-json" else _lines([envelopes[0]])[0])
    service = _service(store_url)
    with capture_logs() as entries, pytest.raises((RefusedError, BadInputError)) as failed:
        import_lines(service, lines, limits=TINY)
    written = [e for e in entries if e["event"] == "imported case"]
    assert len(written) > len(STORIES)  # many batches were in the transaction ...
    assert sum(e["events"] for e in written) > len(envelopes) - TINY.batch  # all but the last
    assert failed.value.line == len(lines)  # ... when the last line failed, named
    service.store.dispose()
    service = _service(store_url)
    assert (service.store.count(), service.case_ids()) == (0, [])
    assert list(service.store.read_models.views()) == []
    service.store.dispose()


def test_cases_interleaved_across_batches_decide_as_in_one_batch_and_as_record_does(
    urls: tuple[str, str], tmp_path: Path
) -> None:
    stories = [_keyed(_with_a_late_visit(STORIES[n])) for n in sorted(STORIES)]
    envelopes = _round_robin(stories)
    lines = _lines(envelopes)
    lines += lines[len(lines) // 2 :]  # the second half again: repeats of let-go cases
    batched, whole = _outcome(urls[0], lines, TINY), _outcome(urls[1], lines, ONE_BATCH)
    assert "error" not in batched
    assert batched == whole
    assert batched["imported"].duplicates == len(lines) - len(envelopes)
    assert batched["verify"] == []
    recorded = _service(f"sqlite:///{tmp_path / 'recorded.db'}")
    for line in _lines(envelopes):
        recorded.record(line)
    assert _stored(recorded)["events"] == batched["events"]
    recorded.store.dispose()


def test_a_key_repeated_with_other_content_after_its_case_was_let_go_is_refused(
    store_url: str,
) -> None:
    first, second, third = (_keyed(STORIES[n]) for n in (1, 2, 3))
    changed = {
        **first[3],
        "occurred_on": str(date.fromisoformat(str(first[3]["occurred_on"])) + timedelta(days=1)),
    }
    lines = _lines([*first, *second, *third, changed])
    service = _service(store_url)
    with pytest.raises(KeyReusedError, match="with a different occurred_on"):
        import_lines(service, lines, limits=TINY)
    assert service.store.count() == 0
    service.store.dispose()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.data(),
    limits=st.builds(
        Limits,
        batch=st.integers(1, 30),
        keep_cases=st.integers(1, 4),
        keep_events=st.integers(1, 80),
    ),
)
def test_any_interleaving_and_any_batch_size_decide_as_one_batch_on_sqlite(
    data: st.DataObject, limits: Limits
) -> None:
    chosen = data.draw(
        st.lists(st.sampled_from(sorted(STORIES)), min_size=1, max_size=4, unique=True)
    )
    stories = [
        _keyed(_with_a_late_visit(STORIES[n])[: data.draw(st.integers(1, 40))]) for n in chosen
    ]
    order = data.draw(st.permutations([i for i, s in enumerate(stories) for _ in s]))
    cursors = [0] * len(stories)
    envelopes = []
    for i in order:  # each case's envelopes in its own order, the cases mixed any way
        envelopes.append(stories[i][cursors[i]])
        cursors[i] += 1
    repeats = data.draw(st.lists(st.sampled_from(envelopes), max_size=5))
    lines = _lines(envelopes + repeats)
    with tempfile.TemporaryDirectory() as tmp:
        batched = _outcome(f"sqlite:///{tmp}/batched.db", lines, limits)
        whole = _outcome(f"sqlite:///{tmp}/whole.db", lines, ONE_BATCH)
    assert batched == whole


def test_an_import_holds_the_append_lock_from_its_first_batch_to_its_commit(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While an import is open, with batches written: readers see none of it, another
    writer waits for the lock (here past a shortened busy timeout: a conflict, nothing
    written); after the commit everything is there at once, and the writer goes in."""
    monkeypatch.setattr(sqlite_setup, "BUSY_TIMEOUT_MS", 200)
    envelopes = [e for n in sorted(STORIES) for e in STORIES[n]]
    written, go = threading.Event(), threading.Event()

    def pause_after_the_first_batch(number: int) -> None:
        if number == TINY.batch + 1:
            written.set()
            go.wait(timeout=60)

    service, other = _service(store_url), _service(store_url)  # `init` is a write: first
    results: list[object] = []
    importing = threading.Thread(
        target=lambda: results.append(
            import_lines(service, _lines(envelopes), pause_after_the_first_batch, limits=TINY)
        )
    )
    importing.start()
    try:
        assert written.wait(timeout=60)
        assert (other.store.count(), list(other.store.read_models.views())) == (0, [])
        with pytest.raises(ConflictError, match="busy"):
            other.record(_lines([STORIES[1][0]])[0].replace("S000001", "X1"))
    finally:
        go.set()
        importing.join(timeout=120)
    assert [getattr(r, "events", None) for r in results] == [len(envelopes)]
    assert other.store.count() == len(envelopes)
    assert other.record(_lines([STORIES[1][0]])[0].replace("S000001", "X1")).event.seq == 1
    assert other.store.case_ids() == sorted(["X1", *(f"S{n:06d}" for n in STORIES)])
    other.store.dispose()
    service.store.dispose()


def test_an_import_kept_waiting_for_the_lock_past_the_busy_timeout_writes_nothing(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_setup, "BUSY_TIMEOUT_MS", 200)
    service = _service(store_url)
    with holding_the_write_lock(store_url), pytest.raises(ConflictError, match="busy"):
        import_lines(service, _lines(STORIES[1]), limits=TINY)
    assert service.store.count() == 0
    service.store.dispose()
