"""The event store: append-only, per-case seq from 1, optimistic concurrency, idempotency
keys, a per-case hash chain, and bitemporal loads. See eventstore/README.md.

On a plain SQLite file (`sqlite:///FILE`) what `show`, `history`, `record`, `due` and
`cases` ask runs on the standard library's driver (store/sqlite_direct.py), and SQLAlchemy
is imported, and its engine made, only when another method is called; every other URL, and
every other method, runs on SQLAlchemy (store/sql_store.py) as it always has."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from cpworkflow.errors import BadInputError, ConflictError
from cpworkflow.records import CaseView, FoldEvent, NewEvent, StoredEvent
from cpworkflow.store import appending, inputs, sqlite_setup
from cpworkflow.store.appending import AppendResult
from cpworkflow.store.canonical import format_timestamp
from cpworkflow.store.read_store import ReadModels
from cpworkflow.store.sqlite_direct import Direct

if TYPE_CHECKING:
    import sqlalchemy as sa

    from cpworkflow.store import bulk, scan
    from cpworkflow.store.proofs import Leaf
    from cpworkflow.store.scan import Audited
    from cpworkflow.store.sql_store import SqlStore
    from cpworkflow.store.verify import IntegrityProblem


def _utc_now() -> datetime:
    return datetime.now(UTC)


class EventStore:
    """One events table on SQLite or PostgreSQL."""

    def __init__(self, url: str, *, clock: Callable[[], datetime] | None = None) -> None:
        self._url = url
        self._clock = clock or _utc_now
        self._general: SqlStore | None = None
        path = sqlite_setup.plain_file(url)
        self._direct = None if path is None else Direct(path, self._now)
        if self._direct is None:
            self._sql  # noqa: B018 - made now, as always: a bad URL is refused here
        self.read_models = ReadModels(self._direct, lambda: self._sql.read_models)

    @property
    def _sql(self) -> SqlStore:
        """The store on SQLAlchemy, made when first needed."""
        if self._general is None:
            from cpworkflow.store import engine as engines
            from cpworkflow.store.sql_store import SqlStore

            self._general = SqlStore(engines.create(self._url), self._now)
        return self._general

    @property
    def _engine(self) -> sa.Engine:
        return self._sql._engine

    @property
    def _fast(self) -> Direct | SqlStore:
        """Where the direct path's methods run."""
        return self._direct or self._sql

    def init(self) -> None:
        """Create the table, indexes and triggers if missing (and a SQLite file's folders)."""
        self._sql.init()

    def require(self) -> None:
        """Refuse unless a store exists here (StoreUnavailableError); never creates one, not
        even a SQLite file or its folder."""
        self._fast.require()

    def guards_off(self) -> list[str]:
        """The append-only triggers that are missing or disabled; empty when all hold."""
        return self._sql.guards_off()

    def leaves(self) -> list[Leaf]:
        """Every event's (case_id, seq, hash) in position order: the Merkle tree's leaves."""
        return self._sql.leaves()

    def restore(self, rows: list[dict[str, Any]]) -> int:
        """Load rows checked by store/restore.py into an empty store, exactly as they are
        (seq, recorded_at, decision, key and hashes), in one transaction."""
        return self._sql.restore(rows)

    def create_roles(self, writer: str, reader: str) -> list[str]:
        """PostgreSQL: a writer role (insert and read events) and a reader role (read);
        see store/roles.py. Returns the statements run."""
        return self._sql.create_roles(writer, reader)

    def dispose(self) -> None:
        if self._direct is not None:
            self._direct.close()
        if self._general is not None:
            self._general.dispose()

    # -- writing ------------------------------------------------------------------------

    def append(
        self,
        case_id: str,
        events: Sequence[NewEvent],
        expected_version: int | None = None,
        *,
        view: CaseView | None = None,
        after_hash: str | None = None,
    ) -> AppendResult:
        """Append one case's events atomically, at seq version+1, version+2, ...; `view`,
        the case's read-model rows after them, is written in the same transaction. With
        `after_hash`, only after the case's last stored event if that is the event with
        this hash (at `expected_version`, if given), else appending.HeadMoved (a
        ConflictError): a writer that kept the case's log need not ask for its head first."""
        batch = inputs.batch(case_id, events, expected_version)
        try:
            return self._fast.write_one(batch, view, after_hash)
        except appending.SeqTaken as taken:
            raise ConflictError(
                taken.case_id, taken.expected, self.version(taken.case_id)
            ) from None

    def append_batches(
        self,
        batches: Sequence[tuple[str, Sequence[NewEvent], int | None]],
        *,
        views: Mapping[str, CaseView] | None = None,
    ) -> list[AppendResult]:
        """Append many cases' batches in one transaction: all of them, or none, with each
        case's read-model rows in `views`."""
        return self._sql.append_batches(batches, views=views)

    def bulk(self) -> AbstractContextManager[bulk.BulkWriter]:
        """One write transaction for a whole import, written a batch at a time, holding the
        append lock from its first batch to its commit (`store/bulk.py`)."""
        return self._sql.bulk()

    def append_decided(
        self,
        case_id: str,
        decide: Callable[[list[StoredEvent]], NewEvent | StoredEvent],
        view: Callable[[], CaseView | None] = lambda: None,
    ) -> AppendResult:
        """Decide and append under the write lock: `decide` is given the case's events as
        stored and returns the event to append (or a stored one: a repeat, nothing is
        written). Nobody can append in between, so this never conflicts; it holds the
        lock while deciding, so the service uses it only after optimistic tries."""
        return self._fast.decided(inputs.case_id(case_id), decide, view)

    def _now(self) -> str:
        try:
            return format_timestamp(self._clock())
        except (ValueError, TypeError, AttributeError, OverflowError):
            raise BadInputError(
                "the clock must return an aware datetime", field="recorded_at"
            ) from None

    # -- reading ------------------------------------------------------------------------

    def version(self, case_id: str) -> int:
        """The case's last seq; 0 when it has no events."""
        return self._fast.head(inputs.case_id(case_id))[0]

    def versions(self, case_ids: Sequence[str]) -> dict[str, int]:
        """The version of every one of these cases that has events (one query per 500)."""
        return self._sql.versions(case_ids)

    def last_hash(self, case_id: str) -> str | None:
        """The hash of the case's last event (an auditor may keep it as an anchor)."""
        return self._fast.head(inputs.case_id(case_id))[1]

    def exists(self, case_id: str) -> bool:
        return self._fast.exists(inputs.case_id(case_id))

    def load(
        self,
        case_id: str,
        *,
        to_seq: int | None = None,
        occurred_on_or_before: date | None = None,
        recorded_at_or_before: datetime | None = None,
    ) -> list[StoredEvent]:
        """The case's events in seq order; the filters combine (AND)."""
        filters = inputs.loading(case_id, to_seq, occurred_on_or_before, recorded_at_or_before)
        return self._fast.case_events(filters)

    def load_for_fold(
        self, case_id: str, *, recorded_at_or_before: datetime | None = None
    ) -> list[FoldEvent]:
        """The case's events in seq order as the fold reads them (`store/fold_rows.py`):
        `load`'s, less their place in the log."""
        return self._sql.load_for_fold(case_id, recorded_at_or_before=recorded_at_or_before)

    def read_all(self, from_position: int = 0, *, batch_size: int = 1000) -> Iterator[StoredEvent]:
        """Every event with position > from_position, in global (commit) order. Reads in
        batches, each its own short transaction, so a long export blocks no writer."""
        return self._sql.read_all(from_position, batch_size=batch_size)

    def case_ids(self) -> list[str]:
        return self._sql.case_ids()

    def count(self) -> int:
        return self._sql.count()

    def stream(self) -> Iterator[StoredEvent]:
        """Every event in (case, seq) order from one query read as it goes (an export's
        memory holds one batch of rows, not the store)."""
        return self._sql.stream()

    def walk(
        self, case_id: str | None = None
    ) -> Iterator[tuple[str, list[StoredEvent], IntegrityProblem | None]]:
        """Every case (or one), one at a time, from one pass over the table in (case, seq)
        order: its events, or the first problem of its chain (then no events). Memory holds
        one case's rows at a time (store/scan.py)."""
        return self._sql.walk(case_id)

    def audit(
        self, case_id: str | None = None, *, span: scan.Span = (None, None)
    ) -> Iterator[Audited]:
        """`walk`, each case with its stored read-model rows, in one read transaction, and
        the read-model rows of cases the log does not have in their place in case order
        (`verify`'s pass; store/scan.py). `span` (start, stop) keeps the cases from start
        to before stop. Raises scan.OutOfOrder if the database orders case ids otherwise
        than Python does."""
        return self._sql.audit(case_id, span=span)

    def middle_case(self) -> str | None:
        """The case halfway through the log by events (None when it is empty)."""
        return self._sql.middle_case()

    def reopened(self) -> EventStore:
        """The same store on connections of its own (for a forked process, which must not
        use its parent's)."""
        url = self._url
        if self._direct is None:
            url = self._engine.url.render_as_string(hide_password=False)
        return EventStore(url, clock=self._clock)

    def verify(self, case_id: str | None = None) -> list[IntegrityProblem]:
        """Re-check the hash chain of one case or all: an empty list means clean; otherwise
        at most one problem per case, at its first bad seq."""
        return self._sql.verify(case_id)
