"""One case log folded into what Ofsted's Annex A asks of it at an inspection date: the
census episodes (`census_fold`, up to that date) and what the census does not ask — the
allocated social worker and team, the visits the child was seen at, and emergency legal
status. As the log is known now: retracted events are skipped. Never reads the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cpworkflow.records import StoredEvent
from cpworkflow.reports.census_fold import CaseFold, fold


@dataclass(frozen=True)
class Visit:
    on: date
    seen_alone: bool | None
    seq: int


@dataclass(frozen=True)
class LegalStatus:
    status: str
    start: date
    end: date | None
    seq: int


@dataclass
class CaseFacts:
    case_id: str
    census: CaseFold
    worker: str | None = None
    team: str | None = None
    staff_seq: int | None = None  # the assignment the worker and team came from
    visits: list[Visit] = field(default_factory=list)  # the child seen, in date order
    legal: list[LegalStatus] = field(default_factory=list)

    def allocated(self, trace: list[int]) -> tuple[str, str]:
        if self.staff_seq is not None:
            trace.append(self.staff_seq)
        return self.team or "", self.worker or ""

    def last_seen(self, start: date, end: date) -> Visit | None:
        return next((v for v in reversed(self.visits) if start <= v.on <= end), None)


def facts(log: Sequence[StoredEvent], as_at: date) -> CaseFacts:
    """Fold one log for Annex A as at the inspection date. Raises BadInputError (naming
    the case) for a log the census fold cannot read."""
    events = sorted(log, key=lambda e: e.seq)
    case = CaseFacts(events[0].case_id, fold(events, as_at))
    retracted = {e.data.get("seq") for e in events if e.type == "EntryRetracted"}
    for event in events:
        if event.seq in retracted or event.occurred_on > as_at:
            continue
        data = event.data
        if event.type == "StaffAssigned":
            _assigned(case, data.get("person") or {}, event.seq, data)
        elif event.type == "InitialConferenceHeld" and data.get("lead_social_worker"):
            _assigned(case, data["lead_social_worker"], event.seq, {})
        elif event.type == "ChildVisited" and data.get("seen"):
            case.visits.append(Visit(event.occurred_on, data.get("seen_alone"), event.seq))
        elif event.type == "LegalStatusRecorded":
            start = date.fromisoformat(str(data["start_date"]))
            end = date.fromisoformat(str(data["end_date"])) if data.get("end_date") else None
            case.legal.append(LegalStatus(str(data["status"]), start, end, event.seq))
    case.visits.sort(key=lambda v: (v.on, v.seq))
    return case


def _assigned(case: CaseFacts, person: Any, seq: int, data: Any) -> None:
    """The latest social worker assigned is the allocated worker (until they leave); a
    team named with the assignment is the allocated team."""
    if not isinstance(person, dict) or person.get("role") != "social_worker":
        return
    if data.get("left_authority"):
        if person.get("id") == case.worker:
            case.worker, case.team, case.staff_seq = None, None, seq
        return
    if person.get("id") != case.worker or data.get("team"):
        case.team = data.get("team") or (case.team if person.get("id") == case.worker else None)
    case.worker, case.staff_seq = person.get("id"), seq
