"""Appending inside the write transaction: one case's batch, or many cases' at once (import),
and the read-model rows written with them. `EventStore` opens the transaction and calls
these; the idempotency, version and hash-chain rules are in eventstore/README.md."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import exc

from cpworkflow.errors import BadInputError, ConflictError, KeyReusedError
from cpworkflow.records import CaseView, StoredEvent
from cpworkflow.store import engine as engines
from cpworkflow.store import inputs, one_case, read_models, recorder
from cpworkflow.store.canonical import GENESIS
from cpworkflow.store.rows import new_row, stored_event


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


class HeadMoved(ConflictError):
    """The case's last stored event is not the one the writer said it appends after (its
    hash): another writer appended since the writer read the case. Nothing was written."""


def head_after(connection: sa.Connection, batch: inputs.Batch, after_hash: str) -> Head:
    """The case's head, if its last stored event is the one with `after_hash` (at the
    batch's expected version, if it has one); else HeadMoved."""
    head = one_case.head(connection, batch.case_id)
    expected = batch.expected_version
    if head[1] != after_hash or (expected is not None and head[0] != expected):
        raise HeadMoved(batch.case_id, head[0] if expected is None else expected, head[0])
    return head


def append_one(
    connection: sa.Connection, batch: inputs.Batch, recorded_at: str, head: Head | None = None
) -> AppendResult:
    """`head`: the case's (version, last hash) if already read in this transaction."""
    keys = [p.event.key for p in batch.events if p.event.key is not None]
    known = {str(row["key"]): row for row in recorder.with_keys(connection, batch.case_id, keys)}
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
    version, last_hash = head or one_case.head(connection, batch.case_id)
    if batch.expected_version is not None and batch.expected_version != version:
        raise ConflictError(batch.case_id, batch.expected_version, version)
    rows, prev_hash = [], last_hash or GENESIS
    for offset, item in enumerate(batch.events, start=1):
        rows.append(new_row(item, version + offset, recorded_at, prev_hash))
        prev_hash = rows[-1]["hash"]
    try:
        if len(rows) == 1:
            positions = [one_case.insert(connection, rows[0])]
        else:
            positions = recorder.insert(connection, rows)
    except exc.IntegrityError as err:
        if engines.is_seq_taken(err):
            expected = version if batch.expected_version is None else batch.expected_version
            raise SeqTaken(batch.case_id, expected) from None
        raise
    return AppendResult(
        tuple(stored_event({**row, "position": p}) for row, p in zip(rows, positions, strict=True)),
        duplicate=False,
    )


def append_many(
    connection: sa.Connection, batches: list[inputs.Batch], recorded_at: str
) -> list[AppendResult]:
    """`append_one` for many cases at once (import): the keys and the heads of every
    case found with one query per 500 cases, every row inserted by one executemany."""
    keys = {b.case_id: [p.event.key for p in b.events if p.event.key] for b in batches}
    known = recorder.keyed_rows(connection, {cid: k for cid, k in keys.items() if k})
    heads = recorder.heads(connection, [b.case_id for b in batches])
    results: list[AppendResult | None] = []
    rows: list[dict[str, object]] = []
    spans: list[tuple[int, int]] = []
    for batch in batches:
        stored = known.get(batch.case_id, {})
        if batch.events[0].event.key in stored:
            for item in batch.events:
                if item.event.key in stored:
                    same_as_stored(batch.case_id, item, stored[item.event.key])
            originals = sorted(stored.values(), key=lambda row: int(row["seq"]))
            results.append(AppendResult(tuple(stored_event(r) for r in originals), True))
            continue
        for index, item in enumerate(batch.events):
            if item.event.key in stored:
                raise BadInputError(
                    f"is already stored for case {batch.case_id} at seq"
                    f" {stored[str(item.event.key)]['seq']}"
                    " (a batch may repeat a stored key only as its first event)",
                    field=f"{batch.where}events[{index}].key",
                )
        version, prev_hash = heads.get(batch.case_id, (0, GENESIS))
        if batch.expected_version is not None and batch.expected_version != version:
            raise ConflictError(batch.case_id, batch.expected_version, version)
        first = len(rows)
        for offset, item in enumerate(batch.events, start=1):
            rows.append(new_row(item, version + offset, recorded_at, prev_hash))
            prev_hash = str(rows[-1]["hash"])
        spans.append((first, len(rows)))
        results.append(None)
    try:
        positions = recorder.insert(connection, rows) if rows else []
    except exc.IntegrityError as err:
        if engines.is_seq_taken(err):  # cannot happen under the lock; said as a conflict
            raise SeqTaken(batches[0].case_id, batches[0].expected_version or 0) from None
        raise
    stored_rows = iter(spans)
    out = []
    for result in results:
        if result is None:
            start, end = next(stored_rows)
            made = zip(rows[start:end], positions[start:end], strict=True)
            result = AppendResult(
                tuple(stored_event({**row, "position": p}) for row, p in made), False
            )
        out.append(result)
    return out


def write_views(
    connection: sa.Connection, results: list[AppendResult], views: Mapping[str, CaseView | None]
) -> None:
    """The read-model rows of each case written, at the position of its last new event."""
    written = []
    for result in results:
        view = views.get(result.events[0].case_id) if not result.duplicate else None
        if view is not None:
            written.append((view, result.events[-1].position))
    if len(written) == 1:
        one_case.write_view(connection, *written[0])
    else:
        read_models.write(connection, written)
