"""The read models' SQL: each function takes an open connection (the transaction is the
caller's, so rows are written with the events they derive from) and runs a few queries."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from itertools import groupby
from typing import Any

import sqlalchemy as sa

from cpworkflow.records import CaseView
from cpworkflow.store import copying, scan, sqlite_setup
from cpworkflow.store.read_names import (
    CASE_COLUMNS,
    CASES_ROW,
    DUE_COLUMNS,
    named,
)
from cpworkflow.store.read_names import CASE_FILTERS as CASE_FILTERS
from cpworkflow.store.read_names import DUE_FILTERS as DUE_FILTERS
from cpworkflow.store.read_tables import (
    READ_TABLES,
    REPLACED_INDEXES,
    case_summaries,
    open_obligations,
    read_model_state,
)

Row = dict[str, Any]
BUILT = "built"
_CHUNK = 500  # ids in one IN (...) list


def tables_exist(connection: sa.Connection) -> bool:
    if connection.dialect.name == "sqlite":  # as the direct path asks (sqlite_direct.py)
        present = {str(name) for (name,) in connection.exec_driver_sql(sqlite_setup.TABLES)}
        return {t.name for t in READ_TABLES} <= present
    return all(sa.inspect(connection).has_table(t.name) for t in READ_TABLES)


def upgrade(connection: sa.Connection) -> None:
    """Bring the read models' indexes of a store made by an earlier version up to date:
    create those missing from a table that exists (`create_all` makes a table's indexes
    only with the table) and drop those they replaced. Costs one look at each table's
    indexes when nothing is missing."""
    inspector = sa.inspect(connection)
    for table in READ_TABLES:
        if not table.indexes or not inspector.has_table(table.name):
            continue
        present = {str(index["name"]) for index in inspector.get_indexes(table.name)}
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            if index.name not in present:
                index.create(connection)
        for name in REPLACED_INDEXES.get(table.name, ()):
            if name in present:
                connection.execute(sa.text(f"DROP INDEX {name}"))


def is_built(connection: sa.Connection) -> bool:
    if not tables_exist(connection):
        return False
    return connection.execute(BUILT_ROW).first() is not None


BUILT_ROW = sa.select(read_model_state.c.value).where(read_model_state.c.name == BUILT)


def mark_built(connection: sa.Connection, through_position: int) -> None:
    connection.execute(sa.delete(read_model_state).where(read_model_state.c.name == BUILT))
    connection.execute(sa.insert(read_model_state), {"name": BUILT, "value": str(through_position)})


def write(connection: sa.Connection, views: Sequence[tuple[CaseView, int]]) -> None:
    """Replace these cases' rows: one executemany (PostgreSQL: one COPY) per table. `int`
    is the log position of the case's last event, which the rows reflect."""
    if not views:
        return
    ids = [view.case_id for view, _ in views]
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for table in (case_summaries, open_obligations):
            connection.execute(sa.delete(table).where(table.c.case_id.in_(chunk)))
    summaries = [{**view.summary, "case_id": view.case_id, "position": p} for view, p in views]
    obligations = [{**o, "case_id": v.case_id} for v, _ in views for o in v.obligations]
    for table, rows in ((case_summaries, summaries), (open_obligations, obligations)):
        if rows:
            insert(connection, table, rows)


def insert(connection: sa.Connection, table: sa.Table, rows: list[Row]) -> None:
    """Insert rows (each with every column of the table) into a read-model table: with
    one COPY on PostgreSQL (`copying.py`), else with `executemany`."""
    if connection.dialect.name != "postgresql":
        executemany(connection, table, rows)
        return
    names = [c.name for c in table.columns]
    copying.copy_rows(connection, table, names, ([row[n] for n in names] for row in rows))


def executemany(connection: sa.Connection, table: sa.Table, rows: list[Row]) -> None:
    """The rows inserted with one executemany (on PostgreSQL, what `insert`'s COPY is
    held equal to)."""
    connection.execute(sa.insert(table), rows)


