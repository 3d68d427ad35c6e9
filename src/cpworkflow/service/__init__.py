"""The use cases the command line and the web view call: read a case at a point in time,
record one event, import a file, verify and rebuild (`cases`, `importing`, `integrity`)."""

from cpworkflow.service.cases import CaseService, Recorded
from cpworkflow.service.importing import Imported
from cpworkflow.service.integrity import view_mismatch
from cpworkflow.service.points import NOW, PointInTime

__all__ = ["NOW", "CaseService", "Imported", "PointInTime", "Recorded", "view_mismatch"]
