"""Read use cases behind the read commands: each returns JSON-ready data."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from cpworkflow.errors import BadInputError, NotFoundError
from cpworkflow.lifecycle.machine import STAGES
from cpworkflow.records import StoredEvent, timestamp_text
from cpworkflow.reports import caseload
from cpworkflow.service import NOW, CaseService, PointInTime, Recorded
from cpworkflow.vocabulary.people import ROLES

# A case's views (projections, audit) and the returns are imported when asked for: the
# caseload commands need none of them, and XlsxWriter is not small.
if TYPE_CHECKING:
    from cpworkflow.policy.workingdays import WorkingCalendar
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
        from cpworkflow.reports import projections

        if point.as_of is not None:  # the case alone: its events are not shown
            case = self.service.case_at(case_id, point)
            return projections.show(
                case, point.as_of, self.service.policies(case.policy).calendar()
            )
        case, events = self.service.case(case_id, point)
        calendar = self.service.policies(case.policy).calendar()
        return projections.show(case, self._as_of(point, events), calendar)

    def history(self, case_id: str, point: PointInTime = NOW) -> list[Json]:
        from cpworkflow.reports import projections

        case, events = self.service.case(case_id, point)
        return projections.history(events, case)

    def due(
        self,
        as_of: date | None,
        overdue_only: bool,
        case_id: str | None,
        role: str | None,
        worker: str | None = None,
    ) -> list[Json]:
        """Open obligations across the caseload, soonest first, with what each asks, who
        holds it and how many working days overdue. Today's come from the read models; an
        `as_of` date replays each case as `show --as-of` does."""
        filters = self._due_filters(case_id, role, worker)
        day = as_of or self.service.today()
        if as_of is None:
            models = self.service.store.read_models
            found = models.due(filters, before=day.isoformat() if overdue_only else None)
        else:
            found = self._due_as_of(as_of, filters)
        rows = self._due_rows(found, day)
        return [r for r in rows if r["status"] == "overdue"] if overdue_only else rows

    def tray(
        self,
        *,
        role: str | None = None,
        worker: str | None = None,
        overdue_only: bool = False,
        page: int = 1,
        per_page: int = 200,
    ) -> Json:
        """One page of today's `due` (the web view's work tray), paged in SQL:
        `{total, page, per_page, rows}`, rows as `due` gives them, soonest first (so what
        is overdue comes first)."""
        filters = self._due_filters(None, role, worker)
        day = self.service.today()
        total, found = self.service.store.read_models.due_page(
            filters,
            day.isoformat() if overdue_only else None,
            offset=(page - 1) * per_page,
            limit=per_page,
        )
        rows = self._due_rows(found, day)
        return {"total": total, "page": page, "per_page": per_page, "rows": rows}

    def _due_filters(
        self, case_id: str | None, role: str | None, worker: str | None
    ) -> dict[str, str | None]:
        """`due`'s filters, checked: a role, worker or case that does not exist is refused
        (the read models are built first, if the store predates them)."""
        if role is not None and role not in ROLES:
            raise BadInputError(
                f"unknown role {role!r}; the roles are {', '.join(ROLES)}", field="--role"
            )
        self.service.ensure_read_models()
        models = self.service.store.read_models
        if worker is not None and not models.knows_worker(worker):
            workers = models.known()["workers"]
            choices = ", ".join(workers) or "none: no obligation has a holder yet"
            raise BadInputError(
                f"unknown worker {worker!r}; known workers: {choices}", field="--worker"
            )
        if case_id is not None and not self.service.store.exists(case_id):
            raise NotFoundError(f"case {case_id} not found")
        return {"case_id": case_id, "role": role, "worker": worker}

    def _due_rows(self, found: Iterable[Json], day: date) -> list[Json]:
        """Open obligations as `due` shows them on `day` (each pack's calendar looked up
        once a call)."""
        calendars: dict[str, WorkingCalendar] = {}

        def calendar(pack: str) -> WorkingCalendar:
            if pack not in calendars:
                calendars[pack] = self.service.policies(pack).calendar()
            return calendars[pack]

        return caseload.due_rows(found, day, calendar)

    def _due_as_of(self, as_of: date, filters: dict[str, str | None]) -> list[Json]:
        """What `show CASE --as-of` lists as open, for every case (or one): replayed."""
        found = []
        ids = [filters["case_id"]] if filters["case_id"] else self.service.case_ids()
        for cid in ids:
            try:
                case, events = self.service.case(str(cid), PointInTime(as_of=as_of))
            except NotFoundError:  # opened after that date
                continue
            view = caseload.case_view(case, caseload.team_of(events))
            for row in view.obligations:
                wanted = (filters["role"], row["owner_role"]), (filters["worker"], row["owner_id"])
                if all(w is None or w == v for w, v in wanted):
                    found.append(
                        {**row, "case_id": cid, "stage": case.stage, "policy": case.policy}
                    )
        return sorted(found, key=lambda r: (r["due"], r["case_id"], r["rule"], r["obligation_id"]))

    def cases(
        self,
        *,
        stage: str | None = None,
        worker: str | None = None,
        team: str | None = None,
        pack: str | None = None,
        overdue_only: bool = False,
        offset: int = 0,
        limit: int | None = None,
    ) -> Json:
        """The caseload from the read models, most overdue first: each case's stage and
        since when, worker, team, pack, people, and its open and overdue obligations as of
        today. `{total, offset, limit, rows}`."""
        if stage is not None and stage not in STAGES:
            raise BadInputError(
                f"unknown stage {stage!r}; the stages are {', '.join(STAGES)}", field="--stage"
            )
        self.service.ensure_read_models()
        models = self.service.store.read_models
        if worker is not None and not models.knows_worker(worker):
            known = ", ".join(models.known()["workers"]) or "none yet"
            raise BadInputError(
                f"unknown worker {worker!r}; known workers: {known}", field="--worker"
            )
        filters = {"stage": stage, "worker": worker, "team": team, "pack": pack}
        today = self.service.today().isoformat()
        total, found = models.cases(
            filters, today, overdue_only=overdue_only, offset=offset, limit=limit
        )
        return {
            "total": total,
            "offset": offset,
            "limit": limit,
            "rows": [caseload.case_row(r) for r in found],
        }

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
        """One page of the caseload (the web view's): `{total, page, per_page, rows}`, rows
        as `cases` gives them, most overdue first."""
        found = self.cases(
            stage=stage,
            worker=worker,
            team=team,
            pack=pack,
            offset=(page - 1) * per_page,
            limit=per_page,
        )
        return {"total": found["total"], "page": page, "per_page": per_page, "rows": found["rows"]}

    def audit(self, case_id: str, as_of: date | None = None) -> Json:
        """The compliance report, today or `as_of` a date (what had happened by then, as
        known now; integrity is always the whole log's)."""
        from cpworkflow.reports import audit as audit_report

        case, events = self.service.case(case_id, PointInTime(as_of=as_of))
        problems = self.service.verify(case_id)
        calendar = self.service.policies(case.policy).calendar()
        day = as_of or self.service.today()
        return audit_report.audit(case, events, problems, calendar, day)

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
        """Envelopes in seq order per case; `stored` carries what the store added. The
        whole store is streamed from one query; named cases are read one by one."""
        events = (
            (e for case_id in case_ids for e in self.service.events(case_id))
            if case_ids
            else self.service.all_events()
        )
        for e in events:
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
