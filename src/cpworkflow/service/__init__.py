"""The use cases the command line and the web view call: read a case at a point in time,
record one event, import a file, verify and rebuild (`cases`, `importing`, `integrity`).
`Imported` and `view_mismatch` are imported when first asked for: their modules bring the
store's bulk writer and scanner, which a show or a record does not use."""

from typing import TYPE_CHECKING, Any

from cpworkflow.service.cases import CaseService, Recorded
from cpworkflow.service.points import NOW, PointInTime

if TYPE_CHECKING:
    from cpworkflow.service.importing import Imported
    from cpworkflow.service.integrity import view_mismatch

__all__ = ["NOW", "CaseService", "Imported", "PointInTime", "Recorded", "view_mismatch"]
_LATER = {
    "Imported": "cpworkflow.service.importing",
    "view_mismatch": "cpworkflow.service.integrity",
}


def __getattr__(name: str) -> Any:
    if name not in _LATER:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(_LATER[name]), name)
