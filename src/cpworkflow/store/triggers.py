"""Append-only, enforced by the database: triggers refusing UPDATE and DELETE (and TRUNCATE
on PostgreSQL), plus PostgreSQL's append lock (see eventstore/README.md, "Concurrency").

The same statements are executed by `EventStore.init` and printed into eventstore/schema.sql.
"""

from __future__ import annotations

import sqlalchemy as sa

SQLITE: dict[str, str] = {
    "events_refuse_update": """CREATE TRIGGER IF NOT EXISTS events_refuse_update
BEFORE UPDATE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only: UPDATE is refused');
END""",
    "events_refuse_delete": """CREATE TRIGGER IF NOT EXISTS events_refuse_delete
BEFORE DELETE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only: DELETE is refused');
END""",
}

POSTGRESQL_FUNCTIONS: dict[str, str] = {
    "events_refuse_change": """CREATE FUNCTION events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING
    ERRCODE = 'insufficient_privilege',
    MESSAGE = 'events are append-only: ' || TG_OP || ' is refused';
END
$$""",
    # Runs with its owner's rights, so a writer role with INSERT and SELECT only can still
    # take the table lock (PostgreSQL allows EXCLUSIVE mode only to holders of UPDATE,
    # DELETE or TRUNCATE). The search path is pinned when the function is created.
    "events_lock_for_append": """CREATE FUNCTION events_lock_for_append() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  LOCK TABLE events IN EXCLUSIVE MODE;
END
$$""",
}

POSTGRESQL_TRIGGERS: dict[str, str] = {
    "events_refuse_update_delete": """CREATE TRIGGER events_refuse_update_delete
BEFORE UPDATE OR DELETE ON events
FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change()""",
    "events_refuse_truncate": """CREATE TRIGGER events_refuse_truncate
BEFORE TRUNCATE ON events
FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change()""",
}


def statements(dialect: str) -> list[str]:
    """Every trigger (and, for PostgreSQL, function) statement, in the order they run."""
    if dialect == "sqlite":
        return list(SQLITE.values())
    if dialect == "postgresql":
        return [*POSTGRESQL_FUNCTIONS.values(), *POSTGRESQL_TRIGGERS.values()]
    raise ValueError(f"no triggers for dialect {dialect!r}")


def install(connection: sa.Connection) -> None:
    """Create whatever is missing. Never replaces an existing object, so a role that does
    not own them (the writer role) can run `init` on a prepared database."""
    if connection.dialect.name == "sqlite":
        for sql in SQLITE.values():
            connection.exec_driver_sql(sql)
        return
    for name, sql in POSTGRESQL_FUNCTIONS.items():
        exists = connection.execute(
            sa.text("SELECT to_regprocedure(:signature) IS NOT NULL"),
            {"signature": f"{name}()"},
        ).scalar_one()
        if not exists:
            connection.exec_driver_sql(sql)
    present = set(
        connection.execute(
            sa.text(
                "SELECT tgname FROM pg_trigger"
                " WHERE tgrelid = to_regclass('events') AND NOT tgisinternal"
            )
        ).scalars()
    )
    for name, sql in POSTGRESQL_TRIGGERS.items():
        if name not in present:
            connection.exec_driver_sql(sql)


def problems(connection: sa.Connection) -> list[str]:
    """What is wrong with the append-only guards: each trigger missing, or (PostgreSQL)
    present but not firing for ordinary sessions (`pg_trigger.tgenabled` other than `O`
    or `A`, e.g. after `ALTER TABLE events DISABLE TRIGGER USER`). Empty when all hold."""
    if connection.dialect.name == "sqlite":
        present = set(
            connection.execute(
                sa.text(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'"
                )
            ).scalars()
        )
        return [_missing(name) for name in SQLITE if name not in present]
    rows = connection.execute(
        sa.text(
            "SELECT tgname, tgenabled FROM pg_trigger"
            " WHERE tgrelid = to_regclass('events') AND NOT tgisinternal"
        )
    ).all()
    state = {str(name): str(enabled) for name, enabled in rows}
    found = []
    for name in POSTGRESQL_TRIGGERS:
        if name not in state:
            found.append(_missing(name))
        elif state[name] not in ("O", "A"):
            found.append(
                f"the append-only trigger {name} is disabled (pg_trigger.tgenabled"
                f" = {state[name]!r}): re-enable it with ALTER TABLE events ENABLE TRIGGER {name}"
            )
    return found


def _missing(name: str) -> str:
    return (
        f"the append-only trigger {name} is missing: the database no longer refuses"
        " changes to stored events (see eventstore/README.md, 'Append-only in the database')"
    )
