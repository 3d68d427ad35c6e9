"""The read models as the service sees them: built or not, rebuilt from the log, and read
(`due`, `cases`, `verify`). Written by `EventStore` in each append's own transaction. On a
plain SQLite file the reads of `due` and `cases` run on the direct path
(store/sqlite_direct.py); everything else on SQLAlchemy (store/read_store_sql.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from cpworkflow.records import CaseView, StoredEvent
from cpworkflow.store import read_names
from cpworkflow.store.sqlite_direct import Direct

if TYPE_CHECKING:
    from cpworkflow.store.read_store_sql import SqlReadModels

Row = dict[str, Any]


class ReadModels:
    def __init__(self, direct: Direct | None, general: Callable[[], SqlReadModels]) -> None:
        self._direct = direct
        self._general = general

    def built(self) -> bool:
        """Whether every case's rows are there (a store created before the read models
        existed has none until they are built)."""
        if self._direct is not None:
            return self._direct.built()
        return self._general().built()

    def schema_current(self) -> bool:
        """Whether `EventStore.init` would change nothing in this store: one look at its
        catalogue on SQLite, always False on PostgreSQL (store/schema_state.py)."""
        if self._direct is not None:
            return self._direct.schema_current()
        return self._general().schema_current()

    def mark_if_empty(self) -> None:
        """A store without events has all its read models: say so, once."""
        self._general().mark_if_empty()

    def rebuild(
        self,
        compute: Callable[[list[StoredEvent]], CaseView],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Recompute every case's rows from its log, in one write transaction (appends
        wait, readers carry on with the old rows); returns the number of cases."""
        return self._general().rebuild(compute, progress)

    def views(self, case_id: str | None = None) -> Iterator[tuple[CaseView, int]]:
        return self._general().views(case_id)

    def due(
        self,
        filters: dict[str, str | None],
        before: str | None = None,
        *,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[Row]:
        if self._direct is not None:
            return self._direct.due(filters, before, offset, limit)
        return self._general().due(filters, before, offset=offset, limit=limit)

    def due_page(
        self, filters: dict[str, str | None], before: str | None, *, offset: int, limit: int
    ) -> tuple[int, list[Row]]:
        """How many `due` rows match in all, and one page of them (one read transaction)."""
        if self._direct is not None:
            return self._direct.due_page(filters, before, offset, limit)
        return self._general().due_page(filters, before, offset=offset, limit=limit)

    def cases(
        self,
        filters: dict[str, str | None],
        today: str,
        *,
        overdue_only: bool = False,
        offset: int = 0,
        limit: int | None = None,
    ) -> tuple[int, list[Row]]:
        if self._direct is not None:
            return self._direct.cases(filters, today, overdue_only, offset, limit)
        return self._general().cases(
            filters, today, overdue_only=overdue_only, offset=offset, limit=limit
        )

    def known(self) -> dict[str, list[str]]:
        if self._direct is not None:
            return read_names.named(*self._direct.known())
        return self._general().known()

    def knows_worker(self, worker: str) -> bool:
        if self._direct is not None:
            return bool(worker) and self._direct.knows_worker(worker)
        return self._general().knows_worker(worker)