def clear(connection: sa.Connection) -> None:
    for table in READ_TABLES:
        connection.execute(sa.delete(table))


def views(connection: sa.Connection, case_id: str | None = None) -> Iterator[tuple[CaseView, int]]:
    """Every stored view (or one case's) in case order, with the position it reflects."""
    summaries = sa.select(case_summaries).order_by(case_summaries.c.case_id)
    obligations = sa.select(open_obligations).order_by(
        open_obligations.c.case_id, open_obligations.c.obligation_id
    )
    if case_id is not None:
        summaries = summaries.where(case_summaries.c.case_id == case_id)
        obligations = obligations.where(open_obligations.c.case_id == case_id)
    by_case = {
        cid: tuple(_without_case(r) for r in rows)
        for cid, rows in groupby(
            (dict(m) for m in connection.execute(obligations).mappings()),
            key=lambda r: str(r["case_id"]),
        )
    }
    for m in connection.execute(summaries).mappings():
        row = _without_case(dict(m))
        position = int(row.pop("position"))
        cid = str(m["case_id"])
        yield CaseView(cid, row, by_case.pop(cid, ())), position
    for cid, rows in by_case.items():  # obligations of a case with no summary row
        yield CaseView(cid, {}, rows), -1


def _without_case(row: Row) -> Row:
    row.pop("case_id", None)
    return row


def _due_query(
    columns: Sequence[Any], filters: Mapping[str, str | None], before: str | None
) -> sa.Select[Any]:
    """Its parameters are named as the filters (and `before`), for the direct path's
    statements (store/sqlite_sql.py)."""
    o, s = open_obligations, case_summaries
    query = sa.select(*columns).select_from(o).join(s, s.c.case_id == o.c.case_id)
    by = {"case_id": o.c.case_id, "role": o.c.owner_role, "worker": o.c.owner_id}
    by["stage"] = s.c.stage
    for name, value in filters.items():
        if value is not None:
            query = query.where(by[name] == sa.bindparam(name, value))
    if before is not None:
        query = query.where(o.c.due < sa.bindparam("before", before))
    return query


def _page(query: sa.Select[Any], offset: int, limit: int | None) -> sa.Select[Any]:
    query = query.offset(sa.bindparam("offset", offset, type_=sa.Integer))
    if limit is not None:
        query = query.limit(sa.bindparam("limit", limit, type_=sa.Integer))
    return query


def due(
    connection: sa.Connection,
    filters: dict[str, str | None],
    before: str | None,
    *,
    offset: int = 0,
    limit: int | None = None,
) -> list[Row]:
    """Open obligations with their case's stage and pack, soonest first (`DUE_COLUMNS`, in
    the order of `open_obligations_due_order_idx`, which covers them). `filters`: case_id,
    role (owner_role), worker (owner_id), stage; `before`: only those due before that day;
    `offset` and `limit`: one page of them."""
    return _dicts(connection, due_query(filters, before, offset, limit), DUE_COLUMNS)


def due_query(
    filters: Mapping[str, str | None], before: str | None, offset: int, limit: int | None
) -> sa.Select[Any]:
    o, s = open_obligations, case_summaries
    columns = [*(o.c[name] for name in DUE_COLUMNS[:5]), s.c.stage, s.c.policy]
    query = _due_query(columns, filters, before)
    query = query.order_by(o.c.due, o.c.case_id, o.c.rule, o.c.obligation_id)
    return _page(query, offset, limit)


def due_count(connection: sa.Connection, filters: dict[str, str | None], before: str | None) -> int:
    """How many rows `due` gives with these filters, unpaged."""
    return int(connection.execute(due_count_query(filters, before)).scalar_one())


def due_count_query(filters: Mapping[str, str | None], before: str | None) -> sa.Select[Any]:
    return _due_query([sa.func.count()], filters, before)


