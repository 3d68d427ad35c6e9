"""The event store (SQLAlchemy Core, SQLite or PostgreSQL). See eventstore/README.md."""

from cpworkflow.store.appending import AppendResult
from cpworkflow.store.engine import StoreBusyError, StoreUnavailableError
from cpworkflow.store.event_store import EventStore
from cpworkflow.store.verify import IntegrityProblem

__all__ = [
    "AppendResult",
    "EventStore",
    "IntegrityProblem",
    "StoreBusyError",
    "StoreUnavailableError",
]
