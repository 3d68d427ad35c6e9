"""A stored event log built by hand, for tests of read models that take stored events
(the census export): each event carries the stage its decision recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from cpworkflow.records import StoredEvent

SW = {"id": "sw1", "role": "social_worker"}


@dataclass
class CaseLog:
    """A stored log built by hand: each event carries the stage the decision recorded."""

    case_id: str
    events: list[StoredEvent] = field(default_factory=list)
    stage: str | None = None

    def record(self, type_: str, on: str, *, stage: str | None = None, **data: Any) -> int:
        self.stage = stage or self.stage
        seq = len(self.events) + 1
        self.events.append(
            StoredEvent(
                case_id=self.case_id,
                seq=seq,
                position=seq,
                type=type_,
                occurred_on=date.fromisoformat(on),
                recorded_at=datetime(2026, 4, 2, 9, 0, tzinfo=UTC),
                actor=SW,
                data=data,
                schema_version=1,
                policy="default",
                policy_version="1",
                decision={"stage_after": self.stage},
                key=None,
                prev_hash="",
                hash="",
            )
        )
        return seq
