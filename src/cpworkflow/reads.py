"""Read use cases behind the read commands: each returns JSON-ready data."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from cpworkflow.records import StoredEvent, timestamp_text
from cpworkflow.reports import audit as audit_report
from cpworkflow.reports import projections
from cpworkflow.service import NOW, CaseService, PointInTime, Recorded

if TYPE_CHECKING:  # the returns are imported when asked for (XlsxWriter is not small)
    from cpworkflow.reports.annex_a import AnnexA
    from cpworkflow.reports.census import CensusReturn

Json = dict[str, Any]


class Reads:
    def __init__(self, service: CaseService) -> None:
        self.service = service

    def _as_of(self, point: PointInTime, events: list[StoredEvent]) -> date:
        """The date obligations are evaluated at: the chosen point in time, else today."""
        if point.as_of is not None:
            return point.as_of
        if point.known_at is not None:
            return point.known_at.date()
        if point.at_seq is not None and events:
            return events[-1].occurred_on
        return self.service.today()

    def show(self, case_id: str, point: PointInTime = NOW) -> Json:
        case, events = self.service.case(case_id, point)
        return projections.show(case, self._as_of(point, events))

    def history(self, case_id: str, point: PointInTime = NOW) -> list[Json]:
        case, events = self.service.case(case_id, point)
        return projections.history(events, case)

    def due(
        self, as_of: date | None, overdue_only: bool, case_id: str | None, role: str | None
    ) -> list[Json]:
        ids = [case_id] if case_id else self.service.case_ids()
        cases = (self.service.case(cid)[0] for cid in ids)
        return projections.due_rows(
            cases, as_of or self.service.today(), overdue_only=overdue_only, role=role
        )

    def caseload(
        self,
        *,
        stage: str | None = None,
        worker: str | None = None,
        team: str | None = None,
        pack: str | None = None,
        page: int = 1,
        per_page: int = 50,
    ) -> Json:
        """One page of the caseload, most overdue first: each case's stage and since when,
        worker, team, pack, people, and its open and overdue obligations as of today.
        `{total, page, per_page, rows}`. Replays each case (the read models replace this)."""
        as_of = self.service.today()
        rows = []
        for cid in self.service.case_ids():
            case, events = self.service.case(cid)
            people = {role: str(p.get("id")) for role, p in case.people().items()}
            row = {
                "case_id": cid,
                "stage": case.stage,
                "stage_since": case.stage_since.isoformat() if case.stage_since else None,
                "worker": people.get("social_worker"),
                "team": _team(events),
                "policy": case.policy,
                "people": people,
                "open": len(case.open_obligations()),
                "overdue": 0,
                "oldest_overdue": None,
            }
            overdue = sorted(o.due for o in case.open_obligations() if o.due < as_of)
            if overdue:
                row["overdue"], row["oldest_overdue"] = len(overdue), overdue[0].isoformat()
            wanted = (stage, worker, team, pack)
            if all(w is None or w == row[k] for w, k in zip(wanted, _FILTERS, strict=True)):
                rows.append(row)
        rows.sort(
            key=lambda r: (r["oldest_overdue"] is None, r["oldest_overdue"] or "", r["case_id"])
        )
        start = (page - 1) * per_page
        return {
            "total": len(rows),
            "page": page,
            "per_page": per_page,
            "rows": rows[start : start + per_page],
        }

    def audit(self, case_id: str) -> Json:
        case, events = self.service.case(case_id)
        problems = self.service.verify(case_id)
        calendar = self.service.policies(case.policy).calendar()
        return audit_report.audit(case, events, problems, calendar, self.service.today())

    def recorded(self, result: Recorded) -> Json:
        event = result.event
        as_of = self.service.today()
        opened = {o["id"] for o in event.decision.get("opened", ())}
        return {
            "case_id": event.case_id,
            "seq": event.seq,
            "type": event.type,
            "stage": event.decision.get("stage_after"),
            "version": result.case.version,
            "duplicate": result.duplicate,
            "waived_rules": list(event.decision.get("waived", ())),
            "fell_due": [
                o.to_json(as_of) for o in result.case.obligations.values() if o.id in opened
            ],
            "met": list(event.decision.get("met", ())),
        }

    def export_jsonl(self, case_ids: list[str]) -> Iterator[bytes]:
        """Envelopes in seq order per case; `stored` carries what the store added."""
        for case_id in case_ids or self.service.case_ids():
            for e in self.service.events(case_id):
                line: Json = {
                    "case_id": e.case_id,
                    "type": e.type,
                    "occurred_on": e.occurred_on.isoformat(),
                    "actor": e.actor,
                    "data": e.data,
                }
                if e.key is not None:
                    line["key"] = e.key
                line["stored"] = {
                    "seq": e.seq,
                    "recorded_at": timestamp_text(e.recorded_at),
                    "schema_version": e.schema_version,
                    "policy": e.policy,
                    "policy_version": e.policy_version,
                    "decision": e.decision,
                    "prev_hash": e.prev_hash,
                    "hash": e.hash,
                }
                yield (json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n").encode()

    def census(
        self,
        case_ids: list[str],
        year: int,
        la_code: str = "000",
        progress: Callable[[int], None] | None = None,
    ) -> CensusReturn:
        """The CIN census return (and the children left out), reading one log at a time."""
        from cpworkflow.reports.census import census_return

        ids = case_ids or self.service.case_ids()
        logs = (self.service.events(cid) for cid in ids)
        return census_return(logs, year=year, la_code=la_code, progress=progress)

    def annex_a(
        self,
        case_ids: list[str],
        as_at: date,
        progress: Callable[[int], None] | None = None,
    ) -> AnnexA:
        """Ofsted's Annex A lists 3-7 as at the inspection date, one log at a time."""
        from cpworkflow.reports.annex_a import annex_a

        ids = case_ids or self.service.case_ids()
        return annex_a((self.service.events(cid) for cid in ids), as_at, progress=progress)


_FILTERS = ("stage", "worker", "team", "policy")


def _team(events: list[StoredEvent]) -> str | None:
    """The team of the case's latest social worker assignment that names one."""
    for e in reversed(events):
        person = e.data.get("person", {}) if e.type == "StaffAssigned" else {}
        if e.data.get("team") and person.get("role") == "social_worker":
            return str(e.data["team"])
    return None
