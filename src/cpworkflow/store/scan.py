"""`verify`'s one pass over a store: every event in (case_id, seq) order from one streamed
query, each case's hash chain checked as it comes (store/scan_rows.py), and each case's
read-model rows from two more streamed queries in the same order beside it. Memory holds
one case, and one fetch of rows from each query, whatever the size of the store.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from itertools import chain, groupby
from operator import itemgetter
from typing import Any

import sqlalchemy as sa

from cpworkflow.records import CaseView, StoredEvent
from cpworkflow.store.read_tables import case_summaries, open_obligations
from cpworkflow.store.scan_rows import NAMES as NAMES
from cpworkflow.store.scan_rows import Checker, Events, Scanned
from cpworkflow.store.scan_rows import read as read
from cpworkflow.store.tables import events
from cpworkflow.store.verify import IntegrityProblem

FETCH = 2000  # rows fetched at a time from each streamed query
_CASE_ID = itemgetter(1)  # of a row of NAMES
# occurred_on is selected as text on SQLite, as recorder.py does, so that a bad date is
# the row's problem rather than the driver's; PostgreSQL's psycopg hands a date over.
_COLUMNS = [
    sa.type_coerce(events.c[n], sa.String).label(n) if n == "occurred_on" else events.c[n]
    for n in NAMES
]


class OutOfOrder(RuntimeError):
    """A query's rows were not in the case order the merge needs (the database sorts
    case_id otherwise than Python compares it: a column of another collation, or values of
    another type). Nothing is wrong with the store: verify then does without the merge."""


@dataclass(frozen=True, slots=True)
class Audited:
    """One case as verify needs it: its events (empty when its chain is broken; Scanned
    where the fast reading read them), the first problem of its chain, and its stored
    read-model rows with the log position they reflect (None when it has none). `in_log`
    is False for read-model rows of a case the log does not have (then there are no events
    and no problem)."""

    case_id: str
    events: Events
    problem: IntegrityProblem | None
    stored: tuple[CaseView, int] | None
    in_log: bool = True


def driver_rows(
    connection: sa.Connection, query: sa.Select[Any]
) -> Generator[Sequence[Any], None, None]:
    """The query's rows as the driver's own tuples, FETCH at a time, in this transaction:
    SQLAlchemy's Row objects cost as much as the rest of reading a row. PostgreSQL reads
    through a server-side cursor, so memory holds one fetch. A driver error is raised as
    SQLAlchemy's, which `engine.translated` turns into a CpwError."""
    with closing(driver_batches(connection, query)) as batches:
        for batch in batches:
            yield from batch


def driver_batches(
    connection: sa.Connection, query: sa.Select[Any], cursor_name: str = "cpw_scan"
) -> Generator[Sequence[Sequence[Any]], None, None]:
    """`driver_rows` a fetch at a time (on PostgreSQL through the server-side cursor of
    that name: queries streamed side by side need names of their own)."""
    compiled = query.compile(dialect=connection.dialect)
    params: Any = compiled.params
    if compiled.positional:
        params = tuple(compiled.params[name] for name in compiled.positiontup or ())
    statement = str(compiled)
    driver = connection.connection.driver_connection
    assert driver is not None
    error = connection.dialect.loaded_dbapi.Error
    try:
        postgresql = connection.dialect.name == "postgresql"
        cursor = driver.cursor(name=cursor_name) if postgresql else driver.cursor()
        try:
            cursor.execute(statement, params)
            while batch := cursor.fetchmany(FETCH):
                yield batch
        finally:
            cursor.close()
    except error as err:
        raise sa.exc.DBAPIError.instance(statement, params, err, error) from None


Span = tuple[str | None, str | None]  # case ids from the first (or the start) to before the second


def _within(query: sa.Select[Any], column: Any, case_id: str | None, span: Span) -> sa.Select[Any]:
    """The query's rows of one case, or of the cases in the span (the database compares)."""
    if case_id is not None:
        query = query.where(column == case_id)
    start, stop = span
    if start is not None:
        query = query.where(column >= start)
    if stop is not None:
        query = query.where(column < stop)
    return query


