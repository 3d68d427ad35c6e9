"""How every SQLite connection of the store is set up, whichever path opens it
(SQLAlchemy's engine, store/engine.py, or the standard library's driver directly,
store/sqlite_direct.py): WAL, `synchronous=FULL` (these are records of evidence) and a busy
timeout; the driver's own transaction handling off, so that the store issues `BEGIN
IMMEDIATE` for a write (writers queue for the lock at the start instead of failing
half-way) and a plain `BEGIN` for a read. Also which `sqlite:` URLs keep nothing (in
memory, refused) and which name a plain file (the direct path's)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

BUSY_TIMEOUT_MS = 30_000
MMAP_BYTES = 2**31 - 1  # SQLite's own upper limit in most builds (it clamps to its limit)
BEGIN_WRITE = "BEGIN IMMEDIATE"
BEGIN_READ = "BEGIN"
MAP = f"PRAGMA mmap_size = {MMAP_BYTES}"
UNMAP = "PRAGMA mmap_size = 0"
HAS_EVENTS = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'"
TABLES = "SELECT name FROM sqlite_master WHERE type = 'table'"
IN_MEMORY = (
    "is an in-memory SQLite database, which keeps nothing once the command ends:"
    " give a file, e.g. sqlite:///eventstore/cpworkflow.db"
)
_PREFIX = "sqlite:///"


def configure(dbapi_connection: Any) -> None:
    """The pragmas of every connection, run once when it is opened."""
    dbapi_connection.isolation_level = None  # the store opens its transactions itself
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
    finally:
        cursor.close()


def in_memory(database: str, modes: list[str]) -> bool:
    """`sqlite://`, `sqlite:///:memory:`, and URI forms with `mode=memory` or `:memory:`
    (`database` as the URL names it, `modes` its `mode` query values)."""
    database = database.strip()
    return not database or ":memory:" in database or "mode=memory" in database or "memory" in modes


def plain_file(url: str) -> Path | None:
    """The file of a `sqlite:///FILE` URL with nothing SQLAlchemy would read otherwise than
    as the file's name (no query, no %-escape, no URI form, not in memory); None for any
    other URL, which goes to SQLAlchemy as before."""
    if not url.startswith(_PREFIX):
        return None
    database = url[len(_PREFIX) :]
    if any(c in database for c in "?#%") or database.startswith("file:"):
        return None
    if in_memory(database, []) or database != database.strip():
        return None
    return Path(database)
