"""verify replays the events its fast reading gives (`scan.Scanned`, not StoredEvents) and
builds only the obligations still open (`integrity.replayed`): the same view as
`CaseService.view_of` of the stored events, for every simulated case on both engines, for
a log that must be upcast first (which goes through view_of itself), and for a log replay
refuses (the same IntegrityError)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from cpworkflow.errors import IntegrityError
from cpworkflow.service import CaseService
from cpworkflow.service.integrity import replayed
from cpworkflow.store import EventStore
from cpworkflow.store.scan_rows import Scanned
from cpworkflow.vocabulary.envelope import SCHEMA_VERSION
from cpworkflow.vocabulary.upcasting import Upcasters
from cpworkflow.workload.caseload import jsonl, simulate

TODAY = date(2026, 4, 1)


@pytest.fixture
def service(store: EventStore) -> CaseService:
    service = CaseService(store, today=lambda: TODAY)
    service.import_lines(list(jsonl(simulate(12, seed=7))))
    return service


def _scanned(service: CaseService) -> dict[str, list[Any]]:
    return {a.case_id: list(a.events) for a in service.store.audit() if a.in_log}


def test_the_fast_reading_gives_the_stored_events_and_the_same_view(
    service: CaseService,
) -> None:
    scanned = _scanned(service)
    assert sorted(scanned) == service.case_ids()
    owing = 0
    for cid, events in scanned.items():
        assert all(type(e) is Scanned for e in events)
        stored = service.store.load(cid)
        assert [e.stored() for e in events] == stored
        view = replayed(service, events)
        assert view == service.view_of(stored) == replayed(service, stored)
        owing += bool(view.obligations)
    assert owing  # some cases have open obligations, and the views show them


def test_a_log_of_an_older_schema_is_upcast_as_view_of_upcasts_it(
    service: CaseService,
) -> None:
    """With StaffAssigned at version 2 and a step that renames the team, the stored
    assignments (version 1) are upcast before the fold, Scanned or not: the team the view
    shows is the upcast one."""
    later = Upcasters({**SCHEMA_VERSION, "StaffAssigned": 2})

    @later.register("StaffAssigned", 1)
    def _renamed(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "team": "renamed"} if data.get("team") else data

    upcasting = CaseService(service.store, today=lambda: TODAY, upcasters=later)
    renamed = 0
    for cid, events in _scanned(service).items():
        stored = service.store.load(cid)
        view = replayed(upcasting, events)
        assert view == upcasting.view_of(stored)
        renamed += view.summary["team"] == "renamed" != service.view_of(stored).summary["team"]
    assert renamed


def test_a_log_replay_refuses_raises_the_same_error_either_way(service: CaseService) -> None:
    cid = next(iter(_scanned(service)))
    stored = service.store.load(cid)
    bad = dict(stored[1].decision, stage_after="closed")
    broken = [stored[0], replace(stored[1], decision=bad), *stored[2:]]
    scanned = [Scanned(*(getattr(e, n) for n in Scanned.__struct_fields__)) for e in broken]
    errors = []
    for fold in (lambda: replayed(service, scanned), lambda: service.view_of(broken)):
        with pytest.raises(IntegrityError) as raised:
            fold()
        errors.append((raised.value.case_id, raised.value.seq, str(raised.value)))
    assert errors[0] == errors[1]
    assert errors[0][:2] == (cid, 2)