def cases(
    connection: sa.Connection,
    filters: dict[str, str | None],
    today: str,
    *,
    overdue_only: bool,
    offset: int,
    limit: int | None,
) -> tuple[int, list[Row]]:
    """One page of case summaries (`CASE_COLUMNS`) with their open and overdue counts and
    oldest overdue due date, most overdue first; and how many cases match in all. Only
    the overdue obligations are grouped (a range of the due-date index), and the total is
    counted from the summaries alone."""
    query, matching = cases_queries(filters, today, overdue_only, offset, limit)
    total = int(connection.execute(matching).scalar_one())
    return total, _dicts(connection, query, CASES_ROW)


def cases_queries(
    filters: Mapping[str, str | None],
    today: str,
    overdue_only: bool,
    offset: int,
    limit: int | None,
) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """`cases`' page and its count (parameters named as the filters, `today`, `offset`
    and `limit`)."""
    s, o = case_summaries, open_obligations
    day: sa.BindParameter[str] = sa.bindparam("today", today)
    late = (
        sa.select(
            o.c.case_id,
            sa.func.count().label("overdue"),
            sa.func.min(o.c.due).label("oldest_overdue"),
        )
        .where(o.c.due < day)
        .group_by(o.c.case_id)
        .subquery("late")
    )
    open_count = sa.select(sa.func.count()).where(o.c.case_id == s.c.case_id).scalar_subquery()
    query = sa.select(
        *(s.c[name] for name in CASE_COLUMNS),
        open_count.label("open"),
        sa.func.coalesce(late.c.overdue, 0).label("overdue"),
        late.c.oldest_overdue,
    ).outerjoin(late, late.c.case_id == s.c.case_id)
    matching = sa.select(sa.func.count()).select_from(s)
    columns = {"stage": s.c.stage, "worker": s.c.worker, "team": s.c.team, "pack": s.c.policy}
    for name, value in filters.items():
        if value is not None:
            query = query.where(columns[name] == sa.bindparam(name, value))
            matching = matching.where(columns[name] == sa.bindparam(name, value))
    if overdue_only:
        query = query.where(late.c.oldest_overdue.is_not(None))
        matching = matching.where(sa.exists().where(o.c.case_id == s.c.case_id, o.c.due < day))
    ordered = query.order_by(late.c.oldest_overdue.is_(None), late.c.oldest_overdue, s.c.case_id)
    return _page(ordered, offset, limit), matching


def _dicts(connection: sa.Connection, query: sa.Select[Any], names: Sequence[str]) -> list[Row]:
    """The query's rows as dicts of `names`, made from the driver's own tuples: SQLAlchemy's
    Row objects would cost about as much as the query."""
    return [dict(zip(names, row, strict=True)) for row in scan.driver_rows(connection, query)]


def known_queries() -> tuple[sa.Select[Any], ...]:
    """The holders of obligations, the workers and the teams the read models name."""
    s, o = case_summaries, open_obligations
    return tuple(sa.select(c).distinct() for c in (o.c.owner_id, s.c.worker, s.c.team))


def known(connection: sa.Connection) -> dict[str, list[str]]:
    """The workers, teams and stages the read models name (for refusals that list them)."""
    holders, workers, teams = (set(connection.execute(q).scalars()) for q in known_queries())
    return named(holders | workers, teams)


def worker_queries() -> tuple[sa.Select[Any], ...]:
    """Whether an obligation's holder, then a case's worker, is the worker asked about."""
    s, o = case_summaries, open_obligations
    worker: sa.BindParameter[str] = sa.bindparam("worker")
    return tuple(
        sa.select(sa.literal(1)).where(c == worker).limit(1) for c in (o.c.owner_id, s.c.worker)
    )


def knows_worker(connection: sa.Connection, worker: str) -> bool:
    """Whether `known()["workers"]` names `worker`, without listing them all."""
    if not worker:
        return False
    return any(
        connection.execute(q, {"worker": worker}).first() is not None for q in worker_queries()
    )
