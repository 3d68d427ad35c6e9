"""Appending one case's batch inside the write transaction, and the read-model rows written
with it: the idempotency, version and hash-chain rules (eventstore/README.md), the same on
either path to the database. The statements are `Statements`' (store/appending_sql.py's on
SQLAlchemy, store/sqlite_direct.py's on the standard library's sqlite3); many cases' at
once (import) are store/appending_sql.py's."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cpworkflow.errors import BadInputError, ConflictError, KeyReusedError
from cpworkflow.records import CaseView, NewEvent, StoredEvent
from cpworkflow.store import inputs
from cpworkflow.store.canonical import GENESIS
from cpworkflow.store.failures import SeqCollision
from cpworkflow.store.rows import new_row, stored_event

Row = dict[str, Any]


@dataclass(frozen=True)
class AppendResult:
    """The events as stored. `duplicate` is True when the batch's first key was already
    stored: then `events` are the original events with the batch's keys, and nothing was
    written."""

    events: tuple[StoredEvent, ...]
    duplicate: bool


class SeqTaken(Exception):
    """A unique violation on (case_id, seq) inside the transaction, reported after rollback."""

    def __init__(self, case_id: str, expected: int) -> None:
        self.case_id = case_id
        self.expected = expected


def same_as_stored(case_id: str, item: inputs.Prepared, row: dict[str, object]) -> None:
    """A repeated key must come with what was stored under it: the same type, date, actor
    and data. Otherwise the client is not repeating itself, and its event would be lost."""
    event = item.event
    mine = (event.type, event.occurred_on.isoformat(), item.actor, item.data)
    stored = (row["type"], str(row["occurred_on"]), row["actor"], row["data"])
    names = ("type", "occurred_on", "actor", "data")
    differs = [name for name, a, b in zip(names, mine, stored, strict=True) if a != b]
    if differs:
        key = str(event.key)
        raise KeyReusedError(case_id, key, int(str(row["seq"])), " and ".join(differs))


Head = tuple[int, str | None]  # a case's version and the hash of its last event


class Statements(Protocol):
    """One case's statements inside an open write transaction."""

    def with_keys(self, case_id: str, keys: Sequence[str]) -> list[Row]:
        """The case's rows whose key is one of `keys`, in seq order."""

    def head(self, case_id: str) -> Head:
        """The case's version (0 if none) and the hash of its last event."""

    def insert(self, rows: list[Row]) -> list[int]:
        """Insert rows; their positions in order. SeqCollision if a seq is taken."""

    def write_view(self, view: CaseView, position: int) -> None:
        """Replace the case's read-model rows by `view`, at that log position."""

    def case_events(self, case_id: str) -> list[StoredEvent]:
        """The case's events in seq order."""


class HeadMoved(ConflictError):
    """The case's last stored event is not the one the writer said it appends after (its
    hash): another writer appended since the writer read the case. Nothing was written."""


def head_after(statements: Statements, batch: inputs.Batch, after_hash: str) -> Head:
    """The case's head, if its last stored event is the one with `after_hash` (at the
    batch's expected version, if it has one); else HeadMoved."""
    head = statements.head(batch.case_id)
    expected = batch.expected_version
    if head[1] != after_hash or (expected is not None and head[0] != expected):
        raise HeadMoved(batch.case_id, head[0] if expected is None else expected, head[0])
    return head


def append_one(
    statements: Statements, batch: inputs.Batch, recorded_at: str, head: Head | None = None
) -> AppendResult:
    """`head`: the case's (version, last hash) if already read in this transaction."""
    keys = [p.event.key for p in batch.events if p.event.key is not None]
    known = {str(row["key"]): row for row in statements.with_keys(batch.case_id, keys)}
    if batch.events[0].event.key in known:
        for item in batch.events:
            if item.event.key in known:
                same_as_stored(batch.case_id, item, known[item.event.key])
        originals = sorted(known.values(), key=lambda row: int(row["seq"]))
        return AppendResult(tuple(stored_event(row) for row in originals), duplicate=True)
    for index, item in enumerate(batch.events):
        if item.event.key in known:
            seq = known[item.event.key]["seq"]
            raise BadInputError(
                f"is already stored for case {batch.case_id} at seq {seq}"
                " (a batch may repeat a stored key only as its first event)",
                field=f"{batch.where}events[{index}].key",
            )
    version, last_hash = head or statements.head(batch.case_id)
    if batch.expected_version is not None and batch.expected_version != version:
        raise ConflictError(batch.case_id, batch.expected_version, version)
    rows, prev_hash = [], last_hash or GENESIS
    for offset, item in enumerate(batch.events, start=1):
        rows.append(new_row(item, version + offset, recorded_at, prev_hash))
        prev_hash = rows[-1]["hash"]
    try:
        positions = statements.insert(rows)
    except SeqCollision:
        expected = version if batch.expected_version is None else batch.expected_version
        raise SeqTaken(batch.case_id, expected) from None
    return AppendResult(
        tuple(stored_event({**row, "position": p}) for row, p in zip(rows, positions, strict=True)),
        duplicate=False,
    )


def write_one(
    statements: Statements,
    batch: inputs.Batch,
    view: CaseView | None,
    after_hash: str | None,
    now: Callable[[], str],
) -> AppendResult:
    """`EventStore.append`'s transaction: the batch appended (after the event with
    `after_hash`, if given), then its read-model rows if it wrote anything."""
    head = None
    if after_hash is not None:  # before the clock is asked: nothing is written
        head = head_after(statements, batch, after_hash)
    result = append_one(statements, batch, now(), head)  # recorded_at inside the lock
    if view is not None and not result.duplicate:
        statements.write_view(view, result.events[-1].position)
    return result


def decided(
    statements: Statements,
    case_id: str,
    decide: Callable[[list[StoredEvent]], NewEvent | StoredEvent],
    view: Callable[[], CaseView | None],
    now: Callable[[], str],
) -> AppendResult:
    """`EventStore.append_decided`'s transaction."""
    found = statements.case_events(case_id)
    outcome = decide(found)
    if isinstance(outcome, StoredEvent):
        return AppendResult((outcome,), duplicate=True)
    batch = inputs.batch(case_id, [outcome], len(found))
    return write_one(statements, batch, view(), None, now)