def cases(
    connection: sa.Connection,
    case_id: str | None,
    *,
    read: bool = True,
    span: Span = (None, None),
) -> Generator[tuple[str, list[StoredEvent], IntegrityProblem | None], None, None]:
    """Every case (or one, or those in `span`) in case order: its events, or the first
    problem of its chain (then no events). With `read=False` only the problems count: a
    case whose chain holds but whose rows `stored_event` cannot read comes with no events
    instead of raising."""
    with closing(_cases(connection, case_id, read, span, shared=False)) as walked:
        for cid, found, problem in walked:
            yield cid, [e.stored() if isinstance(e, Scanned) else e for e in found], problem


def _cases(
    connection: sa.Connection, case_id: str | None, read: bool, span: Span, *, shared: bool
) -> Generator[tuple[str, Events, IntegrityProblem | None], None, None]:
    """`cases`, a case the fast reading read coming as Scanned events (which, `shared`,
    may hold the objects of other events' texts: see `scan_rows.Checker._text`)."""
    query = sa.select(*_COLUMNS).order_by(events.c.case_id, events.c.seq)
    query = _within(query, events.c.case_id, case_id, span)
    checker = Checker(read, shared=shared)
    with closing(driver_batches(connection, query)) as batches:  # closed before the transaction
        for cid, rows in by_case(chain.from_iterable(batches)):
            yield checker.case(cid, rows)


def by_case(rows: Iterable[Sequence[Any]]) -> Iterator[tuple[str, list[Sequence[Any]]]]:
    """Rows (NAMES) in runs of one case id, as `str` of the column makes it: `_by_case`,
    with the runs found by groupby (in C). Where the column holds a str, the rows of a
    run equal to it hold that str (nothing a driver gives equals a str but a str); any
    other run is cut again by the definition."""
    current: str | None = None
    pending: list[Sequence[Any]] = []
    for value, run in groupby(rows, _CASE_ID):
        if type(value) is str:
            cuts: Iterable[tuple[str, list[Sequence[Any]]]] = ((value, list(run)),)
        else:
            cuts = _by_case(run)
        for cid, found in cuts:
            if cid == current:
                pending.extend(found)
                continue
            if pending:
                yield current or "", pending
            current, pending = cid, found
    if pending:
        yield current or "", pending


def _by_case(rows: Iterable[Sequence[Any]]) -> Iterator[tuple[str, list[Sequence[Any]]]]:
    """Rows in runs of one case id, `str` of the column (the definition of `by_case`)."""
    found: list[Sequence[Any]] = []
    current = ""
    for row in rows:
        cid = row[1] if type(row[1]) is str else str(row[1])
        if cid != current:
            if found:
                yield current, found
            found, current = [], cid
        found.append(row)
    if found:
        yield current, found


def audit(
    connection: sa.Connection, case_id: str | None, span: Span = (None, None)
) -> Iterator[Audited]:
    """`cases`, each with its stored read-model rows, merged in case order as both come;
    read-model rows of a case the log does not have come as `in_log=False`, in their place
    in that order. Raises OutOfOrder, perhaps after some cases, if a query's case order is
    not Python's."""
    with (
        closing(_views(connection, case_id, span)) as views,
        closing(_cases(connection, case_id, True, span, shared=True)) as walked,
    ):
        pending = next(views, None)
        last = None
        for cid, found, problem in walked:
            if last is not None and cid <= last:
                raise OutOfOrder("the events")
            last = cid
            while pending is not None and pending[0] < cid:
                yield Audited(pending[0], [], None, pending[1:], in_log=False)
                pending = next(views, None)
            stored = None
            if pending is not None and pending[0] == cid:
                stored = pending[1:]
                pending = next(views, None)
            yield Audited(cid, found, problem, stored)
        while pending is not None:
            yield Audited(pending[0], [], None, pending[1:], in_log=False)
            pending = next(views, None)


