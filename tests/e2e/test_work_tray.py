"""The work tray through the command line: `cpw due --worker`, `--summary`, `cpw cases`,
read from the read models; `cpw rebuild`; a store from the first build upgraded on first
use, said in one log line."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from cli_harness import SW, TM, cpw, json_of, ok, record_args

FIXTURE = Path(__file__).parents[1] / "fixtures" / "stores" / "store-0.1.0.sqlite"
CPW = Path(sys.executable).parent / "cpw"
# T-ASSESSMENT, opened by the s47 strategy meeting of 2025-01-07, is due 35 working days
# later: 2025-02-25. On 2025-03-04 it is 5 working days overdue (26, 27, 28 Feb, 3, 4 Mar).
TODAY = {"CPW_TODAY": "2025-03-04"}


def _two_cases(db: str) -> None:
    ok(db, "init")
    for cid, on in (("C1", "2025-01-06"), ("C2", "2025-03-03")):
        child = {"child": {"ref": f"R-{cid}", "birth_date": "2015-03-01"}}
        ok(db, *record_args(cid, "CaseOpened", on, SW, child), env=TODAY)
    staff = {"person": {"id": "sw-104", "role": "social_worker"}, "team": "north"}
    ok(db, *record_args("C1", "StaffAssigned", "2025-01-06", TM, staff), env=TODAY)
    ok(
        db,
        *record_args("C1", "StrategyMeetingHeld", "2025-01-07", TM, {"outcome": "s47"}),
        env=TODAY,
    )


def test_a_workers_tray_says_what_is_due_and_how_many_working_days_overdue(db: str) -> None:
    _two_cases(db)
    rows = json_of(db, "due", "--worker", "sw-104", env=TODAY)
    assert [(r["case_id"], r["rule"], r["due"], r["status"]) for r in rows] == [
        ("C1", "T-ASSESSMENT", "2025-02-25", "overdue")
    ]
    assert rows[0]["days_overdue"] == 5
    assert rows[0]["owner_id"] == "sw-104" and rows[0]["owner_role"] == "social_worker"
    assert "assessment" in rows[0]["description"]
    text = ok(db, "due", "--worker", "sw-104", env=TODAY).stdout
    assert "overdue 5 wd" in text and "assessment" in text and "1 open, 1 overdue" in text


def test_the_summary_counts_open_and_overdue_per_worker_and_rule(db: str) -> None:
    _two_cases(db)
    counts = json_of(db, "due", "--summary", env=TODAY)
    assert counts["by_worker"]["sw-104"] == {"open": 0, "overdue": 1}
    assert counts["by_rule"]["T-ASSESSMENT"] == {"open": 0, "overdue": 1}
    assert "WORKER" in ok(db, "due", "--summary", env=TODAY).stdout


def test_unknown_roles_and_workers_are_refused_naming_the_known_ones(db: str) -> None:
    _two_cases(db)
    role = cpw(db, "due", "--role", "chair", env=TODAY)
    assert role.exit_code == 2 and "social_worker" in role.stderr and "cp_chair" in role.stderr
    worker = cpw(db, "due", "--worker", "sw-999", env=TODAY)
    assert worker.exit_code == 2
    assert "unknown worker 'sw-999'" in worker.stderr and "sw-104" in worker.stderr
    stage = cpw(db, "cases", "--stage", "plan", env=TODAY)
    assert stage.exit_code == 2 and "cp_plan" in stage.stderr


def test_cases_lists_one_line_a_case_most_overdue_first(db: str) -> None:
    _two_cases(db)
    found = json_of(db, "cases", env=TODAY)
    assert found["total"] == 2
    first, second = found["rows"]
    assert (first["case_id"], first["stage"], first["worker"], first["team"]) == (
        "C1",
        "referral",
        "sw-104",
        "north",
    )
    assert first["overdue"] >= 1 and first["oldest_overdue"] <= "2025-02-25"
    assert (second["case_id"], second["overdue"], second["oldest_overdue"]) == ("C2", 0, None)
    assert [r["case_id"] for r in json_of(db, "cases", "--overdue", env=TODAY)["rows"]] == ["C1"]
    assert json_of(db, "cases", "--worker", "sw-104", env=TODAY)["total"] == 1
    page = json_of(db, "cases", "--offset", "1", "--limit", "1", env=TODAY)
    assert [r["case_id"] for r in page["rows"]] == ["C2"] and page["total"] == 2
    text = ok(db, "cases", env=TODAY).stdout
    assert text.splitlines()[1].split()[:2] == ["C1", "referral"] and "2 cases" in text


def test_due_and_cases_print_their_json_as_json_dumps_with_indent_2_does(db: str) -> None:
    """The field names and the text are the public contract: msgspec writes the documents
    now, byte for byte as `json.dumps(..., indent=2, ensure_ascii=False)` did."""
    _two_cases(db)
    child = {"child": {"ref": "R-Zoë", "birth_date": "2015-03-01"}}
    ok(db, *record_args("C3-Łódź", "CaseOpened", "2025-01-06", SW, child), env=TODAY)
    s47 = {"outcome": "s47"}
    ok(db, *record_args("C3-Łódź", "StrategyMeetingHeld", "2025-01-07", TM, s47), env=TODAY)
    for args in (["due"], ["due", "--summary"], ["cases"], ["cases", "--limit", "1"]):
        printed = ok(db, *args, "--json", env=TODAY).stdout
        assert printed == json.dumps(json.loads(printed), indent=2, ensure_ascii=False) + "\n"
    assert "C3-Łódź" in ok(db, "due", "--json", env=TODAY).stdout


def _run(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CPW_TODAY": "2026-04-01", "CPW_DB": db}
    return subprocess.run([str(CPW), *args], capture_output=True, text=True, env=env, check=False)


def test_a_store_from_the_first_build_gets_its_read_models_on_first_use(tmp_path: Path) -> None:
    copy = tmp_path / "store-0.1.0.sqlite"
    shutil.copy(FIXTURE, copy)
    db = f"sqlite:///{copy}"
    first = _run(db, "due", "--json")
    assert first.returncode == 0, first.stderr
    said = [line for line in first.stderr.splitlines() if "read models" in line]
    assert len(said) == 1 and "built from the log on first use" in said[0]
    again = _run(db, "due", "--json")
    assert again.stdout == first.stdout and "read models" not in again.stderr
    assert _run(db, "verify").returncode == 0


def test_verify_names_a_case_whose_read_model_was_edited_and_rebuild_fixes_it(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "store.sqlite"
    shutil.copy(FIXTURE, copy)
    db = f"sqlite:///{copy}"
    assert _run(db, "rebuild").stdout.strip() == "rebuilt the read models of 5 cases from the log"
    with sqlite3.connect(copy) as connection:
        connection.execute("UPDATE case_summaries SET worker = 'sw-9' WHERE case_id = 'C1005'")
    broken = _run(db, "verify")
    assert broken.returncode == 4
    assert "C1005" in broken.stdout + broken.stderr and "worker" in broken.stdout + broken.stderr
    assert _run(db, "rebuild").returncode == 0
    assert _run(db, "verify").returncode == 0


def test_the_next_record_brings_an_earlier_stores_due_index_up_to_date(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'events.db'}"
    _two_cases(db)
    with sqlite3.connect(tmp_path / "events.db") as connection:  # as an earlier version left it
        connection.execute("DROP INDEX open_obligations_due_order_idx")
        connection.execute("CREATE INDEX open_obligations_due_idx ON open_obligations (due)")
    before = json_of(db, "due", env=TODAY)
    ok(db, *record_args("C2", "ChildVisited", "2025-03-04", SW, {"seen": True}), env=TODAY)
    with sqlite3.connect(tmp_path / "events.db") as connection:
        indexes = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
    assert "open_obligations_due_order_idx" in indexes
    assert "open_obligations_due_idx" not in indexes
    assert json_of(db, "due", env=TODAY) == before
