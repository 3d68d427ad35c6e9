"""A case's events read from the driver's rows (recorder.case_events, as the whole-table
scan reads them) are the events `stored_event` reads from the same rows, for every filter
`EventStore.load` takes, and a row that cannot be read is the same IntegrityError."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from store_helpers import drop_triggers, new_event, run_sql

from cpworkflow.errors import IntegrityError
from cpworkflow.records import StoredEvent
from cpworkflow.store import EventStore, recorder, scan
from cpworkflow.store import engine as engines
from cpworkflow.store.rows import stored_event

START = datetime(2025, 3, 1, 9, tzinfo=UTC)
Filters = tuple[int | None, date | None, str | None]


@pytest.fixture
def connection(store_url: str) -> Iterator[sa.Connection]:
    engine = engines.create(store_url)
    with recorder.reading(engine) as opened:
        yield opened
    engine.dispose()


@pytest.fixture
def clocked(store_url: str) -> Iterator[EventStore]:
    """A store whose clock moves a minute at each append: six events of C1 a day apart
    (one keyed, one with a data text outside ASCII), two of C2."""
    ticks = iter(range(100))
    store = EventStore(store_url, clock=lambda: START + timedelta(minutes=next(ticks)))
    store.init()
    for n in range(6):
        data = {"note": f"visit {n} é😀", "n": n}
        key = "k-3" if n == 3 else None
        store.append("C1", [new_event(occurred_on=date(2025, 3, 1 + n), data=data, key=key)])
    store.append("C2", [new_event("C2"), new_event("C2")])
    yield store
    store.dispose()


def _by_definition(connection: sa.Connection, case_id: str, f: Filters) -> list[StoredEvent]:
    """The same rows made into dicts and read by `stored_event`, the definition."""
    query = recorder.case_query(connection.dialect.name, case_id, *f)
    rows = [dict(zip(scan.NAMES, row, strict=True)) for row in scan.driver_rows(connection, query)]
    return [stored_event(row) for row in rows]


@pytest.mark.parametrize(
    "filters",
    [
        (None, None, None),
        (4, None, None),
        (0, None, None),
        (None, date(2025, 3, 3), None),
        (None, date(2025, 2, 1), None),
        (None, None, "2025-03-01T09:02:00.000000Z"),
        (5, date(2025, 3, 4), "2025-03-01T09:04:30.000000Z"),
    ],
)
def test_the_events_are_those_stored_event_reads_for_every_filter(
    clocked: EventStore, connection: sa.Connection, filters: Filters
) -> None:
    found = recorder.case_events(connection, "C1", *filters)
    assert found == _by_definition(connection, "C1", filters)
    assert [e.case_id for e in found] == ["C1"] * len(found)
    assert [e.seq for e in found] == list(range(1, len(found) + 1))


def test_the_filters_select_what_load_selects(
    clocked: EventStore, connection: sa.Connection
) -> None:
    on = date(2025, 3, 3)
    known = datetime(2025, 3, 1, 9, 2, tzinfo=UTC)
    assert [e.seq for e in recorder.case_events(connection, "C1", None, on, None)] == [1, 2, 3]
    at = "2025-03-01T09:02:00.000000Z"
    assert [e.seq for e in recorder.case_events(connection, "C1", None, None, at)] == [1, 2, 3]
    assert recorder.case_events(connection, "C1", None, on, None) == clocked.load(
        "C1", occurred_on_or_before=on
    )
    assert recorder.case_events(connection, "C1", None, None, at) == clocked.load(
        "C1", recorded_at_or_before=known
    )
    assert recorder.case_events(connection, "nobody", None, None, None) == []


@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE events SET data = 'not json' WHERE case_id = 'C1' AND seq = 2",
        "UPDATE events SET decision = '[1]' WHERE case_id = 'C1' AND seq = 2",
        "UPDATE events SET recorded_at = 'yesterday' WHERE case_id = 'C1' AND seq = 2",
    ],
)
def test_a_row_that_cannot_be_read_is_an_integrity_error_naming_case_and_seq(
    clocked: EventStore, store_url: str, edit: str
) -> None:
    drop_triggers(store_url)
    run_sql(store_url, edit)
    engine = engines.create(store_url)
    try:
        with recorder.reading(engine) as connection:
            with pytest.raises(IntegrityError) as raised:
                recorder.case_events(connection, "C1", None, None, None)
            assert (raised.value.case_id, raised.value.seq) == ("C1", 2)
            with pytest.raises(IntegrityError) as defined:
                _by_definition(connection, "C1", (None, None, None))
            assert str(raised.value) == str(defined.value)
            assert len(recorder.case_events(connection, "C1", 1, None, None)) == 1
    finally:
        engine.dispose()
