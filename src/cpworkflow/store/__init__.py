"""The event store (SQLAlchemy Core, SQLite or PostgreSQL). See eventstore/README.md.

What is re-exported here is loaded when first used, so that a module of the store that
needs no database (checkpoint signing, canonical encoding) can be imported without
SQLAlchemy: `from cpworkflow.store import EventStore` works as before."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cpworkflow.errors import StoreUnavailableError
    from cpworkflow.store.appending import AppendResult
    from cpworkflow.store.event_store import EventStore
    from cpworkflow.store.failures import StoreBusyError
    from cpworkflow.store.verify import IntegrityProblem

_WHERE = {
    "AppendResult": "cpworkflow.store.appending",
    "EventStore": "cpworkflow.store.event_store",
    "IntegrityProblem": "cpworkflow.store.verify",
    "StoreBusyError": "cpworkflow.store.failures",
    "StoreUnavailableError": "cpworkflow.errors",
}
__all__ = [
    "AppendResult",
    "EventStore",
    "IntegrityProblem",
    "StoreBusyError",
    "StoreUnavailableError",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:  # __import__: `python -X importtime` does not see import_module
        return getattr(__import__(_WHERE[name], fromlist=[name]), name)
    raise AttributeError(f"module 'cpworkflow.store' has no attribute {name!r}")
