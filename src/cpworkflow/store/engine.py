"""Connecting to SQLite or PostgreSQL through SQLAlchemy, and turning driver failures into
CpwErrors. SQLite connections are set up as store/sqlite_setup.py says (the direct path's
too), and a driver's failure is classified by store/failures.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc

from cpworkflow.errors import BadInputError, CpwError, StoreUnavailableError
from cpworkflow.store import failures, sqlite_setup
from cpworkflow.store.failures import StoreBusyError
from cpworkflow.store.sqlite_setup import BUSY_TIMEOUT_MS as BUSY_TIMEOUT_MS
from cpworkflow.store.tables import for_postgresql

WRITE = "cpw_write"  # execution option: this connection's transaction will write


__all__ = ["StoreBusyError", "StoreUnavailableError", "create", "translated"]


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
            raise BadInputError(sqlite_setup.IN_MEMORY, field="url")
        engine = _engine(parsed)
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    raise BadInputError("must be a sqlite:/// or postgresql+psycopg:// URL", field="url")


def _in_memory(url: sa.URL) -> bool:
    """`sqlite://`, `sqlite:///:memory:`, and URI forms with `mode=memory` or `:memory:`."""
    mode = url.query.get("mode", "")
    modes = [mode] if isinstance(mode, str) else list(mode)
    return sqlite_setup.in_memory(url.database or "", modes)


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
    sqlite_setup.configure(dbapi_connection)


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
    connection.exec_driver_sql(sqlite_setup.MAP).close()
    try:
        yield connection
    finally:
        connection.exec_driver_sql(sqlite_setup.UNMAP).close()


def _begin_sqlite(connection: sa.Connection) -> None:
    writes = connection.get_execution_options().get(WRITE, False)
    connection.exec_driver_sql(sqlite_setup.BEGIN_WRITE if writes else sqlite_setup.BEGIN_READ)


def is_busy(err: exc.DBAPIError) -> bool:
    return failures.is_busy(err.orig)


def is_seq_taken(err: exc.DBAPIError) -> bool:
    """A unique violation on (case_id, seq): another writer stored that seq first."""
    return failures.is_seq_taken(err.orig)


@contextmanager
def translated() -> Iterator[None]:
    """No SQLAlchemy or driver exception leaves the store: each becomes a CpwError."""
    try:
        yield
    except CpwError:
        raise
    except exc.DBAPIError as err:
        raise failures.from_driver(err.orig) from None
    except exc.SQLAlchemyError as err:
        raise StoreUnavailableError(f"the event store failed: {type(err).__name__}") from None
    except OSError as err:
        raise failures.from_os(err) from None
