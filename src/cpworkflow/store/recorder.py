"""The SQL, and nothing else: each function takes an open connection and runs one query.
Transactions (and the append lock) are opened by `writing` and `reading`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import date
from typing import Any

import sqlalchemy as sa

from cpworkflow.errors import GuardsOffError
from cpworkflow.records import StoredEvent
from cpworkflow.store import copying, read_models, scan, sqlite_setup, triggers
from cpworkflow.store.engine import WRITE
from cpworkflow.store.tables import events, metadata

Row = dict[str, Any]
_INIT_LOCK = 0x637077_6576  # any constant: serialises concurrent `init` on PostgreSQL

# Selected as text on both engines, so a row edited by hand into a bad date is reported by
# verify rather than failing inside the driver.
_COLUMNS = [
    sa.type_coerce(c, sa.String).label(c.name) if c.name == "occurred_on" else c
    for c in events.columns
]


@contextmanager
def writing(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One write transaction. SQLite: BEGIN IMMEDIATE (see engine.py). PostgreSQL: the
    table is locked in EXCLUSIVE mode first, so appends run one at a time and positions are
    handed out, and become visible, in commit order. Both wait for the lock at most
    BUSY_TIMEOUT_MS, then fail with StoreBusyError."""
    with engine.connect() as connection:
        connection.execution_options(**{WRITE: True})
        with connection.begin():
            if connection.dialect.name == "postgresql":
                timeout = f"{int(sqlite_setup.BUSY_TIMEOUT_MS)}ms"  # as SQLite's busy_timeout
                connection.execute(
                    sa.text("SELECT set_config('lock_timeout', :t, true)"), {"t": timeout}
                )
                connection.execute(sa.text("SELECT events_lock_for_append()"))
            yield connection


