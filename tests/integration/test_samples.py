"""The frozen sample logs in eventstore/samples/ must always load, replay and verify.

They were recorded through the engine and exported once; they are evidence-shaped data
that every future version of the code must still read."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cpworkflow.service import CaseService
from cpworkflow.store import EventStore
from cpworkflow.store import restore as restored
from cpworkflow.vocabulary.envelope import SCHEMA_VERSION
from cpworkflow.vocabulary.upcasting import Upcasters

SAMPLES = sorted((Path(__file__).parents[2] / "eventstore" / "samples").glob("*.jsonl"))
GENESIS = "0" * 64


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def auditor_hash(line: dict[str, Any]) -> str:
    """The hash chain as eventstore/README.md specifies it, written independently of the
    store's own code: sha256 of the RFC 8785 canonical JSON of the hashed fields."""
    stored = line["stored"]
    hashed = {
        "case_id": line["case_id"],
        "seq": stored["seq"],
        "type": line["type"],
        "occurred_on": line["occurred_on"],
        "recorded_at": stored["recorded_at"],
        "actor": line["actor"],
        "data": line["data"],
        "schema_version": stored["schema_version"],
        "policy": stored["policy"],
        "policy_version": stored["policy_version"],
        "decision": stored["decision"],
        "key": line.get("key"),
        "prev_hash": stored["prev_hash"],
    }
    text = json.dumps(hashed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.fixture
def service_for() -> Iterator[Callable[..., CaseService]]:
    """Services on a URL; their connections are closed when the test ends."""
    stores: list[EventStore] = []

    def make(url: str, upcasters: Upcasters | None = None) -> CaseService:
        store = EventStore(url)
        store.init()
        stores.append(store)
        today = lambda: date(2026, 11, 23)  # noqa: E731
        if upcasters is None:
            return CaseService(store, today=today)
        return CaseService(store, today=today, upcasters=upcasters)

    yield make
    for store in stores:
        store.dispose()


def test_there_are_samples_of_every_pack() -> None:
    policies = {lines(path)[0]["stored"]["policy"] for path in SAMPLES}
    assert policies == {"default", "lancashire", "sefton"}


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_a_frozen_sample_keeps_an_unbroken_hash_chain(path: Path) -> None:
    previous = GENESIS
    for number, line in enumerate(lines(path), 1):
        assert line["stored"]["seq"] == number
        assert line["stored"]["prev_hash"] == previous
        assert auditor_hash(line) == line["stored"]["hash"], f"{path.name} line {number}"
        previous = line["stored"]["hash"]


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_a_frozen_sample_restores_replays_and_verifies_with_its_own_decisions(
    path: Path, store_url: str, service_for: Callable[..., CaseService]
) -> None:
    """Restored as exported (seq, recorded_at, decisions and hashes byte for byte), the
    sample replays through today's transition table and verifies: a stored event is never
    re-judged. (Importing it instead decides every event again under today's rules; since
    revision 2 a case closes only with every professional informed, so the two samples
    that close without saying so no longer import, by design.)"""
    service = service_for(store_url)
    recorded = lines(path)
    service.store.restore(restored.rows(path.read_bytes().splitlines()))
    service.rebuild()
    case_id = recorded[0]["case_id"]
    events = service.events(case_id)
    assert [e.hash for e in events] == [line["stored"]["hash"] for line in recorded]
    assert [e.decision for e in events] == [line["stored"]["decision"] for line in recorded]
    case, _ = service.case(case_id)
    assert case.stage == recorded[-1]["stored"]["decision"]["stage_after"]
    assert service.verify() == []


def test_a_frozen_v1_log_still_loads_after_a_v2_change_to_an_event(
    tmp_path: Path, service_for: Callable[..., CaseService]
) -> None:
    """A later schema adds `visit_kind` to ChildVisited (v2); the stored v1 visits are
    upcast as they are read and the case replays to the same place."""
    url = f"sqlite:///{tmp_path}/v1.db"
    v1 = service_for(url)
    sample = next(p for p in SAMPLES if p.stem == "C1001")
    v1.import_lines(sample.read_bytes().splitlines())
    before, _ = v1.case("C1001")

    v2 = Upcasters({**SCHEMA_VERSION, "ChildVisited": 2})

    @v2.register("ChildVisited", 1)
    def _visit_kind(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "visit_kind": "home"}

    later = service_for(url, v2)
    after, events = later.case("C1001")
    visits = [e for e in events if e.type == "ChildVisited"]
    assert visits and all(e.schema_version == 2 for e in visits)
    assert all(e.data["visit_kind"] == "home" for e in visits)
    assert (after.stage, after.version, after.obligations) == (
        before.stage,
        before.version,
        before.obligations,
    )
    stored_raw = later.store.load("C1001")
    assert all(e.schema_version == 1 for e in stored_raw), "the stored log is never rewritten"
