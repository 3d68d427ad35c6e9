"""The event store on SQLAlchemy (SQLite or PostgreSQL): what `EventStore` (event_store.py)
does through an engine, for every URL but a plain SQLite file's direct path, and for every
method outside that path."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from cpworkflow.errors import (
    BadInputError,
    ConflictError,
    StoreUnavailableError,
)
from cpworkflow.records import CaseView, FoldEvent, NewEvent, StoredEvent
from cpworkflow.store import (
    appending,
    appending_sql,
    bulk,
    fold_rows,
    inputs,
    proofs,
    recorder,
    scan,
)
from cpworkflow.store import engine as engines
from cpworkflow.store import roles as role_grants
from cpworkflow.store.appending import AppendResult
from cpworkflow.store.canonical import format_timestamp
from cpworkflow.store.proofs import Leaf
from cpworkflow.store.read_store_sql import SqlReadModels
from cpworkflow.store.scan import Audited
from cpworkflow.store.verify import IntegrityProblem


class SqlStore:
    """One events table on SQLite or PostgreSQL (SQLAlchemy Core). `now` gives recorded_at
    (EventStore's clock, checked)."""

    def __init__(self, engine: sa.Engine, now: Callable[[], str]) -> None:
        self._engine = engine
        self._now = now
        self.read_models = SqlReadModels(self._engine)

    def init(self) -> None:
        """Create the table, indexes and triggers if missing (and a SQLite file's folders)."""
        with engines.translated():
            path = engines.sqlite_file(self._engine)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
            recorder.create_schema(self._engine)
        self.read_models.mark_if_empty()

    def require(self) -> None:
        """Refuse unless a store exists here (StoreUnavailableError); never creates one, not
        even a SQLite file or its folder."""
        with engines.translated():
            path = engines.sqlite_file(self._engine)
            if path is not None and not path.is_file():
                raise StoreUnavailableError(f"no store at {path}: create it with `cpw init`")
            if not recorder.has_table(self._engine):
                raise StoreUnavailableError(
                    "this database has no events table: create the store with `cpw init`"
                )

    def guards_off(self) -> list[str]:
        """The append-only triggers that are missing or disabled; empty when all hold."""
        with engines.translated():
            return recorder.guards_off(self._engine)

    def leaves(self) -> list[Leaf]:
        """Every event's (case_id, seq, hash) in position order: the Merkle tree's leaves."""
        with engines.translated(), recorder.reading(self._engine) as connection:
            return proofs.leaves(connection)

    def restore(self, rows: list[dict[str, Any]]) -> int:
        """Load rows checked by store/restore.py into an empty store, exactly as they are
        (seq, recorded_at, decision, key and hashes), in one transaction."""
        with engines.translated(), recorder.writing(self._engine) as connection:
            present = recorder.count(connection)
            if present:
                raise BadInputError(
                    f"restore needs an empty store: this one has {present} events", field="--db"
                )
            recorder.insert(connection, rows)
        return len(rows)

    def create_roles(self, writer: str, reader: str) -> list[str]:
        """PostgreSQL: a writer role (insert and read events) and a reader role (read);
        see store/roles.py. Returns the statements run."""
        with engines.translated():
            return role_grants.create(self._engine, writer, reader)

    def dispose(self) -> None:
        self._engine.dispose()

    # -- writing ------------------------------------------------------------------------

    def append_batches(
        self,
        batches: Sequence[tuple[str, Sequence[NewEvent], int | None]],
        *,
        views: Mapping[str, CaseView] | None = None,
    ) -> list[AppendResult]:
        """Append many cases' batches in one transaction: all of them, or none, with each
        case's read-model rows in `views`."""
        if not isinstance(batches, Sequence):
            raise BadInputError(
                "must be a sequence of (case_id, events, expected)", field="batches"
            )
        checked = []
        for index, item in enumerate(batches):
            if not isinstance(item, tuple) or len(item) != 3:
                raise BadInputError(
                    "must be (case_id, events, expected_version)", field=f"batches[{index}]"
                )
            checked.append(inputs.batch(*item, where=f"batches[{index}]."))
        return self._write(checked, views or {}) if checked else []

    def bulk(self) -> AbstractContextManager[bulk.BulkWriter]:
        """One write transaction for a whole import, written a batch at a time, holding the
        append lock from its first batch to its commit (`store/bulk.py`)."""
        return bulk.writing(self._engine, self._now)

    def write_one(
        self, batch: inputs.Batch, view: CaseView | None, after_hash: str | None
    ) -> AppendResult:
        """One case's append (appending.write_one) in its write transaction."""
        with engines.translated(), recorder.writing(self._engine) as connection:
            statements = appending_sql.SqlStatements(connection)
            return appending.write_one(statements, batch, view, after_hash, self._now)

    def decided(
        self,
        case_id: str,
        decide: Callable[[list[StoredEvent]], NewEvent | StoredEvent],
        view: Callable[[], CaseView | None],
    ) -> AppendResult:
        """`EventStore.append_decided`'s transaction (appending.decided)."""
        with engines.translated(), recorder.writing(self._engine) as connection:
            statements = appending_sql.SqlStatements(connection)
            return appending.decided(statements, case_id, decide, view, self._now)

    def _write(
        self, batches: list[inputs.Batch], views: Mapping[str, CaseView | None]
    ) -> list[AppendResult]:
        try:
            if len(batches) == 1:  # one case: as `append` writes it
                return [self.write_one(batches[0], views.get(batches[0].case_id), None)]
            with engines.translated(), recorder.writing(self._engine) as connection:
                results = appending_sql.append_many(connection, batches, self._now())
                appending_sql.write_views(connection, results, views)
                return results
        except appending.SeqTaken as taken:
            raise ConflictError(
                taken.case_id, taken.expected, self.head(taken.case_id)[0]
            ) from None

    # -- reading ------------------------------------------------------------------------

    def head(self, case_id: str) -> tuple[int, str | None]:
        """The case's version and last hash (case_id checked)."""
        with engines.translated(), recorder.reading(self._engine) as connection:
            return recorder.head(connection, case_id)

    def versions(self, case_ids: Sequence[str]) -> dict[str, int]:
        """The version of every one of these cases that has events (one query per 500)."""
        ids = [inputs.case_id(cid) for cid in case_ids]
        with engines.translated(), recorder.reading(self._engine) as connection:
            return {cid: seq for cid, (seq, _) in recorder.heads(connection, ids).items()}

    def exists(self, case_id: str) -> bool:
        with engines.translated(), recorder.reading(self._engine) as connection:
            return recorder.exists(connection, case_id)

    def case_events(self, filters: inputs.Loading) -> list[StoredEvent]:
        with engines.translated(), recorder.reading(self._engine) as connection:
            return recorder.case_events(connection, *filters)

    def load_for_fold(
        self, case_id: str, *, recorded_at_or_before: datetime | None = None
    ) -> list[FoldEvent]:
        """The case's events in seq order as the fold reads them (`store/fold_rows.py`):
        `load`'s, less their place in the log."""
        cid = inputs.case_id(case_id)
        known_at = None
        if recorded_at_or_before is not None:
            moment = inputs.moment(recorded_at_or_before, "recorded_at_or_before")
            known_at = format_timestamp(moment)
        with engines.translated(), recorder.reading(self._engine) as connection:
            return fold_rows.case_events(connection, cid, known_at)

    def read_all(self, from_position: int = 0, *, batch_size: int = 1000) -> Iterator[StoredEvent]:
        """Every event with position > from_position, in global (commit) order. Reads in
        batches, each its own short transaction, so a long export blocks no writer."""
        last = inputs.count(from_position, "from_position", 0)
        size = inputs.count(batch_size, "batch_size", 1)
        while True:
            with engines.translated(), recorder.reading(self._engine) as connection:
                rows = scan.after(connection, last, size)
            yield from scan.read(rows)
            if len(rows) < size:
                return
            last = int(rows[-1][0])

    def case_ids(self) -> list[str]:
        with engines.translated(), recorder.reading(self._engine) as connection:
            return recorder.case_ids(connection)

    def count(self) -> int:
        with engines.translated(), recorder.reading(self._engine) as connection:
            return recorder.count(connection)

    def stream(self) -> Iterator[StoredEvent]:
        """Every event in (case, seq) order from one query read as it goes (an export's
        memory holds one batch of rows, not the store)."""
        with engines.translated(), recorder.reading(self._engine) as connection:
            yield from scan.stream(connection)

    def walk(
        self, case_id: str | None = None
    ) -> Iterator[tuple[str, list[StoredEvent], IntegrityProblem | None]]:
        """Every case (or one), one at a time, from one pass over the table in (case, seq)
        order: its events, or the first problem of its chain (then no events). Memory holds
        one case's rows at a time (store/scan.py)."""
        cid = None if case_id is None else inputs.case_id(case_id)
        with engines.translated(), recorder.reading(self._engine) as connection:
            yield from scan.cases(connection, cid)

    def audit(
        self, case_id: str | None = None, *, span: scan.Span = (None, None)
    ) -> Iterator[Audited]:
        """`walk`, each case with its stored read-model rows, in one read transaction, and
        the read-model rows of cases the log does not have in their place in case order
        (`verify`'s pass; store/scan.py). `span` (start, stop) keeps the cases from start
        to before stop. Raises scan.OutOfOrder if the database orders case ids otherwise
        than Python does."""
        cid = None if case_id is None else inputs.case_id(case_id)
        with engines.translated(), recorder.reading(self._engine) as connection:
            yield from scan.audit(connection, cid, span)

    def middle_case(self) -> str | None:
        """The case halfway through the log by events (None when it is empty)."""
        with engines.translated(), recorder.reading(self._engine) as connection:
            return scan.middle_case(connection)

    def verify(self, case_id: str | None = None) -> list[IntegrityProblem]:
        """Re-check the hash chain of one case or all: an empty list means clean; otherwise
        at most one problem per case, at its first bad seq."""
        cid = None if case_id is None else inputs.case_id(case_id)
        with engines.translated(), recorder.reading(self._engine) as connection:
            return [p for _, _, p in scan.cases(connection, cid, read=False) if p is not None]
