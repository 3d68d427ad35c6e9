"""The statements of one `record`'s write transaction: its case's head, the one row
inserted, and the case's read-model rows replaced, compiled once for each kind of database
and run on the driver's cursor inside the transaction `recorder.writing` opened (SQLite's
compilation is store/sqlite_statements.py's, generated, which the direct path runs too).

Building a SQLAlchemy statement costs some 0.1 ms (coercing each column and value) and
running one through a Connection some 20 us more than the driver takes, about a
millisecond in all for one event's seven statements, where the database spends a quarter
of that; so these are SQLAlchemy Core statements, compiled for the connection's dialect
once, executed as `scan.driver_rows` reads. The one value a driver is given otherwise than
SQLAlchemy would give it is a date, which SQLite's dialect binds as its ISO text (done here
too) and PostgreSQL's as a date. They say what `recorder.head`, `recorder.insert` and
`read_models.write` say for one case; those remain the statements of every other write.
A driver error is raised as SQLAlchemy's, which `engine.translated` turns into a CpwError
(and `engine.is_seq_taken` reads).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from cpworkflow.records import CaseView
from cpworkflow.store import sqlite_statements
from cpworkflow.store.read_tables import case_summaries, open_obligations
from cpworkflow.store.tables import events

_INSERTED = [c.name for c in events.columns if c.name != "position"]
_SUMMARY = [c.name for c in case_summaries.columns]
_OBLIGATION = [c.name for c in open_obligations.columns]
STATEMENTS: dict[str, tuple[Any, list[str] | None]] = {
    "head": (
        sa.select(events.c.seq, events.c.hash)
        .where(events.c.case_id == sa.bindparam("case_id"))
        .order_by(events.c.seq.desc())
        .limit(sa.literal_column("1")),
        None,
    ),
    "insert": (sa.insert(events).returning(events.c.position), _INSERTED),
    "delete summary": (
        sa.delete(case_summaries).where(case_summaries.c.case_id == sa.bindparam("case_id")),
        None,
    ),
    "delete obligations": (
        sa.delete(open_obligations).where(open_obligations.c.case_id == sa.bindparam("case_id")),
        None,
    ),
    "insert summary": (sa.insert(case_summaries), _SUMMARY),
    "insert obligations": (sa.insert(open_obligations), _OBLIGATION),
}
Compiled = tuple[str, tuple[str, ...] | None, dict[str, Any]]  # SQL, names, fixed values
_COMPILED: dict[tuple[str, str, str, object], Compiled] = {}  # by statement and dialect


def head(connection: sa.Connection, case_id: str) -> tuple[int, str | None]:
    """The case's version (its last seq, 0 if none) and the hash of that last event."""
    rows = _run(connection, "head", [{"case_id": case_id}], fetch=True)
    return (0, None) if not rows else (int(rows[0][0]), str(rows[0][1]))


def insert(connection: sa.Connection, row: Mapping[str, Any]) -> int:
    """Insert one row (as `rows.new_row` makes it); returns its position."""
    day = row["occurred_on"]
    if connection.dialect.name == "sqlite" and isinstance(day, date):
        row = {**row, "occurred_on": day.isoformat()}
    return int(_run(connection, "insert", [row], fetch=True)[0][0])


def write_view(connection: sa.Connection, view: CaseView, position: int) -> None:
    """Replace the case's read-model rows by `view`, at the log position it reflects."""
    case_id = {"case_id": view.case_id}
    _run(connection, "delete summary", [case_id])
    _run(connection, "delete obligations", [case_id])
    _run(connection, "insert summary", [{**view.summary, **case_id, "position": position}])
    if view.obligations:
        _run(connection, "insert obligations", [{**o, **case_id} for o in view.obligations])


def _run(
    connection: sa.Connection, name: str, rows: Sequence[Mapping[str, Any]], fetch: bool = False
) -> list[Sequence[Any]]:
    """Run the statement once for each of `rows` (its parameters by name); the rows it
    returns if `fetch`."""
    sql, names, fixed = _compiled(connection.dialect, name)
    args: list[Any] = [{**fixed, **r} for r in rows]
    if names is not None:
        args = [tuple(r[n] for n in names) for r in args]
    driver = connection.connection.driver_connection
    assert driver is not None
    error = connection.dialect.loaded_dbapi.Error
    try:
        cursor = driver.cursor()
        try:
            if len(args) == 1:
                cursor.execute(sql, args[0])
            else:
                cursor.executemany(sql, args)
            return list(cursor.fetchall()) if fetch else []
        finally:
            cursor.close()
    except error as err:
        raise sa.exc.DBAPIError.instance(sql, args, err, error) from None


def _compiled(dialect: sa.Dialect, name: str) -> Compiled:
    """The statement's SQL for this dialect, the names of its parameters in order if the
    driver takes them by position (None: by name), and the values the statement fixes
    (SQLite's OFFSET 0)."""
    if dialect.name == "sqlite" and dialect.paramstyle == "qmark":
        return sqlite_statements.STATEMENTS[name]  # as the direct path runs them
    key = (name, dialect.name, dialect.paramstyle, dialect.server_version_info)
    found = _COMPILED.get(key)
    if found is None:
        statement, columns = STATEMENTS[name]
        compiled = statement.compile(dialect=dialect, column_keys=columns)
        names = tuple(compiled.positiontup or ()) if compiled.positional else None
        fixed = {k: v for k, v in compiled.params.items() if v is not None}
        found = _COMPILED[key] = (str(compiled), names, fixed)
    return found
