"""Nothing is lost without a word: a store that keeps nothing is refused, a read never creates
a store, a missing or unreachable store has its own exit code (6), the database's own
append-only guards are checked, and a bug is one line (exit 70), not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from cli_harness import SW, cpw, fingerprint, ok, opened_on_plan, record_args

import cpworkflow.reads
from cpworkflow.store.rows import row_hash

VISIT = {"seen": True}
IN_MEMORY = [
    "sqlite://",
    "sqlite:///:memory:",
    "sqlite:///file:cases?mode=memory&uri=true",
    "sqlite:///file::memory:?cache=shared",
]
READS = [
    ["show", "C1"],
    ["history", "C1"],
    ["due"],
    ["audit", "C1"],
    ["verify"],
    ["export", "--format", "jsonl"],
    ["diagram", "--case", "C1"],
]


@pytest.mark.parametrize("url", IN_MEMORY)
@pytest.mark.parametrize(
    "args",
    [
        ["init"],
        record_args("C1", "CaseOpened", "2025-01-06", SW, {"child": {"ref": "R-1"}}),
        ["import", "-"],
        ["show", "C1"],
    ],
    ids=["init", "record", "import", "show"],
)
def test_an_in_memory_sqlite_url_is_refused_by_every_command(url: str, args: list[str]) -> None:
    result = cpw(url, *args, input=b'{"case_id": "C1"}\n')
    assert result.exit_code == 2
    assert result.stderr.startswith("error: url: is an in-memory SQLite database")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("args", READS, ids=[a[0] for a in READS])
def test_a_read_on_a_mistyped_path_creates_nothing_and_exits_6(
    tmp_path: Path, args: list[str]
) -> None:
    missing = tmp_path / "typo" / "folder" / "events.db"
    result = cpw(f"sqlite:///{missing}", *args)
    assert (result.exit_code, result.stdout) == (6, "")
    assert result.stderr == f"error: no store at {missing}: create it with `cpw init`\n"
    assert not (tmp_path / "typo").exists()


def test_a_database_without_the_events_table_is_a_missing_store(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    sa.create_engine(f"sqlite:///{empty}").connect().close()
    result = cpw(f"sqlite:///{empty}", "show", "C1")
    assert result.exit_code == 6
    assert "has no events table" in result.stderr


def test_an_unreachable_database_exits_6_in_one_line() -> None:
    result = cpw("postgresql+psycopg://nobody@127.0.0.1:1/none", "show", "C1")
    assert (result.exit_code, result.stdout) == (6, "")
    assert result.stderr.startswith("error: the event store failed: ")
    assert len(result.stderr.splitlines()) == 1


def test_a_write_creates_the_store_a_read_then_finds(db: str) -> None:
    assert cpw(db, "show", "C1").exit_code == 6
    ok(db, *record_args("C1", "CaseOpened", "2025-01-06", SW, {"child": {"ref": "R-1"}}))
    assert ok(db, "show", "C1").stdout


def test_a_repeated_key_with_the_same_content_is_still_a_duplicate(db: str) -> None:
    opened_on_plan(db)
    visit = [*record_args("C1", "ChildVisited", "2025-02-03", SW, VISIT), "--key", "v1"]
    ok(db, *visit)
    before = fingerprint(db, "C1")
    again = ok(db, *visit)
    assert again.stdout.startswith("C1: key already recorded as seq 4; nothing written")
    assert fingerprint(db, "C1") == before


def test_a_key_reused_inside_an_import_for_a_different_event_names_the_line(
    db: str, tmp_path: Path
) -> None:
    opened_on_plan(db)
    ok(db, *record_args("C1", "ChildVisited", "2025-02-03", SW, VISIT), "--key", "v1")
    before = fingerprint(db, "C1")
    line = (
        '{"case_id": "C1", "type": "ChildVisited", "occurred_on": "2025-02-04", "key": "v1",'
        ' "actor": {"id": "sw-1", "role": "social_worker"}, "data": {"seen": true}}\n'
    )
    result = cpw(db, "import", "-", input=line)
    assert result.exit_code == 3
    assert "key 'v1' is already recorded as seq 4 with a different occurred_on" in result.stderr
    assert fingerprint(db, "C1") == before


def _guards_off(url: str) -> None:
    """What an owner can do in one statement: on SQLite drop, on PostgreSQL disable."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("DROP TRIGGER events_refuse_delete")
        else:
            connection.exec_driver_sql("ALTER TABLE events DISABLE TRIGGER USER")
    engine.dispose()


def test_init_verify_and_record_exit_4_when_the_append_only_triggers_are_off(
    store_url: str,
) -> None:
    opened_on_plan(store_url)
    _guards_off(store_url)
    before = fingerprint(store_url, "C1")
    init = cpw(store_url, "init")
    assert init.exit_code == 4
    assert "append-only trigger events_refuse_" in init.stderr
    verify = cpw(store_url, "verify")
    assert verify.exit_code == 4
    assert "INTEGRITY FAILURE: the append-only trigger events_refuse_" in verify.stdout
    if "postgresql" in store_url:
        assert "is disabled (pg_trigger.tgenabled = 'D')" in verify.stdout
    visit = cpw(store_url, *record_args("C1", "ChildVisited", "2025-02-03", SW, VISIT))
    assert visit.exit_code == 4
    assert fingerprint(store_url, "C1") == before


def test_audit_exits_4_when_the_integrity_check_fails(db: str) -> None:
    opened_on_plan(db)
    engine = sa.create_engine(db)
    with engine.begin() as connection:  # seq 3 linked to a forged predecessor, rehashed
        connection.exec_driver_sql("DROP TRIGGER events_refuse_update")
        row = dict(
            connection.exec_driver_sql("SELECT * FROM events WHERE seq = 3").mappings().one()
        )
        row["prev_hash"] = "f" * 64
        connection.execute(
            sa.text("UPDATE events SET prev_hash = :p, hash = :h WHERE seq = 3"),
            {"p": row["prev_hash"], "h": row_hash(row)},
        )
    engine.dispose()
    audit = cpw(db, "audit", "C1")
    assert audit.exit_code == 4
    assert "Integrity: FAILED" in audit.stdout


def _a_bug(*_args: object, **_kwargs: object) -> object:
    raise ZeroDivisionError("division by zero in C1's data")


def test_an_internal_error_is_one_line_exit_70_and_the_traceback_only_in_debug(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened_on_plan(db)
    monkeypatch.setattr(cpworkflow.reads.Reads, "show", _a_bug)
    plain = cpw(db, "show", "C1")
    assert (plain.exit_code, plain.stdout) == (70, "")
    assert plain.stderr.splitlines() == [
        "internal error (ZeroDivisionError); nothing was written"
        " (run with --log-level debug for the traceback, and report it)"
    ]
    debug = cpw(db, "--log-level", "debug", "show", "C1")
    assert debug.exit_code == 70
    assert "Traceback (most recent call last)" in debug.stderr
