"""Whether a store is already what `EventStore.init` would make it, found in one look at
SQLite's catalogue: every table, named index and append-only trigger of the schema is
there, no index the read models replaced is left, and the read models are marked built
(or the log has events, when `init` marks nothing). A command that writes then skips
`init`'s work (a look at each table, each index list and the triggers, and a write
transaction to mark an empty store built); on PostgreSQL, or when anything is missing,
`init` runs as before, and says what is wrong. `init` is the oracle:
tests/integration/test_store_schema.py holds that `current` is true exactly when `init`
would change nothing."""

from __future__ import annotations

import sqlalchemy as sa

from cpworkflow.store import triggers
from cpworkflow.store.engine import sqlite_file
from cpworkflow.store.read_tables import REPLACED_INDEXES, read_model_state
from cpworkflow.store.tables import events, metadata

_BUILT = "built"  # read_models.BUILT: the row saying the read models have been built


def _expected() -> set[tuple[str, str]]:
    names = {("table", table.name) for table in metadata.sorted_tables}
    names |= {
        ("index", str(index.name))
        for table in metadata.sorted_tables
        for index in table.indexes
        if index.name is not None
    }
    return names | {("trigger", name) for name in triggers.SQLITE}


_REPLACED = {("index", name) for names in REPLACED_INDEXES.values() for name in names}


def current(engine: sa.Engine) -> bool:
    """True when the SQLite store at this engine needs nothing from `init`; False on
    PostgreSQL, for a file that does not exist (never created here), or when in doubt."""
    path = sqlite_file(engine)
    if path is None or not path.is_file():
        return False
    try:
        return _current(engine)
    except sa.exc.SQLAlchemyError:  # `init` meets it again, and says what it is
        return False


def _current(engine: sa.Engine) -> bool:
    with engine.connect() as connection, connection.begin():
        listed = connection.exec_driver_sql(
            "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'index', 'trigger')"
        )
        present = {(str(kind), str(name)) for kind, name in listed}
        if not _expected() <= present or present & _REPLACED:
            return False
        built = sa.select(read_model_state.c.name).where(read_model_state.c.name == _BUILT)
        marked = sa.select(sa.or_(sa.exists(built), sa.exists(sa.select(events.c.position))))
        return bool(connection.execute(marked).scalar_one())