@contextmanager
def reading(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One read transaction: every query in it sees the same committed state on SQLite."""
    with engine.connect() as connection, connection.begin():
        yield connection


def create_schema(engine: sa.Engine) -> None:
    """The table, its indexes and triggers; whatever already exists is left alone."""
    with engine.connect() as connection:
        connection.execution_options(**{WRITE: True})
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _INIT_LOCK})
            metadata.create_all(connection, checkfirst=True)
            read_models.upgrade(connection)  # indexes added since the tables were made
            if count(connection) == 0:  # a store with events never has its guards remade
                triggers.install(connection)
            guards_off = triggers.problems(connection)
            if guards_off:
                raise GuardsOffError(guards_off)


def guards_off(engine: sa.Engine) -> list[str]:
    """The append-only triggers missing or disabled (see triggers.problems)."""
    with reading(engine) as connection:
        return triggers.problems(connection)


def has_table(engine: sa.Engine) -> bool:
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":  # as the direct path asks (sqlite_direct.py)
            listed = connection.exec_driver_sql(sqlite_setup.HAS_EVENTS).first()
            return listed is not None
        return sa.inspect(connection).has_table(events.name)


def head(connection: sa.Connection, case_id: str) -> tuple[int, str | None]:
    """The case's version (its last seq, 0 if none) and the hash of that last event."""
    row = connection.execute(
        sa.select(events.c.seq, events.c.hash)
        .where(events.c.case_id == case_id)
        .order_by(events.c.seq.desc())
        .limit(1)
    ).first()
    return (0, None) if row is None else (int(row.seq), str(row.hash))


def with_keys(connection: sa.Connection, case_id: str, keys: Sequence[str]) -> list[Row]:
    """The case's rows whose key is one of `keys`, in seq order."""
    found: list[Row] = []
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found.extend(dict(m) for m in connection.execute(keyed_query(case_id, chunk)).mappings())
    return sorted(found, key=lambda row: int(row["seq"]))


def keyed_query(case_id: str, keys: Sequence[str]) -> sa.Select[Any]:
    """The case's rows whose key is one of `keys`."""
    keyed = events.c.key.in_(sa.bindparam("keys", list(keys), expanding=True))
    where = (events.c.case_id == sa.bindparam("case_id", case_id), keyed)
    return sa.select(*_COLUMNS).where(*where)


def insert(connection: sa.Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows; returns their positions in the order given."""
    statement = sa.insert(events).returning(events.c.position, sort_by_parameter_order=True)
    return [int(p) for p in connection.execute(statement, rows).scalars()]


def case_events(
    connection: sa.Connection,
    case_id: str,
    to_seq: int | None,
    occurred_on_or_before: date | None,
    recorded_at_or_before: str | None,
) -> list[StoredEvent]:
    """The case's events selected by the filters, in seq order, read as `stored_event`
    reads them (unchecked) from the driver's rows, as the whole-table scan reads them: one
    decode of each column, an IntegrityError naming case and seq for a row it cannot read."""
    query = case_query(
        connection.dialect.name, case_id, to_seq, occurred_on_or_before, recorded_at_or_before
    )
    with closing(scan.driver_rows(connection, query)) as rows:  # its cursor, even on error
        return list(scan.read(rows))


def case_query(
    dialect: str,
    case_id: str,
    to_seq: int | None,
    occurred_on_or_before: date | None,
    recorded_at_or_before: str | None,
) -> sa.Select[Any]:
    """`case_events`' query on a dialect (its parameters named as the filters are)."""
    query = sa.select(*scan._COLUMNS).where(events.c.case_id == sa.bindparam("case_id", case_id))
    if to_seq is not None:
        query = query.where(events.c.seq <= sa.bindparam("to_seq", to_seq))
    if occurred_on_or_before is not None:
        # The driver is given the bound values as they are: SQLite's date is its ISO text.
        day: date | str = occurred_on_or_before
        if dialect == "sqlite":
            day = occurred_on_or_before.isoformat()
        query = query.where(events.c.occurred_on <= sa.bindparam("occurred_on", day))
    if recorded_at_or_before is not None:
        at: sa.BindParameter[str] = sa.bindparam("recorded_at", recorded_at_or_before)
        query = query.where(events.c.recorded_at <= at)
    return query.order_by(events.c.seq)


def after(connection: sa.Connection, position: int, limit: int) -> list[Row]:
    query = sa.select(*_COLUMNS).where(events.c.position > position)
    result = connection.execute(query.order_by(events.c.position).limit(limit))
    return [dict(m) for m in result.mappings()]


def all_rows(connection: sa.Connection, case_id: str | None) -> Iterator[Row]:
    """Every row (or one case's) in (case_id, seq) order, streamed."""
    query = sa.select(*_COLUMNS).order_by(events.c.case_id, events.c.seq)
    if case_id is not None:
        query = query.where(events.c.case_id == case_id)
    result = connection.execution_options(yield_per=1000).execute(query)
    yield from (dict(m) for m in result.mappings())


def rows_of_cases(connection: sa.Connection, case_ids: Sequence[str]) -> list[Row]:
    """Every row of these cases, in (case_id, seq) order."""
    query = sa.select(*_COLUMNS).where(events.c.case_id.in_(case_ids))
    result = connection.execute(query.order_by(events.c.case_id, events.c.seq))
    return [dict(m) for m in result.mappings()]


def case_ids(connection: sa.Connection) -> list[str]:
    query = sa.select(events.c.case_id).distinct().order_by(events.c.case_id)
    return [str(c) for c in connection.execute(query).scalars()]


EXISTS = sa.select(events.c.position).where(events.c.case_id == sa.bindparam("case_id")).limit(1)


def exists(connection: sa.Connection, case_id: str) -> bool:
    return connection.execute(EXISTS, {"case_id": case_id}).first() is not None


def count(connection: sa.Connection) -> int:
    return int(connection.execute(sa.select(sa.func.count()).select_from(events)).scalar_one())


def heads(connection: sa.Connection, case_ids: Sequence[str]) -> dict[str, tuple[int, str]]:
    """The version and last hash of every one of these cases that has events: one query
    per 500 cases (the bulk import's, instead of one per case)."""
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(case_ids), 500):
        chunk = list(case_ids[start : start + 500])
        last = (
            sa.select(events.c.case_id, sa.func.max(events.c.seq).label("seq"))
            .where(events.c.case_id.in_(chunk))
            .group_by(events.c.case_id)
            .subquery()
        )
        query = sa.select(events.c.case_id, events.c.seq, events.c.hash).join(
            last, sa.and_(events.c.case_id == last.c.case_id, events.c.seq == last.c.seq)
        )
        for row in connection.execute(query):
            found[str(row.case_id)] = (int(row.seq), str(row.hash))
    return found


def keyed_rows(connection: sa.Connection, keys: dict[str, list[str]]) -> dict[str, dict[str, Row]]:
    """For each case, its stored rows whose key is one of `keys[case]`, by key: one query
    per 500 cases."""
    found: dict[str, dict[str, Row]] = {}
    ids = [cid for cid, wanted in keys.items() if wanted]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        wanted = {k for cid in chunk for k in keys[cid]}
        query = sa.select(*_COLUMNS).where(events.c.case_id.in_(chunk), events.c.key.is_not(None))
        if len(wanted) <= 2000:
            query = query.where(events.c.key.in_(sorted(wanted)))
        for m in connection.execute(query).mappings():
            row = dict(m)
            if row["key"] in wanted and row["key"] in keys[str(row["case_id"])]:
                found.setdefault(str(row["case_id"]), {})[str(row["key"])] = row
    return found


def insert_rows(connection: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Insert rows, no RETURNING (the bulk import's path: it asks for the positions
    afterwards, one query for the batch). PostgreSQL: one COPY (`copying.py`: a fraction
    of the client's and the server's CPU an executemany costs there); SQLite, whose
    executemany is a loop in its own library: `executemany_rows`."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        executemany_rows(connection, rows)
        return
    names = [name for name in rows[0] if name in events.c]
    copying.copy_rows(connection, events, names, ([row[n] for n in names] for row in rows))


def executemany_rows(connection: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Insert rows with one executemany of the driver's own parameters. The rows go to the
    driver as they are, without SQLAlchemy's per-row processing: the one conversion it
    would make, the date to ISO text for SQLite, is made here. (On PostgreSQL, what the
    COPY of `insert_rows` is held equal to.)"""
    if not rows:
        return
    names = [name for name in rows[0] if name in events.c]
    quote = connection.dialect.identifier_preparer.quote
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (  # the table's own column names: nothing here comes from the rows' content
        f"INSERT INTO {quote(events.name)} ({', '.join(quote(n) for n in names)})"  # noqa: S608
        f" VALUES ({', '.join([mark] * len(names))})"
    )
    as_text = connection.dialect.name == "sqlite"
    day = names.index("occurred_on")
    values = []
    for row in rows:
        value = [row[name] for name in names]
        if as_text:
            value[day] = value[day].isoformat()
        values.append(tuple(value))
    connection.exec_driver_sql(sql, values)


def last_position(connection: sa.Connection) -> int:
    """The highest position stored (0 in an empty store)."""
    query = sa.select(sa.func.coalesce(sa.func.max(events.c.position), 0))
    return int(connection.execute(query).scalar_one())


def last_positions(connection: sa.Connection, after: int) -> dict[str, int]:
    """Each case's highest position above `after`. Under the append lock, the rows above
    the position last seen are this transaction's own."""
    query = (
        sa.select(events.c.case_id, sa.func.max(events.c.position))
        .where(events.c.position > after)
        .group_by(events.c.case_id)
    )
    return {str(cid): int(p) for cid, p in connection.execute(query)}


def cases_after(connection: sa.Connection, after: int) -> int:
    """How many cases have events above position `after`."""
    query = sa.select(sa.func.count(sa.distinct(events.c.case_id))).where(events.c.position > after)
    return int(connection.execute(query).scalar_one())
