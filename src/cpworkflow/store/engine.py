"""Connecting to SQLite or PostgreSQL, and turning driver failures into CpwErrors.

SQLite: every connection gets WAL, `synchronous=FULL` (these are records of evidence) and a
busy timeout; the driver's own transaction handling is switched off so that the store issues
`BEGIN IMMEDIATE` for a write (writers queue for the lock at the start instead of failing
half-way) and a plain `BEGIN` for a read.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc

from cpworkflow.errors import BadInputError, ConflictError, CpwError, StoreUnavailableError
from cpworkflow.store.tables import for_postgresql

BUSY_TIMEOUT_MS = 30_000
MMAP_BYTES = 2**31 - 1  # SQLite's own upper limit in most builds (it clamps to its limit)
WRITE = "cpw_write"  # execution option: this connection's transaction will write
_BUSY_SQLSTATES = {"40001", "40P01", "55P03", "57014"}  # serialization, deadlock, lock, timeout


__all__ = ["StoreBusyError", "StoreUnavailableError", "create", "translated"]


class StoreBusyError(ConflictError):
    """Other writers held the store longer than the busy timeout. Like any conflict: nothing
    was written, and trying again is safe."""

    def __init__(self, detail: str) -> None:
        CpwError.__init__(self, f"the event store is busy with other writers ({detail}); try again")
        self.case_id = ""
        self.expected = -1
        self.actual = -1


def create(url: str) -> sa.Engine:
    """An engine for a `sqlite:///FILE` or `postgresql+psycopg://` URL."""
    try:
        parsed = sa.make_url(url)
    except (exc.ArgumentError, ValueError, TypeError):
        raise BadInputError("is not a database URL", field="url") from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if "+" in parsed.drivername and parsed.drivername != "postgresql+psycopg":
            raise BadInputError("use the psycopg driver: postgresql+psycopg://...", field="url")
        for_postgresql()
        return _engine(parsed.set(drivername="postgresql+psycopg"))
    if backend == "sqlite":
        if _in_memory(parsed):
            raise BadInputError(
                "is an in-memory SQLite database, which keeps nothing once the command ends:"
                " give a file, e.g. sqlite:///eventstore/cpworkflow.db",
                field="url",
            )
        engine = _engine(parsed)
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    raise BadInputError("must be a sqlite:/// or postgresql+psycopg:// URL", field="url")


def _in_memory(url: sa.URL) -> bool:
    """`sqlite://`, `sqlite:///:memory:`, and URI forms with `mode=memory` or `:memory:`."""
    database = (url.database or "").strip()
    mode = url.query.get("mode", "")
    modes = [mode] if isinstance(mode, str) else list(mode)
    return (
        not database or ":memory:" in database or "mode=memory" in database or ("memory" in modes)
    )


def _engine(url: sa.URL) -> sa.Engine:
    try:
        return sa.create_engine(url)
    except (exc.SQLAlchemyError, ImportError, TypeError) as err:
        raise BadInputError(f"cannot be used ({type(err).__name__})", field="url") from None


def sqlite_file(engine: sa.Engine) -> Path | None:
    """The database file of a SQLite engine (None for other engines or in memory)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # the "begin" listener below opens transactions
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
    finally:
        cursor.close()


@contextmanager
def mapped(connection: sa.Connection) -> Iterator[sa.Connection]:
    """SQLite: read the file through a memory map while the block runs (`PRAGMA
    mmap_size`), for the caseload reads that visit every read-model row; a third less CPU
    for `cpw due` over 50,000 cases, where each obligation's case row is a page read of its
    own. Off again afterwards, so a long read of the log (verify) does not map the whole
    file into the process. Other engines: nothing."""
    if connection.dialect.name != "sqlite":
        yield connection
        return
    connection.exec_driver_sql(f"PRAGMA mmap_size = {MMAP_BYTES}").close()
    try:
        yield connection
    finally:
        connection.exec_driver_sql("PRAGMA mmap_size = 0").close()


def _begin_sqlite(connection: sa.Connection) -> None:
    writes = connection.get_execution_options().get(WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def _driver_detail(err: exc.DBAPIError) -> str:
    """The driver's first line, never the statement or its parameters (event data)."""
    lines = str(err.orig).strip().splitlines()
    return lines[0] if lines else type(err.orig).__name__


def is_busy(err: exc.DBAPIError) -> bool:
    name = str(getattr(err.orig, "sqlite_errorname", ""))
    state = str(getattr(err.orig, "sqlstate", "") or "")
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or state in _BUSY_SQLSTATES


def is_seq_taken(err: exc.DBAPIError) -> bool:
    """A unique violation on (case_id, seq): another writer stored that seq first."""
    message = str(err.orig)
    return "events_case_seq_key" in message or "events.case_id, events.seq" in message


@contextmanager
def translated() -> Iterator[None]:
    """No SQLAlchemy or driver exception leaves the store: each becomes a CpwError."""
    try:
        yield
    except CpwError:
        raise
    except exc.DBAPIError as err:
        if is_busy(err):
            raise StoreBusyError(_driver_detail(err)) from None
        raise StoreUnavailableError(f"the event store failed: {_driver_detail(err)}") from None
    except exc.SQLAlchemyError as err:
        raise StoreUnavailableError(f"the event store failed: {type(err).__name__}") from None
    except OSError as err:
        raise StoreUnavailableError(f"the event store failed: {err.strerror or err}") from None
