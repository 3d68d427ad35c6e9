"""PostgreSQL roles for a deployment (`cpw init --roles`): a writer that can only insert and
read events, and a reader that can only read. Neither owns anything, so neither can drop or
disable the append-only triggers, alter the table, or take back what was written.

The grants are the ones eventstore/README.md lists ("Running on PostgreSQL"); the read
models beside the events are derived data the writer keeps up to date, so on those it may
also update and delete (`cpw rebuild` recomputes them from the log).
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from cpworkflow.errors import BadInputError
from cpworkflow.store.tables import metadata

_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def role_name(value: str, field: str) -> str:
    """A role name we can quote without surprises: lowercase letters, digits, `_`."""
    if not _NAME.fullmatch(value):
        raise BadInputError(
            f"{value[:40]!r} is not a role name (lowercase letters, digits and _, at most 63)",
            field=field,
        )
    return value


def grants(connection: sa.Connection, writer: str, reader: str) -> list[str]:
    """The statements that create (if missing) and empower the two roles, in the current
    schema."""
    schema = str(connection.execute(sa.text("SELECT current_schema()")).scalar_one())
    sequence = connection.execute(
        sa.text("SELECT pg_get_serial_sequence('events', 'position')")
    ).scalar_one()
    existing = set(
        connection.execute(
            sa.text("SELECT rolname FROM pg_roles WHERE rolname IN (:w, :r)"),
            {"w": writer, "r": reader},
        ).scalars()
    )
    derived = [t.name for t in metadata.sorted_tables if t.name != "events"]
    statements = [
        f'CREATE ROLE "{role}" LOGIN' for role in (writer, reader) if role not in existing
    ]
    statements += [
        f'GRANT USAGE ON SCHEMA "{schema}" TO "{writer}", "{reader}"',
        f'GRANT SELECT, INSERT ON events TO "{writer}"',
        f'GRANT EXECUTE ON FUNCTION events_lock_for_append() TO "{writer}"',
        f'GRANT SELECT ON events TO "{reader}"',
    ]
    if sequence is not None:
        statements.append(f'GRANT USAGE ON SEQUENCE {sequence} TO "{writer}"')
    for table in derived:
        statements.append(f'GRANT SELECT, INSERT, UPDATE, DELETE ON "{table}" TO "{writer}"')
        statements.append(f'GRANT SELECT ON "{table}" TO "{reader}"')
    return statements


def create(engine: sa.Engine, writer: str, reader: str) -> list[str]:
    """Create and grant the roles (PostgreSQL only); returns what was run."""
    if engine.dialect.name != "postgresql":
        raise BadInputError("roles are for PostgreSQL; a SQLite file has none", field="--roles")
    writer, reader = role_name(writer, "--writer-role"), role_name(reader, "--reader-role")
    if writer == reader:
        raise BadInputError("the writer and the reader must be two roles", field="--reader-role")
    with engine.begin() as connection:
        statements = grants(connection, writer, reader)
        for statement in statements:
            connection.exec_driver_sql(statement)
    return statements
