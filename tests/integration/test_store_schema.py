"""eventstore/schema.sql is generated, current, and builds a working store; the canonical
encoding is RFC 8785 as eventstore/README.md specifies it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from store_helpers import new_event, run_sql

from cpworkflow.errors import GuardsOffError
from cpworkflow.store import EventStore
from cpworkflow.store.canonical import HASHED_FIELDS, chain_hash, encode
from cpworkflow.store.schema_sql import generate

SCHEMA_SQL = Path(__file__).parents[2] / "eventstore" / "schema.sql"


def test_the_committed_schema_sql_is_what_the_generator_prints() -> None:
    assert SCHEMA_SQL.read_text(encoding="utf-8") == generate(), (
        "eventstore/schema.sql is stale: run `make schema`"
    )


def _section(dialect: str) -> list[str]:
    text = SCHEMA_SQL.read_text(encoding="utf-8")
    sqlite, postgresql = text.split("-- PostgreSQL ")
    section = sqlite if dialect == "sqlite" else postgresql
    lines = [line for line in section.splitlines() if not line.startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";\n\n") if s.strip()]


def test_the_schema_sql_builds_a_store_that_init_accepts_as_is(store_url: str) -> None:
    dialect = "sqlite" if store_url.startswith("sqlite") else "postgresql"
    Path(unquote(store_url.removeprefix("sqlite:///"))).parent.mkdir(parents=True, exist_ok=True)
    run_sql(store_url, *(s.removesuffix(";") for s in _section(dialect)))
    store = EventStore(store_url)
    store.init()
    store.append("C1", [new_event(), new_event()])
    assert store.verify() == []
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        run_sql(store_url, "DELETE FROM events")
    store.dispose()


def test_the_hash_is_sha256_of_the_canonical_json_of_the_thirteen_fields() -> None:
    document = {
        "case_id": "C1",
        "seq": 1,
        "type": "ChildVisited",
        "occurred_on": "2025-03-04",
        "recorded_at": "2025-03-04T17:00:00.000001Z",
        "actor": {"role": "social_worker", "id": "sw1"},
        "data": {"seen": True, "note": "é\n😀", "n": -(2**53) + 1},
        "decision": {},
        "schema_version": 1,
        "policy": "default",
        "policy_version": "2025.1",
        "key": None,
        "prev_hash": "0" * 64,
    }
    assert tuple(sorted(document)) == HASHED_FIELDS
    scalars = {k: v for k, v in document.items() if not isinstance(v, dict)}
    encoded = {k: encode(v) for k, v in document.items() if isinstance(v, dict)}
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert chain_hash(scalars, encoded) == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_canonical_json_escapes_only_quote_backslash_and_control_characters() -> None:
    value = {"b": '"\\\u0000\u001f\b\t\n\f\r\u007f\u2028é😀', "a": [True, None, -1]}
    expected = '{"a":[true,null,-1],"b":"\\"\\\\\\u0000\\u001f\\b\\t\\n\\f\\r\u007f\u2028é😀"}'
    assert encode(value) == expected


def test_canonical_json_orders_members_by_utf16_code_units() -> None:
    # U+1F600 is D83D DE00 in UTF-16, so it sorts before U+E000 (unlike code point order).
    assert encode({"\ue000": 1, "😀": 2, "a": 3}) == '{"a":3,"😀":2,"\ue000":1}'


# -- `schema_current`: whether `init` would change anything (the writer commands' fast path)


def _catalogue(url: str) -> set[tuple[str, ...]]:
    """Every schema object by kind and name (SQLite: and its SQL), and the read models'
    state rows."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                listed = connection.exec_driver_sql("SELECT type, name, sql FROM sqlite_master")
            else:
                listed = connection.exec_driver_sql(
                    "SELECT relkind::text, relname, '' FROM pg_class"
                    " WHERE pg_table_is_visible(oid) AND relnamespace <> 'pg_catalog'::regnamespace"
                    " UNION ALL SELECT 'trigger', tgname, tgenabled::text FROM pg_trigger"
                    " WHERE tgrelid = to_regclass('events') AND NOT tgisinternal"
                )
            objects = {(str(t), str(n), str(s)) for t, n, s in listed}
            rows = connection.exec_driver_sql("SELECT name, value FROM read_model_state")
            return objects | {("row", str(n), str(v)) for n, v in rows}
    finally:
        engine.dispose()


def test_a_store_that_init_made_is_current_and_init_then_changes_nothing(store_url: str) -> None:
    store = EventStore(store_url)
    try:
        store.init()
        assert store.read_models.schema_current()
        store.append("C1", [new_event()])
        run_sql(store_url, "DELETE FROM read_model_state")  # init marks no store with events
        assert store.read_models.schema_current()
        before = _catalogue(store_url)
        store.init()
        assert _catalogue(store_url) == before
    finally:
        store.dispose()


# What an earlier version (or someone at a SQL prompt) may have left, on each engine.
EARLIER_STORES = {
    "an index the read models gained later": ("DROP INDEX open_obligations_due_order_idx",) * 2,
    "the index it replaced, still there": (
        "CREATE INDEX open_obligations_due_idx ON open_obligations (due)",
    )
    * 2,
    "a read-model table it gained later": ("DROP TABLE read_model_state",) * 2,
    "an empty store not yet marked built": ("DELETE FROM read_model_state",) * 2,
    "an append-only trigger, on a store with no events": (
        "DROP TRIGGER events_refuse_update",
        "DROP TRIGGER events_refuse_truncate ON events",
    ),
}


@pytest.mark.parametrize("change", EARLIER_STORES.values(), ids=EARLIER_STORES.keys())
def test_a_store_init_would_change_is_not_current_until_init_has_run(
    store_url: str, change: tuple[str, str]
) -> None:
    store = EventStore(store_url)
    try:
        store.init()
        made = _catalogue(store_url)
        run_sql(store_url, change[0 if store_url.startswith("sqlite") else 1])
        assert not store.read_models.schema_current()
        store.init()
        assert store.read_models.schema_current()
        assert {row[:2] for row in _catalogue(store_url)} == {row[:2] for row in made}
    finally:
        store.dispose()


def test_a_disabled_trigger_is_not_current_and_init_says_so(pg_url: str) -> None:
    store = EventStore(pg_url)
    try:
        store.init()
        run_sql(pg_url, "ALTER TABLE events DISABLE TRIGGER events_refuse_update_delete")
        assert not store.read_models.schema_current()
        with pytest.raises(GuardsOffError, match="events_refuse_update_delete is disabled"):
            store.init()
    finally:
        store.dispose()


def test_a_missing_sqlite_file_is_not_current_and_is_not_created(tmp_path: Path) -> None:
    store = EventStore(f"sqlite:///{tmp_path / 'none' / 'events.db'}")
    try:
        assert not store.read_models.schema_current()
        assert not (tmp_path / "none").exists()
    finally:
        store.dispose()
