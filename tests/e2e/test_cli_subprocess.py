"""The installed `cpw` and `python -m cpworkflow` as real processes: exit codes, stdout and
stderr as a shell or a CI job sees them, and the sample cases on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cli_harness import SAMPLE_FILES, SW, TODAY, record_args, tamper_with_payload

CPW = Path(sys.executable).parent / "cpw"
OPENED = {"child": {"ref": "R-9", "birth_date": "2014-02-01"}}


def run(
    *argv: str, input: bytes | None = None, module: bool = False
) -> subprocess.CompletedProcess[str]:
    """`cpw ARGV...` (or `python -m cpworkflow ARGV...`) in a child process."""
    env = {k: v for k, v in os.environ.items() if k != "CPW_DB"}
    env["CPW_TODAY"] = TODAY
    command = [sys.executable, "-m", "cpworkflow"] if module else [str(CPW)]
    completed = subprocess.run(
        [*command, *argv], input=input, capture_output=True, env=env, timeout=120, check=False
    )
    out, err = completed.stdout.decode(), completed.stderr.decode()
    assert "Traceback" not in out + err, err
    return subprocess.CompletedProcess(completed.args, completed.returncode, out, err)


def test_cpw_is_installed_next_to_the_interpreter() -> None:
    assert CPW.is_file()
    help_text = run("--help")
    assert help_text.returncode == 0
    assert help_text.stdout.startswith("Usage: cpw [OPTIONS] COMMAND [ARGS]...")


def test_the_installed_cpw_records_shows_and_exits_with_the_product_codes(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cases' / 'events.db'}"
    opened = run("--db", db, *record_args("C7", "CaseOpened", "2025-01-06", SW, OPENED))
    assert (opened.returncode, opened.stdout) == (
        0,
        "C7: CaseOpened recorded as seq 1; stage referral\n",
    )
    view = json.loads(run("--db", db, "show", "C7", "--json").stdout)
    assert (view["case_id"], view["stage"], view["version"]) == ("C7", "referral", 1)

    twice = run("--db", db, *record_args("C7", "CaseOpened", "2025-01-07", SW, OPENED))
    assert twice.returncode == 1
    assert twice.stderr.startswith("refused: G-STAGE: ")
    bad = run(
        "--db",
        db,
        "record",
        "C7",
        "ChildVisited",
        "--on",
        "2025-01-08",
        "--actor",
        "sw-1",
        "--role",
        "social_worker",
        "--data",
        "{not json",
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: --data: is not valid JSON")
    stale = run(
        "--db",
        db,
        *record_args("C7", "AssessmentStarted", "2025-01-08", SW, {}),
        "--expect-version",
        "0",
    )
    assert (stale.returncode, stale.stderr) == (
        3,
        "error: case C7: expected version 0, but it is at 1\n",
    )
    missing = run("--db", db, "history", "C8")
    assert (missing.returncode, missing.stderr) == (5, "error: case C8 not found\n")


def test_python_m_cpworkflow_is_the_same_command(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'events.db'}"
    run("--db", db, *record_args("C7", "CaseOpened", "2025-01-06", SW, OPENED), module=True)
    rows = json.loads(run("--db", db, "history", "C7", "--json", module=True).stdout)
    assert [(r["seq"], r["type"], r["stage_after"]) for r in rows] == [
        (1, "CaseOpened", "referral")
    ]
    usage = run("--db", db, "show", module=True)
    assert (usage.returncode, usage.stderr.count("\n")) == (2, 1)


def test_the_samples_restore_verify_and_audit_on_each_engine(store_url: str) -> None:
    """The frozen samples are restored with their own decisions (importing decides each
    event again, and revision 2's G-INFORMED refuses C1003's and C1004's closings)."""
    samples = b"".join(path.read_bytes() for path in SAMPLE_FILES)
    assert run("--db", store_url, "init").returncode == 0
    restored = run("--db", store_url, "restore", "-", input=samples)
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith("restored 80 events of 4 cases")

    verified = run("--db", store_url, "verify", "--json")
    assert (verified.returncode, json.loads(verified.stdout)) == (0, {"ok": True, "problems": []})
    audit = json.loads(run("--db", store_url, "audit", "C1003", "--json").stdout)
    assert audit["integrity"]["ok"] is True
    assert audit["summary"] == {"lapsed": 3, "met": 10, "met_late": 1}
    stages = {
        case: json.loads(run("--db", store_url, "show", case, "--json").stdout)["stage"]
        for case in ("C1001", "C1002", "C1003", "C1004")
    }
    assert stages == {"C1001": "closed", "C1002": "cin", "C1003": "closed", "C1004": "closed"}
    due = json.loads(run("--db", store_url, "due", "--overdue", "--json").stdout)
    assert {row["case_id"] for row in due} == {"C1002"}


def test_verify_exits_4_after_someone_edits_a_payload_on_each_engine(store_url: str) -> None:
    sample = next(p for p in SAMPLE_FILES if p.stem == "C1004")
    assert run("--db", store_url, "init").returncode == 0
    assert run("--db", store_url, "restore", str(sample)).returncode == 0
    tamper_with_payload(store_url, "C1004", 2)
    broken = run("--db", store_url, "verify")
    assert broken.returncode == 4
    assert broken.stdout.startswith("INTEGRITY FAILURE: case C1004 seq 2:")
    assert run("--db", store_url, "show", "C1004").returncode == 4
