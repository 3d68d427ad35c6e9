"""Properties, on both engines: whatever is appended loads back exactly, and every as-of
load is the matching filter of the whole log."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import new_event

from cpworkflow.records import NewEvent
from cpworkflow.store import EventStore
from cpworkflow.store.canonical import MAX_SAFE_INTEGER

SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # one store, a case per example
)
# Every code point but lone surrogates: astral, control characters, NUL, U+2028...
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
DAYS = st.dates()  # year 1 to 9999


@st.composite
def logs(draw: st.DrawFn) -> list[list[dict[str, Any]]]:
    """A case's log as batches of event fields (keys unique, as a client would send)."""
    count = draw(st.integers(1, 12))
    events = [
        {
            "occurred_on": draw(DAYS),
            "data": draw(st.dictionaries(TEXT, JSON, max_size=4)),
            "actor": {"id": draw(TEXT), "role": "social_worker"},
            "key": draw(st.none() | st.just(f"key-{n}")),
            "type": draw(st.sampled_from(["CaseOpened", "ChildVisited", "EntryRetracted"])),
            "schema_version": draw(st.integers(1, 3)),
        }
        for n in range(count)
    ]
    cuts = sorted(draw(st.sets(st.integers(1, count - 1), max_size=count - 1))) if count > 1 else []
    bounds = [0, *cuts, count]
    return [events[a:b] for a, b in pairwise(bounds)]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(microseconds=7)
        return self.now


@pytest.fixture
def clocked_store(store_url: str) -> Iterator[EventStore]:
    """One store for all the examples of a test; each example uses a case of its own."""
    store = EventStore(store_url, clock=Clock())
    store.init()
    yield store
    store.dispose()


@SETTINGS
@given(
    moment=st.datetimes(datetime(1900, 1, 1), datetime(2200, 1, 1)),
    offset=st.integers(-23 * 60, 23 * 60),
)
def test_any_aware_recorded_at_round_trips_in_utc_to_the_microsecond(
    store_url: str, moment: datetime, offset: int
) -> None:
    recorded_at = moment.replace(tzinfo=timezone(timedelta(minutes=offset)))
    store = EventStore(store_url, clock=lambda: recorded_at)
    store.init()
    case_id = f"T{uuid.uuid4().hex[:12]}"
    store.append(case_id, [new_event(case_id)])
    (stored,) = store.load(case_id, recorded_at_or_before=recorded_at)
    assert stored.recorded_at == recorded_at
    assert stored.recorded_at.tzinfo == UTC
    assert store.load(case_id, recorded_at_or_before=recorded_at - timedelta(microseconds=1)) == []
    store.dispose()


def _append(store: EventStore, batches: list[list[dict[str, Any]]]) -> tuple[str, list[NewEvent]]:
    case_id = f"P{uuid.uuid4().hex[:12]}"
    sent: list[NewEvent] = []
    for batch in batches:
        events = [new_event(case_id, **fields) for fields in batch]
        store.append(case_id, events, expected_version=len(sent))
        sent.extend(events)
    return case_id, sent


@SETTINGS
@given(batches=logs())
def test_any_events_appended_load_back_exactly(clocked_store: EventStore, batches: Any) -> None:
    store = clocked_store
    case_id, sent = _append(store, batches)
    loaded = store.load(case_id)
    assert [e.seq for e in loaded] == list(range(1, len(sent) + 1))
    for new, stored in zip(sent, loaded, strict=True):
        assert stored.occurred_on == new.occurred_on
        assert stored.data == new.data
        assert stored.actor == new.actor
        assert (stored.type, stored.key, stored.schema_version) == (
            new.type,
            new.key,
            new.schema_version,
        )
        assert stored.decision == new.decision
    assert store.verify(case_id) == []


@SETTINGS
@given(batches=logs(), to_seq=st.integers(0, 14), on=DAYS, back=st.integers(0, 100))
def test_every_as_of_load_is_the_matching_filter_of_the_whole_log(
    clocked_store: EventStore, batches: Any, to_seq: int, on: date, back: int
) -> None:
    store = clocked_store
    case_id, _ = _append(store, batches)
    whole = store.load(case_id)
    known_at = whole[-1].recorded_at - timedelta(microseconds=back)
    assert store.load(case_id, to_seq=to_seq) == whole[:to_seq]
    assert store.load(case_id, occurred_on_or_before=on) == [
        e for e in whole if e.occurred_on <= on
    ]
    assert store.load(case_id, recorded_at_or_before=known_at) == [
        e for e in whole if e.recorded_at <= known_at
    ]
    assert store.load(case_id, to_seq=to_seq, occurred_on_or_before=on) == [
        e for e in whole[:to_seq] if e.occurred_on <= on
    ]
