"""verify's one streamed pass (store/scan.py: rows checked with the fast reading, the
read-model rows merged in case order) reports exactly what the definitions report, the way
verify worked before it: every row through rows.row_hash and verify.first_problem, every
stored view held in a dict. On both engines, for a clean caseload and for each kind of
damage to the log or to the read models, one case or all."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date
from itertools import groupby
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from store_helpers import drop_triggers, raw_engine, run_sql

from cpworkflow.errors import IntegrityError
from cpworkflow.records import CaseView
from cpworkflow.service import CaseService, halves, view_mismatch
from cpworkflow.store import EventStore, recorder
from cpworkflow.store.canonical import chain_hash, encode
from cpworkflow.store.read_store import ReadModels
from cpworkflow.store.rows import stored_event
from cpworkflow.store.verify import first_problem
from cpworkflow.workload.caseload import jsonl, simulate

TODAY = date(2026, 4, 1)
LINES = list(jsonl(simulate(8, seed=3)))


@pytest.fixture(params=["one process", "two processes"])
def service(
    store: EventStore,
    store_url: str,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> CaseService:
    """A store of 8 simulated cases, its triggers dropped; verified in one process, or in
    two (service/halves.py) as a store of PARALLEL_FROM events or more would be."""
    monkeypatch.setattr(halves, "PARALLEL_FROM", 0 if request.param == "two processes" else 10**9)
    if request.param == "two processes":
        monkeypatch.setattr(halves, "cores", lambda: 2)
    service = CaseService(store, today=lambda: TODAY)
    service.import_lines(LINES)
    drop_triggers(store_url)
    return service


def by_definition(service: CaseService, url: str, case_id: str | None = None) -> list[Any]:
    """verify as it was: the stored views in a dict, each case's rows through first_problem
    and stored_event, replay, view_mismatch; then the views of cases the log lacks."""
    stored: dict[str, tuple[CaseView, int]] = {
        view.case_id: (view, position)
        for view, position in service.store.read_models.views(case_id)
    }
    problems: list[dict[str, Any]] = []
    engine = raw_engine(url)
    with engine.connect() as connection:
        rows = list(recorder.all_rows(connection, case_id))
    engine.dispose()
    for cid, group in groupby(rows, key=lambda row: str(row["case_id"])):
        case_rows = list(group)
        view = stored.pop(cid, None)
        broken = first_problem(case_rows)
        if broken is not None:
            problems.append(
                {"case_id": cid, "seq": broken.seq, "kind": broken.kind, "message": broken.message}
            )
            continue
        events = [stored_event(row) for row in case_rows]
        try:
            expected = service.view_of(events)
        except Exception as err:  # noqa: BLE001 - as verify: any replay failure
            seq = getattr(err, "seq", None)
            problems.append({"case_id": cid, "seq": seq, "kind": "replay", "message": str(err)})
            continue
        wrong = view_mismatch(expected, events[-1].position, view)
        if wrong is not None:
            problems.append({"case_id": cid, "seq": None, "kind": "read_model", "message": wrong})
    for cid in sorted(stored):
        message = f"case {cid}: the read models hold a case the log does not have"
        problems.append({"case_id": cid, "seq": None, "kind": "read_model", "message": message})
    return problems


def _row(url: str, case_id: str, seq: int) -> dict[str, Any]:
    engine = raw_engine(url)
    with engine.connect() as connection:
        found = [r for r in recorder.all_rows(connection, case_id) if r["seq"] == seq]
    engine.dispose()
    return found[0]


SCALARS = ("case_id", "seq", "type", "occurred_on", "recorded_at", "schema_version", "policy")
SCALARS += ("policy_version", "key", "prev_hash")


def _rewrite(url: str, case_id: str, seq: int, *, rehash: bool, **texts: str) -> None:
    """Store new text in some of a row's JSON columns; with `rehash`, also a hash made over
    exactly that text, as a forger would who hashes what he stores."""
    row = {**_row(url, case_id, seq), **texts}
    scalars = {name: row[name] for name in SCALARS}
    scalars["occurred_on"] = str(scalars["occurred_on"])
    forged = chain_hash(scalars, {name: row[name] for name in ("actor", "data", "decision")})
    engine = raw_engine(url)
    with engine.begin() as connection:
        sets = ", ".join(f"{name} = :{name}" for name in texts)
        if rehash:
            sets += ", hash = :hash"
        connection.execute(
            sa.text(f"UPDATE events SET {sets} WHERE case_id = :c AND seq = :s"),
            {**texts, "hash": forged, "c": case_id, "s": seq},
        )
    engine.dispose()


def _data(url: str, case_id: str, seq: int) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(_row(url, case_id, seq)["data"])
    return value


CASE = "S000003"
Damage = Callable[[str], None]


def _spaced(url: str) -> None:  # not canonical, same object: as the auditor's script, clean
    _rewrite(url, CASE, 4, rehash=False, data=json.dumps(_data(url, CASE, 4), indent=2))


def _spaced_and_rehashed(url: str) -> None:  # the hash made over text that is not canonical
    _rewrite(url, CASE, 4, rehash=True, data=json.dumps(_data(url, CASE, 4), indent=2))


def _float_rehashed(url: str) -> None:  # a float, hashed as msgspec would write it
    _rewrite(url, CASE, 5, rehash=True, data=encode({"seen": True})[:-1] + ',"weight":1.5}')


def _huge_rehashed(url: str) -> None:  # an integer beyond 2**53 - 1
    _rewrite(url, CASE, 5, rehash=True, data='{"n":9007199254740993}')


def _astral_keys_rehashed(url: str) -> None:  # code point order, not UTF-16 order
    _rewrite(url, CASE, 5, rehash=True, data='{"\ue000":1,"\U0001f600":2}')


def _spliced(url: str) -> None:
    """Text moved from data into actor: the columns joined still read the same."""
    row = _row(url, CASE, 2)
    data = str(row["data"])
    cut = data.index(",") if "," in data else len(data) - 1
    actor = str(row["actor"]) + ',"case_id":' + json.dumps(CASE) + ',"data":' + data[:cut]
    _rewrite(url, CASE, 2, rehash=False, actor=actor, data=data[cut:])


def _not_json(url: str) -> None:
    _rewrite(url, CASE, 3, rehash=False, decision="{not json")


def _edited(url: str) -> None:
    _rewrite(url, CASE, 6, rehash=False, data=encode({**_data(url, CASE, 6), "extra": 1}))


def _deleted(url: str) -> None:
    run_sql(url, f"DELETE FROM events WHERE case_id = '{CASE}' AND seq = 3")


def _summary_deleted(url: str) -> None:  # its open obligations stay: position -1
    run_sql(url, f"DELETE FROM case_summaries WHERE case_id = '{CASE}'")


def _rows_deleted(url: str) -> None:
    run_sql(
        url,
        f"DELETE FROM case_summaries WHERE case_id = '{CASE}'",
        f"DELETE FROM open_obligations WHERE case_id = '{CASE}'",
    )


def _cases_the_log_lacks(url: str) -> None:
    """A summary for a case with no events, after the last; open obligations for another
    before the first, and for a third between two real cases."""
    columns = "case_id, obligation_id, rule, due, owner_role, owner_id, opened_seq, opened_on"
    run_sql(
        url,
        "INSERT INTO case_summaries (case_id, version, position, stage, stage_since, policy,"
        " policy_version, worker, team, categories, plan_started_on, people) SELECT"
        " 'Z-none', version, position, stage, stage_since, policy, policy_version, worker,"
        f" team, categories, plan_started_on, people FROM case_summaries WHERE case_id = '{CASE}'",
        f"INSERT INTO open_obligations ({columns}) VALUES"
        " ('A-none', 'o1', 'r', '2026-01-01', 'social_worker', NULL, 1, '2025-12-01'),"
        " ('S000003a', 'o1', 'r', '2026-01-01', 'social_worker', NULL, 1, '2025-12-01'),"
        " ('S000003a', 'o0', 'r', '2026-01-02', 'social_worker', NULL, 1, '2025-12-01')",
    )


def _position_moved(url: str) -> None:
    run_sql(url, f"UPDATE case_summaries SET position = position - 1 WHERE case_id = '{CASE}'")


def _obligation_edited(url: str) -> None:
    run_sql(url, "UPDATE open_obligations SET due = '2020-01-01' WHERE case_id = 'S000005'")


def _stage_edited(url: str) -> None:
    run_sql(url, "UPDATE case_summaries SET stage = 'cin' WHERE case_id = 'S000002'")


DAMAGE: dict[str, tuple[Damage, list[tuple[str, str]]]] = {
    "nothing": (lambda url: None, []),
    "a payload re-spaced": (_spaced, []),
    "a payload re-spaced and rehashed": (_spaced_and_rehashed, [(CASE, "payload_edited")]),
    "a float, rehashed": (_float_rehashed, [(CASE, "payload_edited")]),
    "a huge integer, rehashed": (_huge_rehashed, [(CASE, "payload_edited")]),
    "astral keys in code point order, rehashed": (
        _astral_keys_rehashed,
        [(CASE, "payload_edited")],
    ),
    "text moved between columns": (_spliced, [(CASE, "payload_edited")]),
    "a decision that is not JSON": (_not_json, [(CASE, "payload_edited")]),
    "a payload edited": (_edited, [(CASE, "payload_edited")]),
    "an event deleted": (_deleted, [(CASE, "seq_gap")]),
    "a summary row deleted": (_summary_deleted, [(CASE, "read_model")]),
    "a case's read-model rows deleted": (_rows_deleted, [(CASE, "read_model")]),
    "read-model rows of cases the log lacks": (
        _cases_the_log_lacks,
        [("A-none", "read_model"), ("S000003a", "read_model"), ("Z-none", "read_model")],
    ),
    "a summary's position moved": (_position_moved, [(CASE, "read_model")]),
    "an open obligation edited": (_obligation_edited, [("S000005", "read_model")]),
    "a stage edited": (_stage_edited, [("S000002", "read_model")]),
}


@pytest.mark.parametrize(("damage", "kinds"), DAMAGE.values(), ids=DAMAGE.keys())
def test_verify_reports_what_the_definitions_report(
    service: CaseService, store_url: str, damage: Damage, kinds: list[tuple[str, str]]
) -> None:
    damage(store_url)
    problems = service.verify()
    assert problems == by_definition(service, store_url)
    assert [(p["case_id"], p["kind"]) for p in problems] == kinds
    for cid in (CASE, "S000005"):
        assert service.verify(cid) == by_definition(service, store_url, cid)
    assert service.store.verify() == [
        p for _, _, p in _walked(service.store) if p is not None
    ]  # the chain check alone agrees with the walk


def _walked(store: EventStore) -> list[Any]:
    return list(store.walk())


def test_the_walk_gives_the_events_load_gives(service: CaseService) -> None:
    walked = {cid: events for cid, events, problem in service.store.walk() if problem is None}
    assert sorted(walked) == service.case_ids()
    for cid, events in walked.items():
        assert events == service.store.load(cid)
    every = [e for events in walked.values() for e in events]
    assert every == list(service.store.stream())
    by_position = sorted(every, key=lambda e: e.position)
    assert list(service.store.read_all(batch_size=7)) == by_position
    assert list(service.store.read_all(by_position[99].position)) == by_position[100:]


@pytest.mark.parametrize("column", ["data", "recorded_at"])
def test_reading_everything_stops_at_a_row_that_cannot_be_read_as_before(
    service: CaseService, store_url: str, column: str
) -> None:
    """stream and read_all give every event before it, then IntegrityError naming it."""
    run_sql(store_url, f"UPDATE events SET {column} = 'x' WHERE case_id = '{CASE}' AND seq = 9")
    engine = raw_engine(store_url)
    with engine.connect() as connection:
        rows = list(recorder.all_rows(connection, None))
    engine.dispose()
    bad = next(n for n, r in enumerate(rows) if r["case_id"] == CASE and r["seq"] == 9)
    ordered = sorted(rows, key=lambda r: int(r["position"]))
    for read, before in (
        (service.store.stream(), rows[:bad]),
        (service.store.read_all(batch_size=50), ordered[: ordered.index(rows[bad])]),
    ):
        got = []
        with pytest.raises(IntegrityError) as raised:
            got.extend(read)
        assert (raised.value.case_id, raised.value.seq) == (CASE, 9)
        assert got == [stored_event(r) for r in before]


def test_progress_is_told_each_case_of_the_log_once_in_order(
    service: CaseService, store_url: str
) -> None:
    _cases_the_log_lacks(store_url)
    told: list[int] = []
    service.verify(progress=told.append)
    assert told == list(range(1, len(service.case_ids()) + 1))


@pytest.mark.parametrize(
    ("column", "value", "kinds"),
    [
        ("seq", "CAST('7' AS BLOB)", [(CASE, "seq_gap")]),  # a blob sorts after numbers
        ("data", "CAST(data AS BLOB)", [(CASE, "payload_edited")]),  # str() of bytes
        ("recorded_at", "CAST(recorded_at AS BLOB)", [(CASE, "payload_edited")]),
        ("schema_version", "'1'", []),  # SQLite makes text an integer here
        ("occurred_on", "'2025-1-1'", [(CASE, "payload_edited")]),
        ("key", "1", [(CASE, "payload_edited")]),
    ],
)
def test_a_column_of_another_type_on_sqlite_is_judged_by_the_definitions(
    tmp_path: Any, column: str, value: str, kinds: list[tuple[str, str]]
) -> None:
    """SQLite keeps whatever type it is given: the fast reading takes only the types the
    store writes, and leaves the rest to the definitions."""
    url = f"sqlite:///{tmp_path / 'typed.db'}"
    store = EventStore(url)
    store.init()
    service = CaseService(store, today=lambda: TODAY)
    service.import_lines(LINES)
    drop_triggers(url)
    run_sql(url, f"UPDATE events SET {column} = {value} WHERE case_id = '{CASE}' AND seq = 7")
    problems = service.verify()
    assert problems == by_definition(service, url)
    assert [(p["case_id"], p["kind"]) for p in problems] == kinds
    store.dispose()


def test_a_clean_log_is_read_without_the_definitions(
    service: CaseService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every row the store wrote passes the fast reading: the definitions, which read each
    row twice, are for damaged cases only."""

    def definition(rows: Any) -> None:
        raise AssertionError("a clean case fell back to the definitions")

    monkeypatch.setattr("cpworkflow.store.scan_rows.first_problem", definition)
    assert service.verify() == []
    assert service.store.verify() == []


