"""Shared fixtures: a store URL on each engine.

`store_url` runs a test three times: on a SQLite file in tmp_path by the direct path (id
`sqlite`) and through SQLAlchemy (id `sqlite-sqlalchemy`), and on PostgreSQL (id
`postgres`, marker `postgres`) in a fresh schema of the database named by
CPW_TEST_PG_URL, dropped afterwards. Without that variable, or when the server does not
answer, the PostgreSQL run is skipped with the reason shown in the summary; with
CPW_REQUIRE_PG=1 (CI) it fails instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest
import sqlalchemy as sa

from cpworkflow.store import EventStore
from store_urls import through_sqlalchemy

PG_URL_VARIABLE = "CPW_TEST_PG_URL"
POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres, id="postgres")


@cache
def _pg_unavailable(url: str) -> str | None:
    """Why the PostgreSQL server cannot be used (None if it can). Asked once per run."""
    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 5})
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as err:  # noqa: BLE001 - any failure to connect means "unavailable"
        return f"PostgreSQL at {PG_URL_VARIABLE} does not answer ({type(err).__name__})"
    return None


def _pg_base_url() -> str:
    url = os.environ.get(PG_URL_VARIABLE, "").strip()
    reason = _pg_unavailable(url) if url else f"{PG_URL_VARIABLE} is not set"
    if reason is not None:
        if os.environ.get("CPW_REQUIRE_PG") == "1":
            pytest.fail(f"{reason}, and CPW_REQUIRE_PG=1 requires the PostgreSQL tests")
        pytest.skip(f"{reason}: PostgreSQL tests skipped")
    return url


def with_search_path(url: str, schema: str) -> str:
    """The URL with `options=-csearch_path=<schema>` (replacing any options given)."""
    parsed = sa.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return parsed.render_as_string(hide_password=False)


@contextmanager
def _fresh_schema(prefix: str) -> Iterator[str]:
    """A URL on a new, empty schema of the test database, dropped on leaving."""
    base = _pg_base_url()
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        yield with_search_path(base, schema)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql("SET lock_timeout = '60s'")
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    """A URL on a new, empty schema of the test database; the schema is dropped after."""
    with _fresh_schema("cpw_test") as url:
        yield url


@pytest.fixture(params=["sqlite", "sqlite-sqlalchemy", POSTGRES])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL with no store in it yet, on each engine in turn: SQLite on the
    direct path (store/sqlite_direct.py) and through SQLAlchemy, and PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'events.db'}"
    if request.param == "sqlite-sqlalchemy":
        return through_sqlalchemy(f"sqlite:///{tmp_path / 'store' / 'events.db'}")
    return str(request.getfixturevalue("fresh_pg_url"))


@pytest.fixture(params=[POSTGRES])
def pg_url(request: pytest.FixtureRequest) -> str:
    """For PostgreSQL-only tests (their ids say `postgres`)."""
    return str(request.getfixturevalue("fresh_pg_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[EventStore]:
    """An initialised store on `store_url`, disposed after the test."""
    event_store = EventStore(store_url)
    event_store.init()
    yield event_store
    event_store.dispose()


@pytest.fixture(scope="session")
def pg_session_url() -> Iterator[str]:
    """A URL on a new, empty schema of the test database kept for the whole session (for
    read-only tests sharing one store); dropped at the end."""
    with _fresh_schema("cpw_session") as url:
        yield url
