"""The read models on SQLAlchemy: what `ReadModels` (read_store.py) does through an engine."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import groupby

import sqlalchemy as sa

from cpworkflow.records import CaseView, StoredEvent
from cpworkflow.store import engine as engines
from cpworkflow.store import read_models, recorder, schema_state
from cpworkflow.store.rows import stored_event

Row = read_models.Row
BATCH_CASES = 500  # cases read with one query, written with one executemany (PostgreSQL: COPY)


class SqlReadModels:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def built(self) -> bool:
        """Whether every case's rows are there (a store created before the read models
        existed has none until they are built)."""
        with engines.translated(), recorder.reading(self._engine) as connection:
            return read_models.is_built(connection)

    def schema_current(self) -> bool:
        """Whether `EventStore.init` would change nothing in this store: one look at its
        catalogue on SQLite, always False on PostgreSQL (store/schema_state.py)."""
        return schema_state.current(self._engine)

    def mark_if_empty(self) -> None:
        """A store without events has all its read models: say so, once."""
        with engines.translated(), recorder.writing(self._engine) as connection:
            if not read_models.is_built(connection) and recorder.count(connection) == 0:
                read_models.mark_built(connection, 0)

    def rebuild(
        self,
        compute: Callable[[list[StoredEvent]], CaseView],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Recompute every case's rows from its log, in one write transaction (appends
        wait, readers carry on with the old rows); returns the number of cases."""
        recorder.create_schema(self._engine)  # the tables, if the store predates them
        cases, last = 0, 0
        with engines.translated(), recorder.writing(self._engine) as connection:
            read_models.clear(connection)
            ids = recorder.case_ids(connection)
            for start in range(0, len(ids), BATCH_CASES):
                rows = recorder.rows_of_cases(connection, ids[start : start + BATCH_CASES])
                pending: list[tuple[CaseView, int]] = []
                for _, case_rows in groupby(rows, key=lambda row: str(row["case_id"])):
                    events = [stored_event(row) for row in case_rows]
                    pending.append((compute(events), events[-1].position))
                    last = max(last, events[-1].position)
                    cases += 1
                    if progress is not None:
                        progress(cases)
                read_models.write(connection, pending)
            read_models.mark_built(connection, last)
        return cases

    def views(self, case_id: str | None = None) -> Iterator[tuple[CaseView, int]]:
        with engines.translated(), recorder.reading(self._engine) as connection:
            yield from read_models.views(connection, case_id)

    def due(
        self,
        filters: dict[str, str | None],
        before: str | None = None,
        *,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[Row]:
        with (
            engines.translated(),
            recorder.reading(self._engine) as connection,
            engines.mapped(connection),
        ):
            return read_models.due(connection, filters, before, offset=offset, limit=limit)

    def due_page(
        self, filters: dict[str, str | None], before: str | None, *, offset: int, limit: int
    ) -> tuple[int, list[Row]]:
        """How many `due` rows match in all, and one page of them (one read transaction)."""
        with (
            engines.translated(),
            recorder.reading(self._engine) as connection,
            engines.mapped(connection),
        ):
            total = read_models.due_count(connection, filters, before)
            rows = read_models.due(connection, filters, before, offset=offset, limit=limit)
            return total, rows

    def cases(
        self,
        filters: dict[str, str | None],
        today: str,
        *,
        overdue_only: bool = False,
        offset: int = 0,
        limit: int | None = None,
    ) -> tuple[int, list[Row]]:
        with (
            engines.translated(),
            recorder.reading(self._engine) as connection,
            engines.mapped(connection),
        ):
            return read_models.cases(
                connection, filters, today, overdue_only=overdue_only, offset=offset, limit=limit
            )

    def known(self) -> dict[str, list[str]]:
        with engines.translated(), recorder.reading(self._engine) as connection:
            return read_models.known(connection)

    def knows_worker(self, worker: str) -> bool:
        with engines.translated(), recorder.reading(self._engine) as connection:
            return read_models.knows_worker(connection, worker)
