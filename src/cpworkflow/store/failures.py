"""What a driver's failure means, on either path to the database (SQLAlchemy's, whose
`DBAPIError.orig` is the driver's exception, or the standard library's `sqlite3` used
directly by store/sqlite_direct.py): the same exception gives the same CpwError."""

from __future__ import annotations

from cpworkflow.errors import ConflictError, CpwError, StoreUnavailableError

_BUSY_SQLSTATES = {"40001", "40P01", "55P03", "57014"}  # serialization, deadlock, lock, timeout


class StoreBusyError(ConflictError):
    """Other writers held the store longer than the busy timeout. Like any conflict: nothing
    was written, and trying again is safe."""

    def __init__(self, detail: str) -> None:
        CpwError.__init__(self, f"the event store is busy with other writers ({detail}); try again")
        self.case_id = ""
        self.expected = -1
        self.actual = -1


class SeqCollision(Exception):
    """An insert met the unique index on (case_id, seq): another writer stored that seq
    first (store/appending.py says it as a conflict)."""


def detail(orig: object) -> str:
    """The driver's first line, never the statement or its parameters (event data)."""
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__


def is_busy(orig: object) -> bool:
    name = str(getattr(orig, "sqlite_errorname", ""))
    state = str(getattr(orig, "sqlstate", "") or "")
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or state in _BUSY_SQLSTATES


def is_seq_taken(orig: object) -> bool:
    """A unique violation on (case_id, seq): another writer stored that seq first."""
    message = str(orig)
    return "events_case_seq_key" in message or "events.case_id, events.seq" in message


def from_driver(orig: object) -> CpwError:
    """The CpwError a driver's exception is reported as."""
    if is_busy(orig):
        return StoreBusyError(detail(orig))
    return StoreUnavailableError(f"the event store failed: {detail(orig)}")


def from_os(err: OSError) -> CpwError:
    return StoreUnavailableError(f"the event store failed: {err.strerror or err}")
