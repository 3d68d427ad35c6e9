"""`import` in two processes (service/import_halves.py) against the one-process import, its
oracle: for a caseload with a line spoilt anywhere (bad JSON, a key repeated, an unknown
type, a refused event, an event of a case never opened, a key reused with other content)
or with blank lines and repeats, both give the same result or the same error, tell the
same progress, and leave the same bytes in the store (events, positions, hashes and read
models), or nothing at all."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from store_helpers import drop_triggers, run_sql

from cpworkflow.errors import BadInputError, CpwError
from cpworkflow.service import CaseService, import_halves
from cpworkflow.service.importing import Limits, import_lines
from cpworkflow.store import EventStore, read_tables
from cpworkflow.store.bulk import BulkWriter
from cpworkflow.store.tables import events
from cpworkflow.workload.caseload import jsonl, simulate

TODAY = date(2026, 4, 1)
LINES = [  # each with an idempotency key: a line given again is a repeat, skipped
    json.dumps(json.loads(line) | {"key": f"k{n}"}).encode()
    for n, line in enumerate(jsonl(simulate(12, seed=3)))
]
SMALL = Limits(batch=37, keep_cases=3, keep_events=60)  # many batches, cases let go


def _spoilt(line: bytes, how: str) -> bytes:
    envelope: dict[str, Any] = json.loads(line)
    if how == "bad json":
        return line[: len(line) // 2]
    if how == "key twice":
        return line[:-1] + b', "type": "CaseOpened"}'
    if how == "unknown type":
        envelope["type"] = "ChildVisitd"
    elif how == "refused":  # a second CaseOpened: G-STAGE
        envelope["type"], envelope["data"] = "CaseOpened", json.loads(LINES[0])["data"]
        envelope["key"] = "spoilt"
    elif how == "not opened":
        envelope["case_id"] = "NEVER-OPENED"
    return json.dumps(envelope).encode()


def _outcome(
    lines: Iterable[bytes],
    limits: Limits,
    *,
    two: bool,
    before: list[bytes] | None = None,
    spoil_stored: Sequence[str] = (),
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as where:
        url = f"sqlite:///{where}/store.db"
        store = EventStore(url, clock=lambda: datetime(2026, 4, 1, 9, tzinfo=UTC))
        store.init()
        service = CaseService(store, today=lambda: TODAY)
        if before:  # what the store holds already, imported in one process
            import_lines(service, before, limits=limits)
        if spoil_stored:  # these cases' first stored events made unreadable
            drop_triggers(url)
            quoted = ", ".join(f"'{cid}'" for cid in spoil_stored)
            run_sql(
                url, f"UPDATE events SET data = 'not json' WHERE seq = 1 AND case_id IN ({quoted})"
            )
        told: list[int] = []
        saved = import_halves.PARALLEL_FROM, import_halves.worth_it
        if two:
            import_halves.PARALLEL_FROM, import_halves.worth_it = 1, lambda: True
        try:
            result: Any = import_lines(service, lines, told.append, limits=limits)
        except CpwError as err:
            result = (type(err).__name__, str(err), getattr(err, "line", None))
        finally:
            import_halves.PARALLEL_FROM, import_halves.worth_it = saved
            store.dispose()
        if two and not isinstance(result, tuple):
            assert told == sorted(told)  # told in file order, as one process tells it
        engine = sa.create_engine(url)
        with engine.connect() as c:
            tables = [events, read_tables.case_summaries, read_tables.open_obligations]
            rows = [list(c.execute(sa.select(t).order_by(*t.primary_key.columns))) for t in tables]
        engine.dispose()
        return {"result": result, "progress": told, "rows": rows}


def test_a_whole_caseload_is_stored_byte_for_byte_as_one_process_stores_it() -> None:
    lines = [*LINES[:50], b"", *LINES[50:], *LINES[10:30]]  # a blank line; repeats
    one, two = _outcome(lines, SMALL, two=False), _outcome(lines, SMALL, two=True)
    assert one == two
    assert (one["result"].events, one["result"].duplicates) == (len(LINES), 20)
    assert len(one["rows"][0]) == len(LINES)


def test_an_import_into_a_store_that_holds_its_cases_already_is_as_in_one_process() -> None:
    """The fork's cases come back from the store (sent ahead by the parent): the repeats
    are skipped, the rest of each case appended after what was stored."""
    before, lines = LINES[: len(LINES) // 2], [*LINES[len(LINES) // 3 :], *LINES[:5]]
    one = _outcome(lines, SMALL, two=False, before=before)
    two = _outcome(lines, SMALL, two=True, before=before)
    assert one == two
    assert one["result"].events == len(LINES) - len(before)
    assert len(one["rows"][0]) == len(LINES)


def test_stored_cases_that_cannot_be_read_back_fail_as_in_one_process() -> None:
    """Two of the cases the import reads back are corrupt, one of each process: the error
    names the one that one process would have read first."""
    before, again = LINES[: len(LINES) // 2], LINES  # the stored cases are all read back
    ids = sorted({json.loads(line)["case_id"] for line in before})
    spoilt = [
        next(c for c in reversed(ids) if import_halves._theirs(c)),
        next(c for c in reversed(ids) if not import_halves._theirs(c)),
    ]
    limits = Limits(batch=5_000, keep_cases=3, keep_events=60)  # both read back in one batch
    one = _outcome(again, limits, two=False, before=before, spoil_stored=spoilt)
    two = _outcome(again, limits, two=True, before=before, spoil_stored=spoilt)
    assert one == two
    assert one["result"][0] == "IntegrityError" and spoilt[0] in one["result"][1]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    at=st.integers(0, len(LINES) - 1),
    how=st.sampled_from(["bad json", "key twice", "unknown type", "refused", "not opened"]),
    batch=st.integers(1, 80),
)
def test_a_line_spoilt_anywhere_fails_as_in_one_process(at: int, how: str, batch: int) -> None:
    # a case's first line made a second CaseOpened is still its first: not refused
    assume(how != "refused" or json.loads(LINES[at])["type"] != "CaseOpened")
    lines = list(LINES)
    lines[at] = _spoilt(lines[at], how)
    limits = Limits(batch=batch, keep_cases=2, keep_events=50)
    one, two = _outcome(lines, limits, two=False), _outcome(lines, limits, two=True)
    assert one == two
    assert isinstance(one["result"], tuple)  # it failed, naming the line
    assert one["rows"] == [[], [], []]


def _cut_short(lines: list[bytes], at: int) -> Iterator[bytes]:
    """The lines, until reading line `at` fails (as `cli/jsonl.lines` fails on a line over
    1 MiB): the error comes from the file itself, while the import reads it."""
    for number, line in enumerate(lines, 1):
        if number == at:
            raise BadInputError("the line is longer than 1 MiB", line=number)
        yield line


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cut=st.integers(1, len(LINES)),
    spoil=st.none() | st.integers(0, len(LINES) - 1),
    batch=st.integers(1, 80),
)
def test_a_file_that_fails_to_be_read_fails_as_in_one_process(
    cut: int, spoil: int | None, batch: int
) -> None:
    """Read ahead by a batch in two processes, the file's own error still comes after the
    errors of the lines before it, and never before the batch it is in is reached."""
    lines = list(LINES)
    if spoil is not None:
        lines[spoil] = _spoilt(lines[spoil], "refused")
    limits = Limits(batch=batch, keep_cases=2, keep_events=50)
    one = _outcome(_cut_short(lines, cut), limits, two=False)
    two = _outcome(_cut_short(lines, cut), limits, two=True)
    assert one == two
    assert one["rows"] == [[], [], []]


def test_a_key_reused_with_other_content_fails_as_in_one_process() -> None:
    again = json.loads(LINES[5]) | {"occurred_on": "2019-01-01"}  # line 6's key, other content
    lines = [*LINES, LINES[3], json.dumps(again).encode()]
    one, two = _outcome(lines, SMALL, two=False), _outcome(lines, SMALL, two=True)
    assert one == two
    assert one["result"][0] == "KeyReusedError"


@pytest.mark.parametrize("how", ["raises", "raises before it is told", "dies"])
def test_a_second_process_that_fails_or_dies_leaves_nothing_written(
    monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    def broken(*_: object) -> dict[str, int]:
        if how == "dies":
            os._exit(1)  # as if killed: not a word back
        raise MemoryError  # as if it ran out of memory

    monkeypatch.setattr(import_halves._Remote, "versions", broken)  # the second's reads only
    if how == "raises before it is told":  # gone before this one sends what it reads: the
        # send meets a closed pipe, and the error it left is still the one raised
        slow, calls = BulkWriter.versions, []

        def late(self: BulkWriter, case_ids: Sequence[str]) -> dict[str, int]:
            if not calls:  # the first batch's: the second process has failed by then
                time.sleep(0.5)
            calls.append(case_ids)
            return slow(self, case_ids)

        monkeypatch.setattr(BulkWriter, "versions", late)
    with pytest.raises(MemoryError if how != "dies" else import_halves.SecondProcessError):
        _outcome(LINES, SMALL, two=True)
    assert _outcome(LINES, SMALL, two=False)["result"].events == len(LINES)


def test_what_a_failed_import_in_two_processes_leaves_is_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = EventStore(url)
    store.init()
    service = CaseService(store, today=lambda: TODAY)
    saved = import_halves.PARALLEL_FROM, import_halves.worth_it
    import_halves.PARALLEL_FROM, import_halves.worth_it = 1, lambda: True
    try:
        with pytest.raises(CpwError) as failed:
            import_lines(service, [*LINES, _spoilt(LINES[0], "refused")], limits=SMALL)
    finally:
        import_halves.PARALLEL_FROM, import_halves.worth_it = saved
    assert getattr(failed.value, "line", None) == len(LINES) + 1
    assert (store.count(), store.case_ids(), list(store.read_models.views())) == (0, [], [])
    store.dispose()
