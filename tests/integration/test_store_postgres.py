"""PostgreSQL only: the writer role documented in eventstore/README.md."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from store_helpers import new_event, run_sql

from cpworkflow.store import EventStore

README = Path(__file__).parents[2] / "eventstore" / "README.md"


def _readme_grants(role: str, schema: str) -> list[str]:
    blocks = re.findall(r"```sql\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    (block,) = [b for b in blocks if "CREATE ROLE cpw_writer" in b]
    sql = re.sub(r"--[^\n]*", "", block)
    sql = sql.replace("SCHEMA public", f'SCHEMA "{schema}"').replace("cpw_writer", f'"{role}"')
    return [s.strip() for s in sql.split(";") if s.strip()]


@pytest.fixture
def writer_url(pg_url: str) -> Iterator[str]:
    """The store made by its owner, and a URL for a role created from the README's grants."""
    owner = EventStore(pg_url)
    owner.init()
    owner.append("C1", [new_event()])
    owner.dispose()
    role = f"cpw_writer_{uuid.uuid4().hex[:10]}"
    schema = sa.make_url(pg_url).query["options"].split("=", 1)[1]
    run_sql(pg_url, *_readme_grants(role, str(schema)))
    try:
        yield sa.make_url(pg_url).set(username=role).render_as_string(hide_password=False)
    finally:
        run_sql(pg_url, f'DROP OWNED BY "{role}"', f'DROP ROLE "{role}"')


def test_the_writer_role_can_init_append_read_and_verify(writer_url: str) -> None:
    store = EventStore(writer_url)
    store.init()
    store.append("C1", [new_event(key="k")], expected_version=1)
    assert store.append("C1", [new_event(key="k")]).duplicate
    store.append_batches([("C2", [new_event("C2")], 0)])
    assert [e.seq for e in store.load("C1")] == [1, 2]
    assert len(list(store.read_all())) == 3
    assert store.verify() == []
    store.dispose()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET seq = seq",
        "DELETE FROM events",
        "TRUNCATE events",
        "DROP TRIGGER events_refuse_update_delete ON events",
        "DROP TABLE events",
        "LOCK TABLE events IN EXCLUSIVE MODE",  # hence events_lock_for_append()
    ],
)
def test_the_writer_role_cannot_change_or_remove_anything(writer_url: str, statement: str) -> None:
    with pytest.raises(sa.exc.DBAPIError, match=r"permission denied|must be (the )?owner"):
        run_sql(writer_url, statement)
