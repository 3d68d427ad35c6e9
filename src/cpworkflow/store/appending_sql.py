"""Appending on a SQLAlchemy connection: store/appending.py's `Statements` for one case, and
many cases' batches at once (import), with the read-model rows written with them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc

from cpworkflow.errors import BadInputError, ConflictError
from cpworkflow.records import CaseView, StoredEvent
from cpworkflow.store import engine as engines
from cpworkflow.store import inputs, one_case, read_models, recorder
from cpworkflow.store.appending import AppendResult, Head, SeqTaken, same_as_stored
from cpworkflow.store.canonical import GENESIS
from cpworkflow.store.failures import SeqCollision
from cpworkflow.store.rows import new_row, stored_event


class SqlStatements:
    """`appending.Statements` on a connection inside `recorder.writing`."""

    def __init__(self, connection: sa.Connection) -> None:
        self._connection = connection

    def with_keys(self, case_id: str, keys: Sequence[str]) -> list[dict[str, Any]]:
        return recorder.with_keys(self._connection, case_id, keys)

    def head(self, case_id: str) -> Head:
        return one_case.head(self._connection, case_id)

    def insert(self, rows: list[dict[str, Any]]) -> list[int]:
        try:
            if len(rows) == 1:
                return [one_case.insert(self._connection, rows[0])]
            return recorder.insert(self._connection, rows)
        except exc.IntegrityError as err:
            if engines.is_seq_taken(err):
                raise SeqCollision from None
            raise

    def write_view(self, view: CaseView, position: int) -> None:
        one_case.write_view(self._connection, view, position)

    def case_events(self, case_id: str) -> list[StoredEvent]:
        return recorder.case_events(self._connection, case_id, None, None, None)


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
