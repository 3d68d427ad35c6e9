"""The direct path: a SQLite file through the standard library's `sqlite3`, without
SQLAlchemy (whose import alone is most of a cold `cpw show` or `cpw record`). It runs what
`show`, `history`, `record`, `due` and `cases` need, and nothing else: the statements are
the SQLite compilation of the general path's own (store/sqlite_statements.py, generated),
every connection is set up as the engine's are (store/sqlite_setup.py), and a driver's
failure becomes the CpwError the general path raises for it (store/failures.py).
`EventStore` (event_store.py) sends everything else to SQLAlchemy.

Connections are kept for reuse, one transaction at a time each (as SQLAlchemy's pool keeps
them), and closed by `close`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cpworkflow.errors import CpwError, StoreUnavailableError
from cpworkflow.records import CaseView, NewEvent, StoredEvent
from cpworkflow.store import appending, failures, inputs, sqlite_setup
from cpworkflow.store.appending import AppendResult, Head
from cpworkflow.store.read_names import CASES_GIVEN, CASES_ROW, DUE_COLUMNS, DUE_GIVEN, given
from cpworkflow.store.scan_rows import read
from cpworkflow.store.sqlite_statements import (
    CATALOGUE,
    READ_TABLES,
    REPLACED,
    SCHEMA,
    STATEMENTS,
)

Row = dict[str, Any]
_SCHEMA = set(SCHEMA)
_REPLACED = set(REPLACED)
_FILTERS = ("to_seq", "occurred_on", "recorded_at")


@contextmanager
def translated() -> Iterator[None]:
    """No driver exception leaves the store: each becomes the CpwError `engine.translated`
    makes of it."""
    try:
        yield
    except CpwError:
        raise
    except sqlite3.Error as err:
        raise failures.from_driver(err) from None
    except OSError as err:
        raise failures.from_os(err) from None


class Session:
    """One transaction's statements (appending.Statements, and the reads)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def run(self, name: str, values: dict[str, Any]) -> list[Any]:
        """The statement's rows, its parameters by name."""
        sql, names, fixed = STATEMENTS[name]
        given = {**fixed, **values}
        return self._connection.execute(sql, [given[n] for n in names]).fetchall()

    def run_text(self, sql: str) -> list[Any]:
        """The rows of a statement with no parameters."""
        return self._connection.execute(sql).fetchall()

    def rows(self, name: str, values: dict[str, Any], names: Sequence[str]) -> list[Row]:
        """The statement's rows as dicts of `names`."""
        return [dict(zip(names, row, strict=True)) for row in self.run(name, values)]

    def with_keys(self, case_id: str, keys: Sequence[str]) -> list[dict[str, Any]]:
        sql, names, fixed = STATEMENTS["with key"]
        found: list[dict[str, Any]] = []
        for key in dict.fromkeys(keys):  # one query a key: the rows `IN (keys)` selects
            given = {**fixed, "case_id": case_id, "keys_1": key}
            cursor = self._connection.execute(sql, [given[n] for n in names])
            columns = [c[0] for c in cursor.description]
            found.extend(dict(zip(columns, row, strict=True)) for row in cursor)
        return sorted(found, key=lambda row: int(row["seq"]))

    def head(self, case_id: str) -> Head:
        rows = self.run("head", {"case_id": case_id})
        return (0, None) if not rows else (int(rows[0][0]), str(rows[0][1]))

    def insert(self, rows: list[dict[str, Any]]) -> list[int]:
        positions = []
        for row in rows:
            day = row["occurred_on"]
            values = {**row, "occurred_on": day.isoformat()}  # as SQLite's dialect binds it
            try:
                positions.append(int(self.run("insert", values)[0][0]))
            except sqlite3.IntegrityError as err:
                if failures.is_seq_taken(err):
                    raise failures.SeqCollision from None
                raise
        return positions

    def write_view(self, view: CaseView, position: int) -> None:
        case_id = {"case_id": view.case_id}
        self.run("delete summary", case_id)
        self.run("delete obligations", case_id)
        self.run("insert summary", {**view.summary, **case_id, "position": position})
        sql, names, _ = STATEMENTS["insert obligations"]
        rows = [{**o, **case_id} for o in view.obligations]
        self._connection.executemany(sql, [[r[n] for n in names] for r in rows])

    def case_events(self, case_id: str) -> list[StoredEvent]:
        return self.load((case_id, None, None, None))

    def load(self, filters: inputs.Loading) -> list[StoredEvent]:
        case_id, to_seq, day, known_at = filters
        values = {"case_id": case_id, "to_seq": to_seq, "recorded_at": known_at}
        values["occurred_on"] = None if day is None else day.isoformat()
        given = ",".join(n for n in _FILTERS if values[n] is not None)
        return list(read(self.run(f"case events:{given}", values)))

    def exists(self, case_id: str) -> bool:
        return bool(self.run("exists", {"case_id": case_id}))


