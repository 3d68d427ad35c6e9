"""The statements of one `record`'s write transaction, built once: its case's head, the one
row inserted, and the case's read-model rows replaced.

Building a SQLAlchemy statement costs some 0.1 ms (coercing each column and value); one
built here once is only looked up in the compiled cache when run, so a write of one event
spends its time in the database. They say what `recorder.head`, `recorder.insert` and
`read_models.write` say for one case (tests/integration/test_store_contract.py holds the
appends to those answers); those remain the statements of every other write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from cpworkflow.records import CaseView
from cpworkflow.store.read_tables import case_summaries, open_obligations
from cpworkflow.store.tables import events

_HEAD = (
    sa.select(events.c.seq, events.c.hash)
    .where(events.c.case_id == sa.bindparam("case_id"))
    .order_by(events.c.seq.desc())
    .limit(1)
)
_INSERT = sa.insert(events).returning(events.c.position)
_DELETE_SUMMARY = sa.delete(case_summaries).where(
    case_summaries.c.case_id == sa.bindparam("case_id")
)
_DELETE_OBLIGATIONS = sa.delete(open_obligations).where(
    open_obligations.c.case_id == sa.bindparam("case_id")
)
_INSERT_SUMMARY = sa.insert(case_summaries)
_INSERT_OBLIGATIONS = sa.insert(open_obligations)


def head(connection: sa.Connection, case_id: str) -> tuple[int, str | None]:
    """The case's version (its last seq, 0 if none) and the hash of that last event."""
    row = connection.execute(_HEAD, {"case_id": case_id}).first()
    return (0, None) if row is None else (int(row.seq), str(row.hash))


def insert(connection: sa.Connection, row: Mapping[str, Any]) -> int:
    """Insert one row; returns its position."""
    return int(connection.execute(_INSERT, dict(row)).scalar_one())


def write_view(connection: sa.Connection, view: CaseView, position: int) -> None:
    """Replace the case's read-model rows by `view`, at the log position it reflects."""
    case_id = {"case_id": view.case_id}
    connection.execute(_DELETE_SUMMARY, case_id)
    connection.execute(_DELETE_OBLIGATIONS, case_id)
    connection.execute(_INSERT_SUMMARY, {**view.summary, **case_id, "position": position})
    if view.obligations:
        connection.execute(_INSERT_OBLIGATIONS, [{**o, **case_id} for o in view.obligations])
