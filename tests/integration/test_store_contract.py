"""The store's contract, run unchanged on SQLite and PostgreSQL (see tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from store_helpers import new_event

from cpworkflow.errors import BadInputError, ConflictError, KeyReusedError
from cpworkflow.store import EventStore, StoreUnavailableError, recorder
from cpworkflow.store.appending import HeadMoved
from cpworkflow.store.canonical import GENESIS


class SteppingClock:
    """Each call is one second after the last, starting at 2025-03-04 17:00 UTC."""

    def __init__(self) -> None:
        self.now = datetime(2025, 3, 4, 17, 0, 0, 123456, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def clocked(store_url: str) -> Iterator[tuple[EventStore, SteppingClock]]:
    clock = SteppingClock()
    store = EventStore(store_url, clock=clock)
    store.init()
    yield store, clock
    store.dispose()


def test_appended_events_load_back_exactly_as_returned(store: EventStore) -> None:
    sent = [new_event(data={"n": 1, "text": "é\u0000😀"}, key="k1"), new_event(data={"n": 2})]
    result = store.append("C1", sent, expected_version=0)
    loaded = store.load("C1")
    assert loaded == list(result.events)
    assert not result.duplicate
    for new, stored in zip(sent, loaded, strict=True):
        assert (stored.type, stored.occurred_on, stored.actor, stored.data) == (
            new.type,
            new.occurred_on,
            new.actor,
            new.data,
        )
        assert (stored.schema_version, stored.policy, stored.policy_version) == (
            1,
            "default",
            "2025.1",
        )
        assert (stored.decision, stored.key) == (new.decision, new.key)


def test_seq_runs_contiguously_from_1_across_appends(store: EventStore) -> None:
    store.append("C1", [new_event(), new_event()])
    store.append("C1", [new_event()], expected_version=2)
    store.append("C2", [new_event("C2")])
    assert [e.seq for e in store.load("C1")] == [1, 2, 3]
    assert [e.seq for e in store.load("C2")] == [1]


def test_version_is_0_for_an_unknown_case_and_the_last_seq_after_appends(store: EventStore) -> None:
    assert (store.version("C1"), store.exists("C1")) == (0, False)
    store.append("C1", [new_event(), new_event()])
    assert (store.version("C1"), store.exists("C1")) == (2, True)


def test_a_stale_expected_version_is_a_conflict_and_writes_nothing(store: EventStore) -> None:
    store.append("C1", [new_event(), new_event()])
    with pytest.raises(ConflictError) as raised:
        store.append("C1", [new_event(), new_event()], expected_version=1)
    assert (raised.value.case_id, raised.value.expected, raised.value.actual) == ("C1", 1, 2)
    assert store.count() == 2


def test_an_expected_version_ahead_of_the_case_is_a_conflict(store: EventStore) -> None:
    with pytest.raises(ConflictError):
        store.append("C1", [new_event()], expected_version=3)
    assert store.count() == 0


def test_no_expected_version_appends_after_whatever_is_there(store: EventStore) -> None:
    store.append("C1", [new_event()])
    assert store.append("C1", [new_event()]).events[0].seq == 2


def test_a_writer_that_slipped_past_the_version_check_still_gets_a_conflict(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unique (case_id, seq) is the real guard: simulate a racing writer by making the
    version check read a stale version once."""
    store.append("C1", [new_event(), new_event()])
    real_head = recorder.head
    stale = iter([(0, None)])
    monkeypatch.setattr(recorder, "head", lambda c, i: next(stale, None) or real_head(c, i))
    with pytest.raises(ConflictError) as raised:
        store.append("C1", [new_event()], expected_version=0)
    assert (raised.value.expected, raised.value.actual) == (0, 2)
    assert store.count() == 2


def test_an_append_after_the_last_hash_lands_and_one_after_an_older_hash_writes_nothing(
    store: EventStore,
) -> None:
    """`after_hash`: a writer that kept the case's log appends only after the event it
    last saw; another writer's append in between is a conflict (HeadMoved), with nothing
    written and the case's version in it, as is an expected version that is not the one
    the hash ends."""
    first = store.append("C1", [new_event(), new_event()]).events[-1]
    kept = store.append("C1", [new_event()], after_hash=first.hash).events[-1]
    assert (kept.seq, kept.prev_hash) == (3, first.hash)
    store.append("C1", [new_event()])  # another writer, behind the first one's back
    for expected in (None, 3):
        with pytest.raises(HeadMoved) as moved:
            store.append("C1", [new_event()], expected, after_hash=kept.hash)
        assert isinstance(moved.value, ConflictError)
        assert moved.value.actual == 4
    with pytest.raises(HeadMoved):
        store.append("C1", [new_event()], 2, after_hash=store.last_hash("C1"))
    with pytest.raises(HeadMoved):
        store.append("C2", [new_event("C2")], after_hash=first.hash)  # no such event
    assert store.version("C1") == 4
    assert store.version("C2") == 0


