"""Anything malformed reaching the store is a BadInputError naming the field, and nothing
is written: each bad event sits in the middle of a batch of three."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from store_helpers import new_event

from cpworkflow.errors import BadInputError
from cpworkflow.store import EventStore
from cpworkflow.store.inputs import MAX_JSON_BYTES

BAD_EVENTS: dict[str, tuple[dict[str, Any], str]] = {
    "another case's event": ({"case_id": "C2"}, "events[1].case_id"),
    "a blank type": ({"type": " "}, "events[1].type"),
    "a type that is no event name": ({"type": "drop table"}, "events[1].type"),
    "a type the vocabulary does not know": ({"type": "CaseTeleported"}, "events[1].type"),
    "a type that is not a string": ({"type": 7}, "events[1].type"),
    "data that is a list": ({"data": [1, 2]}, "events[1].data"),
    "an actor that is a string": ({"actor": "sw1"}, "events[1].actor"),
    "a decision that is None": ({"decision": None}, "events[1].decision"),
    "a float deep in the data": ({"data": {"a": [{"b": 0.5}]}}, "events[1].data.a[0].b"),
    "an integer beyond 2**53": ({"data": {"n": 2**53 + 1}}, "events[1].data.n"),
    "a negative integer beyond 2**53": ({"data": {"n": -(2**53) - 1}}, "events[1].data.n"),
    "an object key that is not a string": ({"data": {1: "one"}}, "events[1].data"),
    "a tuple, which would not round-trip": ({"data": {"t": (1, 2)}}, "events[1].data.t"),
    "a lone surrogate": ({"data": {"s": "\ud800"}}, "events[1].data.s"),
    "data over the size limit": ({"data": {"s": "x" * MAX_JSON_BYTES}}, "events[1].data"),
    "occurred_on as a string": ({"occurred_on": "2025-03-04"}, "events[1].occurred_on"),
    "occurred_on as a datetime": ({"occurred_on": datetime(2025, 3, 4)}, "events[1].occurred_on"),
    "schema_version 0": ({"schema_version": 0}, "events[1].schema_version"),
    "a blank policy": ({"policy": ""}, "events[1].policy"),
    "a key with a control character": ({"key": "k\x00"}, "events[1].key"),
    "a key that is not a string": ({"key": 5}, "events[1].key"),
}


@pytest.mark.parametrize(("change", "field"), BAD_EVENTS.values(), ids=BAD_EVENTS.keys())
def test_a_bad_event_is_refused_naming_the_field_and_nothing_is_written(
    store: EventStore, change: dict[str, Any], field: str
) -> None:
    store.append("C1", [new_event()])
    batch = [new_event(), new_event(**change), new_event()]
    with pytest.raises(BadInputError) as raised:
        store.append("C1", batch)
    assert raised.value.field == field
    assert store.count() == 1
    assert store.verify() == []


BAD_CASE_IDS: dict[str, object] = {
    "empty": "",
    "not a string": 1001,
    "over 64 characters": "C" * 65,
    "with a newline": "C1\n",
    "with a NUL": "C\x001",
}


@pytest.mark.parametrize("case_id", BAD_CASE_IDS.values(), ids=BAD_CASE_IDS.keys())
def test_a_bad_case_id_is_refused_by_every_method(store: EventStore, case_id: Any) -> None:
    calls = [
        lambda: store.append(case_id, [new_event(case_id)]),
        lambda: store.append_batches([(case_id, [new_event(case_id)], None)]),
        lambda: store.version(case_id),
        lambda: store.exists(case_id),
        lambda: store.load(case_id),
        lambda: store.last_hash(case_id),
        lambda: store.verify(case_id),
    ]
    for call in calls:
        with pytest.raises(BadInputError) as raised:
            call()
        assert raised.value.field is not None
        assert "case_id" in raised.value.field
    assert store.count() == 0


def test_a_negative_expected_version_is_bad_input(store: EventStore) -> None:
    with pytest.raises(BadInputError) as raised:
        store.append("C1", [new_event()], expected_version=-1)
    assert raised.value.field == "expected_version"


def test_an_empty_batch_is_bad_input(store: EventStore) -> None:
    with pytest.raises(BadInputError) as raised:
        store.append("C1", [])
    assert raised.value.field == "events"


def test_a_key_repeated_within_a_batch_is_bad_input(store: EventStore) -> None:
    with pytest.raises(BadInputError) as raised:
        store.append("C1", [new_event(key="k"), new_event(key="k")])
    assert raised.value.field == "events[1].key"
    assert store.count() == 0


def test_a_malformed_multi_case_batch_is_bad_input(store: EventStore) -> None:
    with pytest.raises(BadInputError) as raised:
        store.append_batches([("C1", [new_event()])])  # type: ignore[list-item]
    assert raised.value.field == "batches[0]"


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"to_seq": -1}, "to_seq"),
        ({"occurred_on_or_before": "2025-03-04"}, "occurred_on_or_before"),
        ({"recorded_at_or_before": datetime(2025, 3, 4)}, "recorded_at_or_before"),
    ],
    ids=["negative to_seq", "occurred_on as text", "a naive recorded_at"],
)
def test_bad_load_filters_are_bad_input(
    store: EventStore, arguments: dict[str, Any], field: str
) -> None:
    with pytest.raises(BadInputError) as raised:
        store.load("C1", **arguments)
    assert raised.value.field == field


def test_a_negative_read_all_position_is_bad_input(store: EventStore) -> None:
    with pytest.raises(BadInputError) as raised:
        list(store.read_all(-1))
    assert raised.value.field == "from_position"


def test_a_clock_without_a_timezone_is_refused_before_anything_is_written(store_url: str) -> None:
    store = EventStore(store_url, clock=lambda: datetime(2025, 3, 4))
    store.init()
    with pytest.raises(BadInputError) as raised:
        store.append("C1", [new_event()])
    assert raised.value.field == "recorded_at"
    assert store.count() == 0
    store.dispose()


@pytest.mark.parametrize("url", ["not a url", "mysql://localhost/db", "postgresql+psycopg2://h/db"])
def test_an_unsupported_url_is_bad_input(url: str) -> None:
    with pytest.raises(BadInputError) as raised:
        EventStore(url)
    assert raised.value.field == "url"


def test_dates_far_in_the_past_and_future_are_kept(store: EventStore) -> None:
    days = [date(1, 1, 1), date(9999, 12, 31)]
    store.append("C1", [new_event(occurred_on=d) for d in days])
    assert [e.occurred_on for e in store.load("C1")] == days
