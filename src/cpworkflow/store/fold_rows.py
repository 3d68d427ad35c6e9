"""A case's events as the fold reads them, and no more: `--as-of` folds the whole log to
cut it back to a date, and for that needs of each event only what `evolve` reads (seq,
type, date, actor, data, decision, policy) and its schema version (for upcasting). Not
its place in the log (position, recorded_at, key, hash chain): leaving those out of the
query and of the decode makes a long case's read some 40% cheaper.

Each row is read as `scan.read` reads it: the types the store writes, one decode of each
JSON column (`canonical.decode_object`'s decoder) into an object, a date or exact ISO
text. A row that is anything else sends the whole case to the full load (`recorder`'s,
through `scan.read` and `rows.stored_event`, the definitions), which raises its
IntegrityError naming case and seq, or reads the row its way; so both give the same
events or the same error (tests/integration/test_fold_rows.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import closing
from datetime import date
from typing import Any

import msgspec
import sqlalchemy as sa

from cpworkflow.records import FoldEvent, StoredEvent
from cpworkflow.store import recorder, scan
from cpworkflow.store.tables import events

_DECODE = msgspec.json.Decoder().decode  # canonical.decode_object's
_COLUMNS = [
    events.c.seq,
    events.c.type,
    sa.type_coerce(events.c.occurred_on, sa.String).label("occurred_on"),  # as scan.py
    events.c.actor,
    events.c.data,
    events.c.decision,
    events.c.schema_version,
    events.c.policy,
    events.c.policy_version,
]


def case_events(
    connection: sa.Connection, case_id: str, recorded_at_or_before: str | None
) -> list[FoldEvent]:
    """The case's events in seq order (those recorded by then, if given)."""
    query = sa.select(*_COLUMNS).where(events.c.case_id == case_id)
    if recorded_at_or_before is not None:
        query = query.where(events.c.recorded_at <= recorded_at_or_before)
    with closing(scan.driver_rows(connection, query.order_by(events.c.seq))) as rows:
        found = _read(case_id, list(rows))
    if found is not None:
        return found
    stored = recorder.case_events(connection, case_id, None, None, recorded_at_or_before)
    return [of_stored(e) for e in stored]


def of_stored(event: StoredEvent) -> FoldEvent:
    return FoldEvent(
        event.case_id,
        event.seq,
        event.type,
        event.occurred_on,
        event.actor,
        event.data,
        event.decision,
        event.schema_version,
        event.policy,
        event.policy_version,
    )


def _read(case_id: str, rows: list[Sequence[Any]]) -> list[FoldEvent] | None:
    """The rows as FoldEvents, if every one has the types the store writes, a date or
    exact YYYY-MM-DD text, and JSON objects in its JSON columns; else None."""
    found = []
    try:
        for seq, type_, day, actor, data, decision, version, policy, policy_version in rows:
            if not (
                type(seq) is int
                and type(type_) is str
                and type(actor) is str
                and type(data) is str
                and type(decision) is str
                and type(version) is int
                and type(policy) is str
                and type(policy_version) is str
            ):
                return None
            if type(day) is str:
                on = date.fromisoformat(day)
                if on.isoformat() != day:
                    return None
            elif type(day) is date:
                on = day
            else:
                return None
            a, d, c = _DECODE(actor), _DECODE(data), _DECODE(decision)
            if type(a) is not dict or type(d) is not dict or type(c) is not dict:
                return None
            event = FoldEvent(case_id, seq, type_, on, a, d, c, version, policy, policy_version)
            found.append(event)
    except (ValueError, UnicodeError):  # msgspec.DecodeError is a ValueError
        return None
    return found