def test_a_repeated_key_returns_the_original_and_writes_nothing(store: EventStore) -> None:
    original = store.append("C1", [new_event(key="visit-1", data={"first": True})])
    store.append("C1", [new_event()])
    again = store.append("C1", [new_event(key="visit-1", data={"first": True})], 0)
    assert again.duplicate
    assert again.events == original.events
    assert store.count() == 2


def test_a_key_repeated_with_different_content_is_a_conflict_naming_its_seq(
    store: EventStore,
) -> None:
    store.append("C1", [new_event()])
    store.append("C1", [new_event(key="visit-1", data={"first": True})])
    with pytest.raises(KeyReusedError) as raised:
        store.append("C1", [new_event(key="visit-1", data={"first": False})])
    assert (raised.value.key, raised.value.expected) == ("visit-1", 2)
    assert "key 'visit-1' is already recorded as seq 2 with a different data" in str(raised.value)
    assert store.count() == 2


def test_a_key_is_unique_per_case_not_across_cases(store: EventStore) -> None:
    store.append("C1", [new_event(key="k")])
    assert not store.append("C2", [new_event("C2", key="k")]).duplicate


def test_a_stored_key_later_in_a_batch_is_bad_input_and_writes_nothing(store: EventStore) -> None:
    store.append("C1", [new_event(key="k1")])
    with pytest.raises(BadInputError) as raised:
        store.append("C1", [new_event(key="k2"), new_event(key="k1")])
    assert raised.value.field == "events[1].key"
    assert store.count() == 1


def test_a_bad_event_in_the_middle_of_a_batch_writes_nothing(store: EventStore) -> None:
    batch = [new_event(), new_event(data={"score": 1.5}), new_event()]
    with pytest.raises(BadInputError) as raised:
        store.append("C1", batch)
    assert raised.value.field == "events[1].data.score"
    assert store.count() == 0


def test_append_batches_writes_every_case_in_one_transaction(store: EventStore) -> None:
    store.append("C2", [new_event("C2")])
    results = store.append_batches(
        [("C1", [new_event(), new_event()], 0), ("C2", [new_event("C2")], 1)]
    )
    assert [[e.seq for e in r.events] for r in results] == [[1, 2], [2]]
    positions = [e.position for r in results for e in r.events]
    assert positions == sorted(set(positions))
    assert len({e.recorded_at for r in results for e in r.events}) == 1


def test_append_batches_writes_nothing_when_one_batch_conflicts(store: EventStore) -> None:
    store.append("C2", [new_event("C2")])
    with pytest.raises(ConflictError):
        store.append_batches([("C1", [new_event()], 0), ("C2", [new_event("C2")], 0)])
    assert store.count() == 1
    assert not store.exists("C1")


def test_append_batches_writes_nothing_when_one_batch_is_bad(store: EventStore) -> None:
    with pytest.raises(BadInputError) as raised:
        store.append_batches([("C1", [new_event()], 0), ("C2", [new_event("C1")], 0)])
    assert raised.value.field == "batches[1].events[0].case_id"
    assert store.count() == 0


def test_load_to_seq_returns_that_prefix(store: EventStore) -> None:
    store.append("C1", [new_event(data={"n": n}) for n in range(5)])
    assert [e.data["n"] for e in store.load("C1", to_seq=3)] == [0, 1, 2]
    assert store.load("C1", to_seq=0) == []


def test_load_occurred_on_or_before_keeps_events_that_happened_by_then(store: EventStore) -> None:
    days = [date(2025, 3, 1), date(2025, 3, 5), date(2025, 3, 3)]
    store.append("C1", [new_event(occurred_on=d) for d in days])
    loaded = store.load("C1", occurred_on_or_before=date(2025, 3, 3))
    assert [e.seq for e in loaded] == [1, 3]


def test_load_recorded_at_or_before_shows_what_the_store_knew_then(
    clocked: tuple[EventStore, SteppingClock],
) -> None:
    store, clock = clocked
    first = store.append("C1", [new_event(), new_event()]).events
    known_then = clock.now
    store.append("C1", [new_event()])
    assert store.load("C1", recorded_at_or_before=known_then) == list(first)
    assert first[0].recorded_at == first[1].recorded_at == known_then
    earlier = known_then - timedelta(microseconds=1)
    assert store.load("C1", recorded_at_or_before=earlier) == []


