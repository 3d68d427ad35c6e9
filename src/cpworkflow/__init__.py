"""cpworkflow: an event-sourced workflow engine for child protection casework.

What a library user needs is re-exported here, and loaded only when first used, so that
importing one module of the package does not start the store or the service:

    from cpworkflow import CaseService, EventStore
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from cpworkflow.errors import (
        BadInputError,
        ConflictError,
        CpwError,
        IntegrityError,
        NotFoundError,
        RefusedError,
    )
    from cpworkflow.service import CaseService
    from cpworkflow.store import EventStore

_WHERE = {
    "CaseService": "cpworkflow.service",
    "EventStore": "cpworkflow.store",
    **dict.fromkeys(
        (
            "CpwError",
            "RefusedError",
            "BadInputError",
            "ConflictError",
            "IntegrityError",
            "NotFoundError",
        ),
        "cpworkflow.errors",
    ),
}
__all__ = [
    "BadInputError",
    "CaseService",
    "ConflictError",
    "CpwError",
    "EventStore",
    "IntegrityError",
    "NotFoundError",
    "RefusedError",
    "__version__",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'cpworkflow' has no attribute {name!r}")
