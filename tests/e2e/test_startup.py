"""Start-up: a command imports only what it needs. `show` on a SQLite store loads neither
SQLAlchemy's PostgreSQL dialect nor the diagram code (measured with `python -X importtime`,
the same tool a developer would use)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cli_harness import TODAY


def _imported(*args: str) -> set[str]:
    env = {**os.environ, "CPW_TODAY": TODAY}
    env.pop("CPW_DB", None)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cpworkflow", *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def test_show_on_sqlite_loads_no_postgresql_dialect_and_no_diagram_code(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'events.db'}"
    child = '{"child": {"ref": "R-1", "birth_date": "2015-03-01"}}'
    opened = ["record", "C1", "CaseOpened", "--on", "2025-01-06", "--data", child]
    _imported("--db", db, *opened, "--actor", "sw-1", "--role", "social_worker")
    modules = _imported("--db", db, "show", "C1", "--json")
    assert "cpworkflow.store.event_store" in modules  # the measurement sees the store
    assert "sqlalchemy.dialects.postgresql" not in modules
    assert not {m for m in modules if m.startswith("cpworkflow.reports.diagram")}
    assert "cpworkflow.workload.caseload" not in modules


def test_a_postgresql_url_still_gets_its_dialect_and_the_partial_key_index() -> None:
    from cpworkflow.store import EventStore
    from cpworkflow.store.tables import KEY_INDEX

    EventStore("postgresql+psycopg://nobody@127.0.0.1:1/none").dispose()
    assert KEY_INDEX.dialect_options["postgresql"]["where"] is not None
