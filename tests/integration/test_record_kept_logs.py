"""`record` keeps the logs of the cases it recorded to lately (service/recent.py) and uses
one only while it is still the whole stored log. Whatever else writes to the case in
between, the events stored are those a service that keeps no log stores: the same
decisions, the same hash chain, the same answers.

Two stores see the same story; on each, a service records and a second service (another
process, in effect) appends now and then. On one store the first service keeps logs; on
the other it keeps none. The stores end byte for byte the same."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import nullcontext
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from cpworkflow.errors import ConflictError, KeyReusedError, RefusedError
from cpworkflow.lifecycle import rechain
from cpworkflow.service import CaseService, Recorded
from cpworkflow.store import EventStore
from rechain_oracle import counting_short_steps

SW = {"id": "sw-1", "role": "social_worker"}
TM = {"id": "tm-1", "role": "team_manager"}
CHAIR = {"id": "chair-1", "role": "cp_chair"}
TODAY = date(2025, 6, 30)


def ticking() -> Callable[[], datetime]:
    """A clock that moves one second a call, the same on both stores."""
    moments: Iterator[datetime] = (
        datetime(2025, 7, 1, tzinfo=UTC) + timedelta(seconds=n) for n in range(10**6)
    )
    return lambda: next(moments)


def envelope(type_: str, on: str, actor: dict[str, str], **data: Any) -> dict[str, Any]:
    key = data.pop("key", None)
    found = {"case_id": "K1", "type": type_, "occurred_on": on, "actor": actor, "data": data}
    return found if key is None else {**found, "key": key}


def visit(on: str, **data: Any) -> dict[str, Any]:
    return envelope("ChildVisited", on, SW, seen=True, seen_alone=True, **data)


# (who records: "me" or "other", the envelope, the expected version or None)
STORY: list[tuple[str, dict[str, Any], int | None]] = [
    ("me", envelope("CaseOpened", "2025-01-06", SW, child={"ref": "K1"}), None),
    ("me", envelope("StrategyMeetingHeld", "2025-01-07", TM, outcome="s47"), 1),
    (
        "me",
        envelope(
            "InitialConferenceHeld",
            "2025-01-20",
            CHAIR,
            chair=CHAIR,
            decision="plan",
            categories=["neglect"],
            lead_social_worker=SW,
        ),
        None,
    ),
    ("me", visit("2025-01-27", key="v1"), None),
    ("me", visit("2025-01-27", key="v1"), None),  # a repeat: the original comes back
    ("other", visit("2025-02-03"), None),  # appended behind the first service's back
    ("me", visit("2025-02-10"), None),
    ("me", visit("2025-02-17"), 5),  # a stale expected version: a conflict
    ("me", visit("2025-02-17"), 6),
    ("other", envelope("StaffAssigned", "2025-02-18", TM, person=SW, team="North"), None),
    ("me", visit("2025-02-05"), None),  # late: re-chains the visits around it
    ("me", envelope("CaseClosed", "2025-02-20", TM, reason="died"), None),  # refused
    ("me", envelope("EntryRetracted", "2025-02-21", TM, seq=7, reason="Wrong child"), None),
    ("other", visit("2025-02-24"), None),
    ("me", visit("2025-02-24", key="v1"), None),  # the key again with other data: refused
    ("me", visit("2025-03-03"), None),
]


def told(service: CaseService, raw: dict[str, Any], expected: int | None) -> object:
    """What the service answered: the case and event recorded, or the error."""
    try:
        recorded = service.record(raw, expected)
    except (ConflictError, RefusedError, KeyReusedError) as err:
        return (type(err).__name__, str(err))
    assert isinstance(recorded, Recorded)
    return (repr(recorded.case), recorded.event, recorded.duplicate)


def tell(tmp: Path, name: str, kept_logs: int) -> tuple[list[object], EventStore, int]:
    store = EventStore(f"sqlite:///{tmp / name}.db", clock=ticking())
    store.init()
    me = CaseService(store, today=lambda: TODAY, kept_logs=kept_logs)
    other = CaseService(store, today=lambda: TODAY, kept_logs=0)
    loads = 0
    load = store.load

    def counted(case_id: str, **points: Any) -> Any:
        nonlocal loads
        loads += 1
        return load(case_id, **points)

    store.load = counted  # type: ignore[method-assign]
    answers = [told(me if who == "me" else other, raw, exp) for who, raw, exp in STORY]
    store.load = load  # type: ignore[method-assign]
    return answers, store, loads


def test_a_service_that_keeps_logs_stores_what_one_that_keeps_none_stores(
    tmp_path: Path,
) -> None:
    kept, kept_store, kept_loads = tell(tmp_path, "kept", kept_logs=16)
    none, none_store, none_loads = tell(tmp_path, "none", kept_logs=0)
    assert kept == none
    assert kept_store.load("K1") == none_store.load("K1")
    assert list(kept_store.read_models.views()) == list(none_store.read_models.views())
    errors = [a[0] for a in kept if isinstance(a, tuple) and str(a[0]).endswith("Error")]
    assert errors == ["ConflictError", "RefusedError", "KeyReusedError"]
    # Without kept logs every record reads the log. With them, the first service read it
    # at the start and again only after each of the other's three appends (which read it
    # too, keeping none).
    assert none_loads == len(STORY)
    assert kept_loads == 1 + 3 + 3


def test_a_service_keeps_the_logs_of_as_many_cases_as_it_is_told(tmp_path: Path) -> None:
    store = EventStore(f"sqlite:///{tmp_path / 'few'}.db")
    store.init()
    service = CaseService(store, today=lambda: TODAY, kept_logs=1)
    opened = STORY[0][1]
    for case_id in ("A1", "A2"):
        service.record({**opened, "case_id": case_id, "data": {"child": {"ref": case_id}}})
    loaded: list[str] = []
    load = store.load
    store.load = lambda case_id, **points: loaded.append(case_id) or load(case_id, **points)  # type: ignore[method-assign]
    for case_id in ("A2", "A1"):
        service.record({**STORY[1][1], "case_id": case_id})
    assert loaded == ["A1"]  # A2's log was kept; A1's had made way for it


def test_a_refusal_on_a_kept_log_is_not_given_once_another_writer_made_the_event_legal(
    tmp_path: Path,
) -> None:
    """The first service kept the log of a case just opened; another appends the strategy
    meeting; the conference the first is then told of would be refused on the kept log
    (no enquiry yet), but is recorded, after the meeting, as on a log just read."""
    store = EventStore(f"sqlite:///{tmp_path / 'stale'}.db")
    store.init()
    me = CaseService(store, today=lambda: TODAY)
    other = CaseService(store, today=lambda: TODAY, kept_logs=0)
    me.record(STORY[0][1])
    other.record(STORY[1][1])
    recorded = me.record(STORY[2][1])
    assert (recorded.event.seq, recorded.case.stage) == (3, "cp_plan")
    assert [e.type for e in store.load("K1")] == [s[1]["type"] for s in STORY[:3]]


def test_visits_recorded_one_by_one_take_the_short_way_and_store_what_the_definition_does(
    tmp_path: Path,
) -> None:
    """On a service that keeps logs, each visit after the first of the period is re-chained
    from what the last one's decision left (`rechain.Chain`), and the store holds, byte for
    byte, what deciding every visit by re-deriving the period in full stores."""
    visits = [visit(f"2025-{1 + d // 28:02d}-{1 + d % 28:02d}") for d in range(27, 27 + 7 * 12, 7)]
    story = [raw for _, raw, _ in STORY[:3]] + visits

    def stored(name: str, full: bool) -> tuple[list[object], int]:
        store = EventStore(f"sqlite:///{tmp_path / name}.db", clock=ticking())
        store.init()
        service = CaseService(store, today=lambda: TODAY)
        with rechain.full_rederivation() if full else nullcontext(), counting_short_steps() as n:
            for raw in story:
                service.record(raw)
        return [*store.load("K1"), *store.read_models.views()], n[0]

    short, short_steps = stored("short", full=False)
    full, _ = stored("full", full=True)
    assert short == full
    assert short_steps == len(visits) - 1
