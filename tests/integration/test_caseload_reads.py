"""The caseload reads paged in SQL, on both engines: the work tray's pages are `due` cut
into pieces, `cases` gives what its rows say (checked against the stored rows, counted in
Python), and a store made before the due-date index gets it on `init`."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa

from cpworkflow.errors import BadInputError
from cpworkflow.reads import Reads
from cpworkflow.service import CaseService
from cpworkflow.store import EventStore
from cpworkflow.workload.caseload import case_story

TODAY = date(2026, 4, 1)  # the simulated stories end the day before
CHILDREN = 30
PER_PAGE = 3


@pytest.fixture
def reads(store: EventStore) -> Reads:
    service = CaseService(store, today=lambda: TODAY)
    envelopes = [e for n in range(1, CHILDREN + 1) for e in case_story(11, n)]
    service.import_lines([json.dumps(e) for e in envelopes])
    return Reads(service)


def _pages(read: object, **filters: object) -> tuple[list[int], list[dict[str, object]]]:
    """Every page of a paged read, in order: the totals each said, and the rows."""
    totals, rows, page = [], [], 1
    while True:
        found = read(**filters, page=page, per_page=PER_PAGE)  # type: ignore[operator]
        totals.append(found["total"])
        rows += found["rows"]
        if page * PER_PAGE >= found["total"]:
            return totals, rows
        page += 1


@pytest.mark.parametrize(
    "filters",
    [{}, {"overdue_only": True}, {"role": "social_worker"}, {"role": "cp_chair"}],
    ids=["everything", "overdue", "social-worker", "chair"],
)
def test_the_trays_pages_are_todays_due_list_cut_in_pages(
    reads: Reads, filters: dict[str, object]
) -> None:
    role = filters.get("role")
    whole = reads.due(None, bool(filters.get("overdue_only")), None, role, None)  # type: ignore[arg-type]
    totals, rows = _pages(reads.tray, **filters)
    assert rows == whole and set(totals) == {len(whole)}
    assert len(whole) > PER_PAGE
    statuses = [r["status"] for r in rows]
    assert statuses == sorted(statuses, key=lambda s: s != "overdue")  # overdue first
    assert "overdue" in statuses


def test_a_workers_tray_and_an_unknown_worker(reads: Reads) -> None:
    worker = next(r["owner_id"] for r in reads.due(None, False, None, None) if r["owner_id"])
    mine = reads.tray(worker=worker, per_page=500)
    assert mine["rows"] and {r["owner_id"] for r in mine["rows"]} == {worker}
    assert mine["rows"] == reads.due(None, False, None, None, worker)
    with pytest.raises(BadInputError, match="unknown worker 'sw-nobody'; known workers: "):
        reads.tray(worker="sw-nobody")


def _expected_cases(reads: Reads, **filters: str) -> list[dict[str, object]]:
    """`cases` worked out in Python from the stored rows: counts, oldest overdue, order."""
    today, found = TODAY.isoformat(), []
    for view, _ in reads.service.store.read_models.views():
        s = {**view.summary, "case_id": view.case_id}
        if any(s[{"pack": "policy"}.get(k, k)] != v for k, v in filters.items()):
            continue
        late = sorted(o["due"] for o in view.obligations if o["due"] < today)
        found.append(
            {
                "case_id": view.case_id,
                "stage": s["stage"],
                "stage_since": s["stage_since"],
                "worker": s["worker"],
                "team": s["team"],
                "policy": s["policy"],
                "people": json.loads(s["people"]),
                "open": len(view.obligations),
                "overdue": len(late),
                "oldest_overdue": late[0] if late else None,
                "version": s["version"],
            }
        )
    return sorted(
        found, key=lambda r: (r["oldest_overdue"] is None, r["oldest_overdue"] or "", r["case_id"])
    )


def test_cases_counts_and_orders_what_the_stored_rows_say(reads: Reads) -> None:
    expected = _expected_cases(reads)
    everything = reads.cases()
    assert everything["rows"] == expected and everything["total"] == CHILDREN
    assert any(r["overdue"] for r in expected) and any(not r["overdue"] for r in expected)
    overdue = reads.cases(overdue_only=True)
    assert overdue["rows"] == [r for r in expected if r["overdue"]]
    assert overdue["total"] == len(overdue["rows"])
    totals, rows = _pages(reads.caseload)
    assert rows == expected and set(totals) == {CHILDREN}
    stage = str(expected[0]["stage"])
    staged = reads.cases(stage=stage, offset=1, limit=2)
    assert staged["rows"] == _expected_cases(reads, stage=stage)[1:3]
    assert staged["total"] == len(_expected_cases(reads, stage=stage))
    pack = str(expected[-1]["policy"])
    assert reads.cases(pack=pack)["rows"] == _expected_cases(reads, pack=pack)


def _indexes(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            found = sa.inspect(connection).get_indexes("open_obligations")
            return {str(index["name"]) for index in found}
    finally:
        engine.dispose()


def test_a_store_made_before_the_due_order_index_gets_it_on_init(
    store: EventStore, store_url: str
) -> None:
    assert "open_obligations_due_order_idx" in _indexes(store_url)
    engine = sa.create_engine(store_url)
    with engine.begin() as connection:  # the indexes as the previous version made them
        connection.execute(sa.text("DROP INDEX open_obligations_due_order_idx"))
        connection.execute(
            sa.text("CREATE INDEX open_obligations_due_idx ON open_obligations (due)")
        )
    engine.dispose()
    store.init()
    found = _indexes(store_url)
    assert "open_obligations_due_order_idx" in found and "open_obligations_due_idx" not in found
    store.init()  # nothing left to do
    assert _indexes(store_url) == found


def test_the_caseload_reads_map_the_file_only_while_they_read(reads: Reads, store_url: str) -> None:
    """`due` and `cases` read a SQLite file through a memory map, and leave the pooled
    connection as they found it (a later read of the whole log maps nothing); the rows are
    those a plain read of the same query gives."""
    from cpworkflow.store import read_models
    from cpworkflow.store.engine import mapped

    engine = sa.create_engine(store_url)
    try:
        with engine.connect() as connection:
            plain = read_models.due(connection, {}, None)
            size = "SELECT 1" if engine.dialect.name != "sqlite" else "PRAGMA mmap_size"
            with mapped(connection):
                inside = connection.exec_driver_sql(size).scalar_one()
                mapped_rows = read_models.due(connection, {}, None)
            after = connection.exec_driver_sql(size).scalar_one()
    finally:
        engine.dispose()
    assert mapped_rows == plain and len(plain) > CHILDREN // 2
    if store_url.startswith("sqlite"):
        assert inside > 0 and after == 0
    models = reads.service.store.read_models
    assert models.due({"case_id": None, "role": None, "worker": None}) == plain
