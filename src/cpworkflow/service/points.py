"""Which part of a case's log a question is about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class PointInTime:
    """Which part of a case's log to replay: all of it, up to a seq, what had happened by a
    date (as known now), or what the system had been told by a moment."""

    at_seq: int | None = None
    as_of: date | None = None
    known_at: datetime | None = None

    @property
    def is_now(self) -> bool:
        return self.at_seq is None and self.as_of is None and self.known_at is None


NOW = PointInTime()
