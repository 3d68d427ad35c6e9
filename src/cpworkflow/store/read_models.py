"""The read models' SQL: each function takes an open connection (the transaction is the
caller's, so rows are written with the events they derive from) and runs a few queries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import groupby
from typing import Any

import sqlalchemy as sa

from cpworkflow.records import CaseView
from cpworkflow.store.read_tables import (
    READ_TABLES,
    case_summaries,
    open_obligations,
    read_model_state,
)

Row = dict[str, Any]
BUILT = "built"
_CHUNK = 500  # ids in one IN (...) list


def tables_exist(connection: sa.Connection) -> bool:
    return all(sa.inspect(connection).has_table(t.name) for t in READ_TABLES)


def is_built(connection: sa.Connection) -> bool:
    if not tables_exist(connection):
        return False
    query = sa.select(read_model_state.c.value).where(read_model_state.c.name == BUILT)
    return connection.execute(query).first() is not None


def mark_built(connection: sa.Connection, through_position: int) -> None:
    connection.execute(sa.delete(read_model_state).where(read_model_state.c.name == BUILT))
    connection.execute(sa.insert(read_model_state), {"name": BUILT, "value": str(through_position)})


def write(connection: sa.Connection, views: Sequence[tuple[CaseView, int]]) -> None:
    """Replace these cases' rows: one executemany per table. `int` is the log position of
    the case's last event, which the rows reflect."""
    if not views:
        return
    ids = [view.case_id for view, _ in views]
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for table in (case_summaries, open_obligations):
            connection.execute(sa.delete(table).where(table.c.case_id.in_(chunk)))
    connection.execute(
        sa.insert(case_summaries),
        [{**view.summary, "case_id": view.case_id, "position": p} for view, p in views],
    )
    obligations = [{**o, "case_id": v.case_id} for v, _ in views for o in v.obligations]
    if obligations:
        connection.execute(sa.insert(open_obligations), obligations)


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


def due(connection: sa.Connection, filters: dict[str, str | None], before: str | None) -> list[Row]:
    """Open obligations with their case's stage, soonest first. `filters`: case_id, role
    (owner_role), worker (owner_id), stage; `before`: only those due before that day."""
    o, s = open_obligations, case_summaries
    query = sa.select(o, s.c.stage, s.c.policy).join(s, s.c.case_id == o.c.case_id)
    columns = {"case_id": o.c.case_id, "role": o.c.owner_role, "worker": o.c.owner_id}
    columns["stage"] = s.c.stage
    for name, value in filters.items():
        if value is not None:
            query = query.where(columns[name] == value)
    if before is not None:
        query = query.where(o.c.due < before)
    query = query.order_by(o.c.due, o.c.case_id, o.c.rule, o.c.obligation_id)
    return [dict(m) for m in connection.execute(query).mappings()]


def cases(
    connection: sa.Connection,
    filters: dict[str, str | None],
    today: str,
    *,
    overdue_only: bool,
    offset: int,
    limit: int | None,
) -> tuple[int, list[Row]]:
    """One page of case summaries with their open and overdue counts and oldest overdue due
    date, most overdue first; and how many cases match in all."""
    s, o = case_summaries, open_obligations
    late = o.c.due < today
    counts = (
        sa.select(
            o.c.case_id,
            sa.func.count().label("open"),
            sa.func.sum(sa.case((late, 1), else_=0)).label("overdue"),
            sa.func.min(sa.case((late, o.c.due), else_=None)).label("oldest_overdue"),
        )
        .group_by(o.c.case_id)
        .subquery()
    )
    query = sa.select(
        s,
        sa.func.coalesce(counts.c.open, 0).label("open"),
        sa.func.coalesce(counts.c.overdue, 0).label("overdue"),
        counts.c.oldest_overdue,
    ).outerjoin(counts, counts.c.case_id == s.c.case_id)
    columns = {"stage": s.c.stage, "worker": s.c.worker, "team": s.c.team, "pack": s.c.policy}
    for name, value in filters.items():
        if value is not None:
            query = query.where(columns[name] == value)
    if overdue_only:
        query = query.where(counts.c.oldest_overdue.is_not(None))
    total = connection.execute(sa.select(sa.func.count()).select_from(query.subquery()))
    ordered = query.order_by(
        counts.c.oldest_overdue.is_(None), counts.c.oldest_overdue, s.c.case_id
    ).offset(offset)
    if limit is not None:
        ordered = ordered.limit(limit)
    return int(total.scalar_one()), [dict(m) for m in connection.execute(ordered).mappings()]


def known(connection: sa.Connection) -> dict[str, list[str]]:
    """The workers, teams and stages the read models name (for refusals that list them)."""
    s, o = case_summaries, open_obligations
    workers = set(connection.execute(sa.select(o.c.owner_id).distinct()).scalars())
    workers |= set(connection.execute(sa.select(s.c.worker).distinct()).scalars())
    teams = set(connection.execute(sa.select(s.c.team).distinct()).scalars())
    return {
        "workers": sorted(str(w) for w in workers if w),
        "teams": sorted(str(t) for t in teams if t),
    }
