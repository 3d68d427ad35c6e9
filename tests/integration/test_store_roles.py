"""PostgreSQL only: `cpw init --roles` makes a writer that can insert and read events and
nothing else, and a reader that can only read; the database refuses the rest by privilege,
before any trigger is reached."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from store_helpers import run_sql

CPW = [str(Path(sys.executable).parent / "cpw")]
OPENED = {"child": {"ref": "R-1"}}
PRIVILEGE = r"permission denied|must be (the )?owner"


def cpw(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"CPW_TODAY": "2026-06-30", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [*CPW, "--db", url, *args], capture_output=True, text=True, env=env, check=False
    )


def as_role(url: str, role: str) -> str:
    return sa.make_url(url).set(username=role).render_as_string(hide_password=False)


@pytest.fixture
def roles(pg_url: str) -> Iterator[tuple[str, str]]:
    """The store and its two roles, made by `cpw init --roles` run as the owner; the
    roles are dropped afterwards (they belong to the whole server)."""
    suffix = uuid.uuid4().hex[:8]
    writer, reader = f"cpw_writer_{suffix}", f"cpw_reader_{suffix}"
    made = cpw(pg_url, "init", "--roles", "--writer-role", writer, "--reader-role", reader)
    try:
        assert made.returncode == 0, made.stderr
        assert made.stdout.startswith(f"roles ready: {writer} (insert and read), {reader}")
        yield as_role(pg_url, writer), as_role(pg_url, reader)
    finally:
        for role in (writer, reader):
            run_sql(pg_url, f'DROP OWNED BY "{role}"', f'DROP ROLE IF EXISTS "{role}"')


def test_the_writer_records_reads_and_verifies(roles: tuple[str, str]) -> None:
    writer, _ = roles
    opened = ["record", "C1", "CaseOpened", "--on", "2025-01-06", "--actor", "sw-1"]
    done = cpw(writer, *opened, "--role", "social_worker", "--data", json.dumps(OPENED))
    assert done.returncode == 0, done.stderr
    assert cpw(writer, "init").returncode == 0  # a prepared store: nothing to change
    assert cpw(writer, "verify").returncode == 0
    assert json.loads(cpw(writer, "show", "C1", "--json").stdout)["version"] == 1


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET seq = seq",
        "DELETE FROM events",
        "TRUNCATE events",
        "ALTER TABLE events DISABLE TRIGGER USER",
        "ALTER TABLE events ADD COLUMN note text",
        "DROP TRIGGER events_refuse_update_delete ON events",
        "DROP TABLE events",
    ],
)
def test_the_writer_is_refused_everything_but_insert_and_select_by_privilege(
    roles: tuple[str, str], statement: str
) -> None:
    writer, _ = roles
    with pytest.raises(sa.exc.DBAPIError, match=PRIVILEGE):
        run_sql(writer, statement)


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO events (case_id) VALUES ('C9')",
        "UPDATE events SET seq = seq",
        "DELETE FROM events",
        "TRUNCATE events",
        "ALTER TABLE events DISABLE TRIGGER USER",
    ],
)
def test_the_reader_is_refused_every_change_by_privilege(
    roles: tuple[str, str], statement: str
) -> None:
    _, reader = roles
    with pytest.raises(sa.exc.DBAPIError, match=PRIVILEGE):
        run_sql(reader, statement)


def test_the_reader_can_read_and_verify_but_not_record(roles: tuple[str, str]) -> None:
    writer, reader = roles
    opened = ["record", "C1", "CaseOpened", "--on", "2025-01-06", "--actor", "sw-1"]
    assert (
        cpw(writer, *opened, "--role", "social_worker", "--data", json.dumps(OPENED)).returncode
        == 0
    )
    assert cpw(reader, "verify").returncode == 0
    assert cpw(reader, "history", "C1").returncode == 0
    visit = ["record", "C1", "ChildVisited", "--on", "2025-01-07", "--actor", "sw-1"]
    refused = cpw(reader, *visit, "--role", "social_worker", "--data", '{"seen": true}')
    assert refused.returncode == 6
    assert "permission denied" in refused.stderr
    assert len(refused.stderr.splitlines()) == 1


def test_roles_on_sqlite_are_bad_input(tmp_path: Path) -> None:
    done = cpw(f"sqlite:///{tmp_path / 'events.db'}", "init", "--roles")
    assert done.returncode == 2
    assert done.stderr.startswith("error: --roles: roles are for PostgreSQL")