class Direct:
    """A SQLite file's store on the standard library's driver."""

    def __init__(self, path: Path, now: Callable[[], str]) -> None:
        self.path = path
        self._now = now
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        connection = sqlite3.connect(self.path, check_same_thread=False)
        try:
            sqlite_setup.configure(connection)
        except BaseException:
            connection.close()
            raise
        return connection

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[Session]:
        """One transaction (`BEGIN IMMEDIATE` for a write, `BEGIN` for a read), committed
        when the block ends, rolled back if it raises."""
        with translated():
            connection = self._connect()
            try:
                connection.execute(begin)
                try:
                    yield Session(connection)
                except BaseException:
                    connection.rollback()
                    raise
                connection.commit()
            finally:
                if connection.in_transaction:  # its rollback failed: not kept
                    connection.close()
                else:
                    with self._lock:
                        self._idle.append(connection)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    # -- what `EventStore` asks of it ----------------------------------------------------

    def require(self) -> None:
        """As `SqlStore.require`."""
        if not self.path.is_file():
            raise StoreUnavailableError(f"no store at {self.path}: create it with `cpw init`")
        with self._transaction(sqlite_setup.BEGIN_READ) as session:
            found = session.run_text(sqlite_setup.HAS_EVENTS)
        if not found:
            raise StoreUnavailableError(
                "this database has no events table: create the store with `cpw init`"
            )

    def schema_current(self) -> bool:
        """As `schema_state.current`: False for a missing file, or when in doubt."""
        if not self.path.is_file():
            return False
        try:
            with self._transaction(sqlite_setup.BEGIN_READ) as session:
                present = {(str(k), str(n)) for k, n in session.run_text(CATALOGUE)}
                if not present >= _SCHEMA or present & _REPLACED:
                    return False
                return bool(session.run("schema marked", {})[0][0])
        except CpwError:  # `init` meets it again, and says what it is
            return False

    def head(self, case_id: str) -> Head:
        with self._transaction(sqlite_setup.BEGIN_READ) as session:
            return session.head(case_id)

    def exists(self, case_id: str) -> bool:
        with self._transaction(sqlite_setup.BEGIN_READ) as session:
            return session.exists(case_id)

    def case_events(self, filters: inputs.Loading) -> list[StoredEvent]:
        with self._transaction(sqlite_setup.BEGIN_READ) as session:
            return session.load(filters)

    def write_one(
        self, batch: inputs.Batch, view: CaseView | None, after_hash: str | None
    ) -> AppendResult:
        with self._transaction(sqlite_setup.BEGIN_WRITE) as session:
            return appending.write_one(session, batch, view, after_hash, self._now)

    def decided(
        self,
        case_id: str,
        decide: Callable[[list[StoredEvent]], NewEvent | StoredEvent],
        view: Callable[[], CaseView | None],
    ) -> AppendResult:
        with self._transaction(sqlite_setup.BEGIN_WRITE) as session:
            return appending.decided(session, case_id, decide, view, self._now)

    # -- the read models -----------------------------------------------------------------

    @contextmanager
    def _mapped(self) -> Iterator[Session]:
        """A read through a memory map, as `engine.mapped` reads the caseload."""
        with self._transaction(sqlite_setup.BEGIN_READ) as session:
            session.run_text(sqlite_setup.MAP)
            try:
                yield session
            finally:
                session.run_text(sqlite_setup.UNMAP)

    def built(self) -> bool:
        """As `read_models.is_built`."""
        with self._transaction(sqlite_setup.BEGIN_READ) as session:
            present = {str(name) for (name,) in session.run_text(sqlite_setup.TABLES)}
            return set(READ_TABLES) <= present and bool(session.run("built", {}))

    def due(
        self, filters: dict[str, str | None], before: str | None, offset: int, limit: int | None
    ) -> list[Row]:
        with self._mapped() as session:
            return self._due(session, filters, before, offset, limit)

    def due_page(
        self, filters: dict[str, str | None], before: str | None, offset: int, limit: int
    ) -> tuple[int, list[Row]]:
        with self._mapped() as session:
            values = {**filters, "before": before}
            total = int(session.run(f"due count:{given(values, DUE_GIVEN)}", values)[0][0])
            return total, self._due(session, filters, before, offset, limit)

    @staticmethod
    def _due(
        session: Session,
        filters: dict[str, str | None],
        before: str | None,
        offset: int,
        limit: int | None,
    ) -> list[Row]:
        values = {**filters, "before": before, "offset": offset, "limit": limit}
        return session.rows(f"due:{given(values, DUE_GIVEN)}", values, DUE_COLUMNS)

    def cases(
        self,
        filters: dict[str, str | None],
        today: str,
        overdue_only: bool,
        offset: int,
        limit: int | None,
    ) -> tuple[int, list[Row]]:
        values = {**filters, "today": today, "offset": offset, "limit": limit}
        values["overdue"] = True if overdue_only else None
        with self._mapped() as session:
            counted = {**values, "limit": None}
            total = int(session.run(f"cases count:{given(counted, CASES_GIVEN)}", values)[0][0])
            return total, session.rows(f"cases:{given(values, CASES_GIVEN)}", values, CASES_ROW)

    def known(self) -> tuple[set[Any], set[Any]]:
        """The workers (holders of obligations and of cases) and the teams named."""
        with self._transaction(sqlite_setup.BEGIN_READ) as session:
            holders, workers, teams = (
                {row[0] for row in session.run(f"known {name}", {})}
                for name in ("holders", "workers", "teams")
            )
        return holders | workers, teams

    def knows_worker(self, worker: str) -> bool:
        with self._transaction(sqlite_setup.BEGIN_READ) as session:
            return any(
                session.run(f"is {name}", {"worker": worker}) for name in ("holder", "worker")
            )
