"""Whether a store is already what `EventStore.init` would make it, found in one look at
its catalogue (SQLite's `sqlite_master`, PostgreSQL's `pg_class`, `pg_proc` and
`pg_trigger`): every table, named index and append-only trigger (and PostgreSQL's
functions) of the schema is there, each trigger firing, no index the read models replaced
is left, and the read models are marked built (or the log has events, when `init` marks
nothing). A command that writes then skips `init`'s work (a look at each table, each
index list and the triggers, a lock on PostgreSQL, and a write transaction to mark an
empty store built); when anything is missing, `init` runs as before, and says what is
wrong. `init` is the oracle: tests/integration/test_store_schema.py holds that `current`
is true when `init` would change nothing, and false for each thing it would change."""

from __future__ import annotations

import sqlalchemy as sa

from cpworkflow.store import triggers
from cpworkflow.store.engine import sqlite_file
from cpworkflow.store.read_tables import REPLACED_INDEXES, read_model_state
from cpworkflow.store.tables import events, metadata

_BUILT = "built"  # read_models.BUILT: the row saying the read models have been built


def expected_names(dialect: str) -> set[tuple[str, str]]:
    names = {("table", table.name) for table in metadata.sorted_tables}
    names |= {
        ("index", str(index.name))
        for table in metadata.sorted_tables
        for index in table.indexes
        if index.name is not None
    }
    if dialect == "sqlite":
        return names | {("trigger", name) for name in triggers.SQLITE}
    names |= {("function", name) for name in triggers.POSTGRESQL_FUNCTIONS}
    return names | {("trigger", name) for name in triggers.POSTGRESQL_TRIGGERS}


REPLACED = {("index", name) for names in REPLACED_INDEXES.values() for name in names}
SQLITE_CATALOGUE = (
    "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'index', 'trigger')"
)
# What the search path shows by those names, as `init` finds them (`create_all` and
# `upgrade` by visibility, functions by `to_regprocedure`); a trigger only if it fires
# for ordinary sessions (`tgenabled` O or A, as `triggers.problems` asks).
_POSTGRESQL_CATALOGUE = """
SELECT CASE c.relkind WHEN 'i' THEN 'index' ELSE 'table' END, c.relname FROM pg_class c
WHERE c.relname = ANY(:names) AND c.relkind IN ('r', 'p', 'i') AND pg_table_is_visible(c.oid)
UNION ALL
SELECT 'function', p.proname FROM pg_proc p
WHERE p.proname = ANY(:names) AND pg_function_is_visible(p.oid) AND p.pronargs = 0
UNION ALL
SELECT 'trigger', t.tgname FROM pg_trigger t
WHERE t.tgrelid = to_regclass('events') AND NOT t.tgisinternal AND t.tgenabled IN ('O', 'A')
"""


def current(engine: sa.Engine) -> bool:
    """True when the store at this engine needs nothing from `init`; False for a SQLite
    file that does not exist (never created here), or when in doubt."""
    path = sqlite_file(engine)
    if engine.dialect.name == "sqlite" and (path is None or not path.is_file()):
        return False
    try:
        return _current(engine)
    except sa.exc.SQLAlchemyError:  # `init` meets it again, and says what it is
        return False


def _current(engine: sa.Engine) -> bool:
    dialect = engine.dialect.name
    expected = expected_names(dialect)
    with engine.connect() as connection, connection.begin():
        if dialect == "sqlite":
            listed = connection.exec_driver_sql(SQLITE_CATALOGUE)
        else:
            names = sorted({name for _, name in expected | REPLACED})
            listed = connection.execute(sa.text(_POSTGRESQL_CATALOGUE), {"names": names})
        present = {(str(kind), str(name)) for kind, name in listed}
        if not expected <= present or present & REPLACED:
            return False
        return bool(connection.execute(MARKED).scalar_one())


_BUILT_ROW = sa.select(read_model_state.c.name).where(read_model_state.c.name == _BUILT)
# The read models are marked built, or the log has events.
MARKED = sa.select(sa.or_(sa.exists(_BUILT_ROW), sa.exists(sa.select(events.c.position))))