def _views(
    connection: sa.Connection, case_id: str | None, span: Span
) -> Generator[tuple[str, CaseView, int], None, None]:
    """Every case's stored read-model rows (or one case's) in case order, as
    `read_models.views` gives them (a case with obligations but no summary row has an empty
    summary and position -1), from two streamed queries instead of one held in memory."""
    s, o = case_summaries, open_obligations
    summaries = _within(sa.select(s).order_by(s.c.case_id), s.c.case_id, case_id, span)
    obligations = sa.select(o).order_by(o.c.case_id, o.c.obligation_id)
    obligations = _within(obligations, o.c.case_id, case_id, span)
    with (
        closing(_grouped(_mappings(connection, obligations, "cpw_owed"))) as groups,
        closing(_mappings(connection, summaries, "cpw_summaries")) as summary_rows,
    ):
        group = next(groups, None)
        last = None
        for row in summary_rows:
            cid = str(row.pop("case_id"))
            if last is not None and cid <= last:
                raise OutOfOrder("the read models")
            last = cid
            position = int(row.pop("position"))
            while group is not None and group[0] < cid:
                yield group[0], CaseView(group[0], {}, group[1]), -1
                group = next(groups, None)
            owed: tuple[dict[str, Any], ...] = ()
            if group is not None and group[0] == cid:
                owed = group[1]
                group = next(groups, None)
            yield cid, CaseView(cid, row, owed), position
        while group is not None:
            yield group[0], CaseView(group[0], {}, group[1]), -1
            group = next(groups, None)


def _mappings(
    connection: sa.Connection, query: sa.Select[Any], cursor: str
) -> Generator[dict[str, Any], None, None]:
    """The query's rows as dicts of its columns' names, streamed beside the others (the
    read tables' columns are text and integers, which SQLAlchemy hands over as the driver
    gives them)."""
    names = [column.name for column in query.selected_columns]
    with closing(driver_batches(connection, query, cursor)) as batches:
        for batch in batches:
            for row in batch:
                yield dict(zip(names, row, strict=True))


def _grouped(
    mappings: Iterator[dict[str, Any]],
) -> Generator[tuple[str, tuple[dict[str, Any], ...]], None, None]:
    """Obligation rows (in case order) as (case_id, its rows without case_id)."""
    current: str | None = None
    rows: list[dict[str, Any]] = []
    for row in mappings:
        cid = str(row.pop("case_id"))
        if cid != current:
            if current is not None:
                if cid < current:
                    raise OutOfOrder("the read models")
                yield current, tuple(rows)
            current, rows = cid, []
        rows.append(row)
    if current is not None:
        yield current, tuple(rows)


def stream(connection: sa.Connection) -> Generator[StoredEvent, None, None]:
    """Every event in (case, seq) order, read as `stored_event` reads it (unchecked)."""
    query = sa.select(*_COLUMNS).order_by(events.c.case_id, events.c.seq)
    with closing(driver_rows(connection, query)) as rows:
        yield from read(rows)


def after(connection: sa.Connection, position: int, limit: int) -> list[Sequence[Any]]:
    """The rows of the first `limit` events after `position`, in position order (NAMES)."""
    query = sa.select(*_COLUMNS).where(events.c.position > position)
    query = query.order_by(events.c.position).limit(limit)
    return list(driver_rows(connection, query))


def middle_case(connection: sa.Connection) -> str | None:
    """The case of the event halfway through the log in case order (None when empty): the
    cases before it and those from it on hold about half the events each."""
    total = connection.execute(sa.select(sa.func.count()).select_from(events)).scalar_one()
    if not total:
        return None
    query = sa.select(events.c.case_id).order_by(events.c.case_id, events.c.seq)
    return str(connection.execute(query.offset(int(total) // 2).limit(1)).scalar_one())