def test_load_filters_combine(clocked: tuple[EventStore, SteppingClock]) -> None:
    store, clock = clocked
    store.append("C1", [new_event(occurred_on=date(2025, 3, 1))])
    store.append("C1", [new_event(occurred_on=date(2025, 3, 9))])
    known_then = clock.now
    store.append("C1", [new_event(occurred_on=date(2025, 3, 2))])
    loaded = store.load(
        "C1", to_seq=3, occurred_on_or_before=date(2025, 3, 5), recorded_at_or_before=known_then
    )
    assert [e.seq for e in loaded] == [1]


def test_recorded_at_is_kept_in_utc_to_the_microsecond(store_url: str) -> None:
    local = datetime(2025, 3, 4, 18, 30, 1, 7, tzinfo=timezone(timedelta(hours=1, minutes=30)))
    store = EventStore(store_url, clock=lambda: local)
    store.init()
    stored = store.append("C1", [new_event()]).events[0]
    assert store.load("C1")[0].recorded_at == stored.recorded_at == local
    assert stored.recorded_at.tzinfo == UTC
    store.dispose()


def test_read_all_returns_every_event_in_position_order_after_a_position(store: EventStore) -> None:
    store.append("C1", [new_event(), new_event()])
    store.append("C2", [new_event("C2")])
    store.append("C1", [new_event()])
    every = list(store.read_all(batch_size=2))
    assert [(e.case_id, e.seq) for e in every] == [("C1", 1), ("C1", 2), ("C2", 1), ("C1", 3)]
    assert [e.position for e in every] == sorted({e.position for e in every})
    later = list(store.read_all(from_position=every[1].position, batch_size=1))
    assert later == every[2:]


def test_case_ids_are_sorted_and_count_counts_every_event(store: EventStore) -> None:
    for case_id in ("C2", "C10", "C1"):
        store.append(case_id, [new_event(case_id), new_event(case_id)])
    assert store.case_ids() == ["C1", "C10", "C2"]
    assert store.count() == 6


def test_each_event_links_to_the_hash_of_the_one_before(store: EventStore) -> None:
    assert store.last_hash("C1") is None
    store.append("C1", [new_event(), new_event()])
    store.append("C1", [new_event()])
    events = store.load("C1")
    assert [e.prev_hash for e in events] == [GENESIS, events[0].hash, events[1].hash]
    assert store.last_hash("C1") == events[-1].hash
    assert len({e.hash for e in events}) == 3


def test_verify_is_clean_after_appends(store: EventStore) -> None:
    store.append("C1", [new_event(key="a"), new_event()])
    store.append_batches([("C1", [new_event()], 2), ("C2", [new_event("C2")], None)])
    assert store.verify() == []
    assert store.verify("C1") == []
    assert store.verify("unknown") == []


def test_init_is_idempotent_and_keeps_what_is_stored(store_url: str) -> None:
    first = EventStore(store_url)
    first.init()
    first.append("C1", [new_event()])
    first.dispose()
    again = EventStore(store_url)
    again.init()
    assert again.count() == 1
    again.dispose()


def test_init_creates_the_folders_of_a_sqlite_file(tmp_path: Path) -> None:
    store = EventStore(f"sqlite:///{tmp_path / 'a' / 'b' / 'events.db'}")
    store.init()
    assert (tmp_path / "a" / "b" / "events.db").exists()
    store.dispose()


def test_a_sqlite_store_runs_in_wal_mode_with_full_sync(tmp_path: Path) -> None:
    store = EventStore(f"sqlite:///{tmp_path / 'events.db'}")
    store.init()
    connection = store._engine.raw_connection()  # the pragmas are per connection
    try:
        pragmas = [
            connection.execute(f"PRAGMA {p}").fetchone()[0]
            for p in ("journal_mode", "synchronous", "busy_timeout")
        ]
    finally:
        connection.close()
    assert pragmas[0] == "wal"
    assert pragmas[1] == 2  # FULL
    assert pragmas[2] > 0
    store.dispose()


def test_an_unreachable_database_is_a_store_error_not_a_driver_error(tmp_path: Path) -> None:
    missing = EventStore(f"sqlite:///{tmp_path / 'no' / 'such' / 'folder.db'}")
    with pytest.raises(StoreUnavailableError):
        missing.version("C1")
    refused = EventStore("postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=2")
    with pytest.raises(StoreUnavailableError):
        refused.count()
