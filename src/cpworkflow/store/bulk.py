"""An import's appends: one write transaction for the whole file, written a batch at a time.

`writing` takes the append lock once (BEGIN IMMEDIATE on SQLite, LOCK TABLE on PostgreSQL)
and yields a `BulkWriter`; every batch is inserted with one executemany per table (events,
then the read models; on PostgreSQL one COPY per table, `copying.py`) inside that
transaction, so memory holds one batch, never the file, and the import is still all or
nothing: leaving the block with an exception rolls every batch back. Reads through the
writer see what it has written. Nobody else can append while it is open (other writers
wait for the lock, then fail as busy), so nothing it read can go stale: versions and hash
chains are carried from batch to batch in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import groupby

import sqlalchemy as sa

from cpworkflow.errors import ConflictError
from cpworkflow.records import CaseView, StoredEvent
from cpworkflow.store import engine as engines
from cpworkflow.store import inputs, read_models, recorder
from cpworkflow.store.canonical import GENESIS
from cpworkflow.store.rows import Parts, row_of, stored_event

ROWS_PER_READ = 5_000  # stored events read back with one query, when cases come back
_CHUNK = 500  # case ids in one IN (...) list

Head = tuple[int, str]  # a case's version and the hash of its last event


class BulkWriter:
    """The open transaction of one import. Keeps the version and last hash of the cases it
    has written or looked up until told to `forget` them."""

    def __init__(self, connection: sa.Connection, recorded_at: str) -> None:
        self._connection = connection
        self._recorded_at = recorded_at
        self._heads: dict[str, Head] = {}
        self._start = recorder.last_position(connection)  # what is above is this import's
        self._mark = self._start  # the last position of the batches written so far

    def versions(self, case_ids: Sequence[str]) -> dict[str, int]:
        """The version of every one of these cases that has events: one query per 500."""
        found = recorder.heads(self._connection, [inputs.case_id(c) for c in case_ids])
        self._heads.update(found)
        return {cid: version for cid, (version, _) in found.items()}

    def events_of(self, versions: Mapping[str, int]) -> Iterator[tuple[str, list[StoredEvent]]]:
        """The stored events of these cases (`versions` as `versions` gave them), case by
        case in seq order, read with one query per ROWS_PER_READ events or 500 cases."""
        group: list[str] = []
        size = 0
        for cid in sorted(versions):
            if group and (size + versions[cid] > ROWS_PER_READ or len(group) == _CHUNK):
                yield from self._read(group)
                group, size = [], 0
            group.append(cid)
            size += versions[cid]
        if group:
            yield from self._read(group)

    def _read(self, case_ids: list[str]) -> Iterator[tuple[str, list[StoredEvent]]]:
        rows = recorder.rows_of_cases(self._connection, case_ids)
        for cid, case_rows in groupby(rows, key=lambda row: str(row["case_id"])):
            yield cid, [stored_event(row) for row in case_rows]

    def originals(self, keys: Mapping[str, Sequence[str]]) -> dict[tuple[str, str], StoredEvent]:
        """The stored events these keys name, by (case, key): one query per 500 cases."""
        wanted = {cid: list(k) for cid, k in keys.items() if k}
        found = recorder.keyed_rows(self._connection, wanted)
        return {
            (cid, key): stored_event(row)
            for cid, rows in found.items()
            for key, row in rows.items()
        }

    def append(
        self,
        batches: Sequence[tuple[str, Sequence[Parts], int]],
        views: Mapping[str, CaseView],
    ) -> dict[str, int]:
        """Append each case's checked events (`rows.parts`) after the version given (which
        must be the case's: ConflictError otherwise), and each case's read-model rows in
        `views`: one executemany (PostgreSQL: COPY) per table. Returns each case's last
        position."""
        unknown = [cid for cid, _, _ in batches if cid not in self._heads]
        if unknown:
            self._heads.update(recorder.heads(self._connection, unknown))
        rows = []
        for cid, events, expected in batches:
            version, prev_hash = self._heads.get(cid, (0, GENESIS))
            if version != expected:
                raise ConflictError(cid, expected, version)
            for offset, item in enumerate(events, start=1):
                row = row_of(item, version + offset, self._recorded_at, prev_hash)
                prev_hash = row["hash"]
                rows.append(row)
            self._heads[cid] = (version + len(events), prev_hash)
        if not rows:
            return {}
        recorder.insert_rows(self._connection, rows)
        last = recorder.last_positions(self._connection, self._mark)
        self._mark = max(last.values())
        written = [(views[cid], p) for cid, p in last.items() if cid in views]
        read_models.write(self._connection, written)
        return last

    def forget(self, case_ids: Sequence[str]) -> None:
        """Drop what is kept of these cases (they are read again if they come back)."""
        for cid in case_ids:
            self._heads.pop(cid, None)

    def cases_written(self) -> int:
        """How many cases this transaction has appended to."""
        return recorder.cases_after(self._connection, self._start)


@contextmanager
def writing(engine: sa.Engine, now: Callable[[], str]) -> Iterator[BulkWriter]:
    """One write transaction for a whole import: committed when the block ends, rolled back
    (every batch) if it raises. `now()` gives the recorded_at of every event, read once
    the lock is held, so recorded_at still follows position."""
    with engines.translated(), recorder.writing(engine) as connection:
        yield BulkWriter(connection, now())
