"""PostgreSQL only: the import's COPY (store/copying.py) against the executemany it
replaced, the definition. The same rows must be stored, byte for byte, in the events table
and in the read models, and a failure must come out as the same error."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import run_sql

from cpworkflow.errors import CpwError
from cpworkflow.service import CaseService
from cpworkflow.store import EventStore, copying, read_models, recorder
from cpworkflow.store import engine as engines
from cpworkflow.store.read_tables import case_summaries, open_obligations
from cpworkflow.store.tables import MAX_CASE_ID, MAX_KEY, MAX_NAME, events
from cpworkflow.workload.caseload import jsonl, simulate

# Any text the store can hold: no NUL (the store's inputs refuse control characters in
# names, and canonical JSON escapes them) and no lone surrogate (refused everywhere), but
# quotes, backslashes, tabs, newlines, non-ASCII and astral characters, which COPY's text
# format would have to escape.
_CHARACTERS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
_ALL = st.characters(blacklist_categories=("Cs",), min_codepoint=1)


def _text(limit: int) -> st.SearchStrategy[str]:
    return st.text(_CHARACTERS, min_size=1, max_size=limit)


def _event_row(seq: int) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "case_id": _text(MAX_CASE_ID),
            "seq": st.just(seq),
            "type": _text(MAX_NAME),
            "occurred_on": st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
            "recorded_at": st.just("2026-04-01T09:00:00.000000Z"),
            "schema_version": st.integers(1, 2**31 - 1),
            "policy": _text(MAX_NAME),
            "policy_version": _text(MAX_NAME),
            "key": st.none() | _text(MAX_KEY - 11).map(lambda k: f"{k}#{seq}"),  # one a case
            "prev_hash": st.text("0123456789abcdef", min_size=64, max_size=64),
            "actor": st.text(_ALL, max_size=300),
            "data": st.text(_ALL, max_size=3000),
            "decision": st.text(_ALL, max_size=300),
            "hash": st.text("0123456789abcdef", min_size=64, max_size=64),
        }
    )


_EVENT_ROWS = st.lists(st.integers(1, 2**31 - 1), min_size=1, max_size=40, unique=True).flatmap(
    lambda seqs: st.tuples(*(_event_row(s) for s in seqs)).map(list)
)


_SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def engine(pg_url: str) -> Iterator[sa.Engine]:
    store = EventStore(pg_url)
    store.init()
    store.dispose()
    made = engines.create(pg_url)
    yield made
    made.dispose()


def _stored(connection: sa.Connection, table: sa.Table, order: list[str]) -> list[Any]:
    """Every row as PostgreSQL prints it (its text form, every column but `position`,
    which a sequence hands out), then as the driver reads it."""
    names = [c.name for c in table.columns if c.name != "position" or table is not events]
    columns = ", ".join(f'"{n}"' for n in names)
    ordering = ", ".join(f'"{n}"' for n in order)
    sql = f"SELECT ROW({columns})::text, {columns} FROM {table.name} ORDER BY {ordering}"
    return [tuple(row) for row in connection.exec_driver_sql(sql)]


def _written(
    engine: sa.Engine, write: Callable[[sa.Connection], None], table: sa.Table, order: list[str]
) -> list[Any]:
    """What `write` stores, read back in its transaction, which is then rolled back."""
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            write(connection)
            return _stored(connection, table, order)
        finally:
            transaction.rollback()


@_SETTINGS
@given(rows=_EVENT_ROWS)
def test_the_copy_of_events_stores_what_the_executemany_stored(
    engine: sa.Engine, rows: list[dict[str, Any]]
) -> None:
    order = ["seq"]
    copied = _written(engine, lambda c: recorder.insert_rows(c, rows), events, order)
    defined = _written(engine, lambda c: recorder.executemany_rows(c, rows), events, order)
    assert copied == defined
    assert len(copied) == len(rows)


_SUMMARY = st.fixed_dictionaries(
    {
        "version": st.integers(1, 2**31 - 1),
        "position": st.integers(1, 2**63 - 1),
        "stage": st.none() | _text(MAX_NAME),
        "stage_since": st.none() | st.dates().map(date.isoformat),
        "policy": _text(MAX_NAME),
        "policy_version": _text(MAX_NAME),
        "worker": st.none() | _text(MAX_KEY),
        "team": st.none() | _text(MAX_KEY),
        "categories": st.text(_CHARACTERS, max_size=100),
        "plan_started_on": st.none() | st.dates().map(date.isoformat),
        "people": st.text(_CHARACTERS, max_size=300),
    }
)
_OBLIGATION = st.fixed_dictionaries(
    {
        "rule": _text(MAX_NAME),
        "due": st.dates().map(date.isoformat),
        "owner_role": _text(MAX_NAME),
        "owner_id": st.none() | _text(MAX_KEY),
        "opened_seq": st.integers(1, 2**31 - 1),
        "opened_on": st.dates().map(date.isoformat),
    }
)
_CASES = st.lists(_text(MAX_CASE_ID), min_size=1, max_size=20, unique=True)


@_SETTINGS
@given(data=st.data(), cases=_CASES)
def test_the_copy_of_read_models_stores_what_the_executemany_stored(
    engine: sa.Engine, data: st.DataObject, cases: list[str]
) -> None:
    summaries = [{**data.draw(_SUMMARY), "case_id": cid} for cid in cases]
    obligations = [
        {**data.draw(_OBLIGATION), "case_id": cid, "obligation_id": oid}
        for cid in cases
        for oid in data.draw(st.lists(_text(MAX_KEY), max_size=4, unique=True))
    ]
    for table, rows, order in (
        (case_summaries, summaries, ["case_id"]),
        (open_obligations, obligations, ["case_id", "obligation_id"]),
    ):
        if not rows:
            continue
        copied = _written(engine, lambda c: read_models.insert(c, table, rows), table, order)  # noqa: B023
        defined = _written(engine, lambda c: read_models.executemany(c, table, rows), table, order)  # noqa: B023
        assert copied == defined
        assert len(copied) == len(rows)


def _row(seq: int) -> dict[str, Any]:
    return {
        "case_id": "C1",
        "seq": seq,
        "type": "ChildVisited",
        "occurred_on": date(2026, 1, 5),
        "recorded_at": "2026-04-01T09:00:00.000000Z",
        "schema_version": 1,
        "policy": "default",
        "policy_version": "2025.1",
        "key": None,
        "prev_hash": "0" * 64,
        "actor": "{}",
        "data": "{}",
        "decision": "{}",
        "hash": "1" * 64,
    }


def _failure(engine: sa.Engine, insert: Callable[[sa.Connection, list[Any]], None]) -> CpwError:
    with pytest.raises(CpwError) as failed, engines.translated(), engine.begin() as connection:
        insert(connection, [_row(1), _row(2), _row(1)])
    return failed.value


def test_a_copy_that_breaks_a_constraint_fails_as_the_executemany_failed(
    engine: sa.Engine,
) -> None:
    copied = _failure(engine, recorder.insert_rows)
    defined = _failure(engine, recorder.executemany_rows)
    assert (type(copied), str(copied)) == (type(defined), str(defined))
    assert "events_case_seq_key" in str(copied)
    with engine.connect() as connection:
        assert recorder.count(connection) == 0


def test_a_copy_error_is_the_dbapi_error_sqlalchemy_raises(engine: sa.Engine) -> None:
    with pytest.raises(sa.exc.IntegrityError) as failed, engine.begin() as connection:
        recorder.insert_rows(connection, [_row(1), _row(1)])
    assert engines.is_seq_taken(failed.value)
    assert "C1" not in str(failed.value).split("\n")[0]  # the rows are not in the message


def test_every_column_type_of_the_copied_tables_has_a_binary_type() -> None:
    names = {c.name: copying.pg_type(c) for c in events.columns if c.name != "position"}
    assert names["seq"] == "int4"
    assert names["occurred_on"] == "date"
    assert names["data"] == "text"
    assert copying.pg_type(case_summaries.c.position) == "int8"
    assert all(copying.pg_type(c) for t in (case_summaries, open_obligations) for c in t.columns)


def test_the_writer_role_imports_with_copy(pg_url: str) -> None:
    """COPY FROM needs INSERT alone, which the writer role has (`cpw init --roles`)."""
    suffix = uuid.uuid4().hex[:8]
    writer, reader = f"cpw_writer_{suffix}", f"cpw_reader_{suffix}"
    owner = EventStore(pg_url)
    owner.init()
    owner.create_roles(writer, reader)
    owner.dispose()
    lines = list(jsonl(simulate(3, seed=2)))
    try:
        store = EventStore(sa.make_url(pg_url).set(username=writer).render_as_string(False))
        service = CaseService(store, today=lambda: date(2026, 4, 1))
        assert service.import_lines(lines).events == len(lines)
        assert (store.count(), store.verify()) == (len(lines), [])
        assert len(list(store.read_models.views())) == 3
        store.dispose()
    finally:
        for role in (writer, reader):
            run_sql(pg_url, f'DROP OWNED BY "{role}"', f'DROP ROLE IF EXISTS "{role}"')