def test_a_row_that_cannot_be_read_stops_verify_as_before(
    service: CaseService, store_url: str
) -> None:
    """A last row whose hash holds but whose recorded_at is no timestamp cannot become an
    event: verify raises IntegrityError naming it, in the second half of the log as in the
    first, and the first in case order when there are two."""
    for case_id in ("S000007", "S000002"):
        last = service.store.version(case_id)
        _rewrite(store_url, case_id, last, rehash=True, recorded_at="not a time")
        with pytest.raises(IntegrityError) as raised:
            service.verify()
        assert (raised.value.case_id, raised.value.seq) == (case_id, last)


def test_a_second_process_that_fails_changes_nothing(
    service: CaseService, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the forked process fail, this one checks its half: the same report, and
    progress told once a case."""
    monkeypatch.setattr(halves, "PARALLEL_FROM", 0)
    monkeypatch.setattr(halves, "cores", lambda: 2)
    _cases_the_log_lacks(store_url)
    _edited(store_url)
    expected = by_definition(service, store_url)

    def fails(self: EventStore) -> EventStore:
        raise OSError("no connection for you")

    monkeypatch.setattr(EventStore, "reopened", fails)
    told: list[int] = []
    assert service.verify(progress=told.append) == expected
    assert told == list(range(1, len(service.case_ids()) + 1))


def test_a_whole_store_is_checked_in_two_processes(
    service: CaseService, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With two cores and enough events, two processes each check some of the cases."""
    monkeypatch.setattr(halves, "PARALLEL_FROM", 0)
    monkeypatch.setattr(halves, "cores", lambda: 2)
    # An earlier test of the whole suite may leave a thread behind (a server's, a pool's),
    # which rightly keeps verify from forking; this test is about what happens when it does.
    monkeypatch.setattr(halves.threading, "active_count", lambda: 1)
    checkers = tmp_path / "checkers"
    split = halves.check_in_two

    def spied(service: CaseService, check: halves.Check, progress: Any) -> halves.Checked:
        def check_here(*args: Any) -> halves.Checked:
            with checkers.open("a") as out:
                out.write(f"{os.getpid()}\n")
            return check(*args)

        return split(service, check_here, progress)

    monkeypatch.setattr(halves, "check_in_two", spied)
    assert service.verify() == []
    assert len(set(checkers.read_text().split())) == 2
    assert service.verify("S000005") == []  # one case: one process
    assert len(checkers.read_text().split()) == 2


def test_case_ids_the_database_sorts_otherwise_are_verified_without_the_merge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite sorts a blob after all text, Python compares its str() as text: the merge in
    case order cannot be trusted then, and verify holds the read models in memory instead,
    with the same report."""
    url = f"sqlite:///{tmp_path / 'sorted.db'}"
    store = EventStore(url)
    store.init()
    service = CaseService(store, today=lambda: TODAY)
    service.import_lines(LINES)
    columns = "case_id, obligation_id, rule, due, owner_role, owner_id, opened_seq, opened_on"
    run_sql(
        url,
        f"INSERT INTO open_obligations ({columns}) VALUES"
        " ('zz', 'o1', 'r', '2026-01-01', 'social_worker', NULL, 1, '2025-12-01'),"
        " (CAST('A' AS BLOB), 'o1', 'r', '2026-01-01', 'social_worker', NULL, 1, '2025-12-01')",
    )
    held: list[str | None] = []
    views = ReadModels.views

    def held_in_memory(self: ReadModels, case_id: str | None = None) -> Any:
        held.append(case_id)
        return views(self, case_id)

    monkeypatch.setattr(ReadModels, "views", held_in_memory)
    problems = service.verify()
    assert held == [None]  # the merge gave up, and verify read every view first
    assert problems == by_definition(service, url)
    assert [p["case_id"] for p in problems] == ["b'A'", "zz"]
    store.dispose()
