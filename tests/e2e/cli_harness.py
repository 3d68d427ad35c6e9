"""Helpers for the end-to-end tests: run `cpw` in process (click's CliRunner) with a fixed
"today", reach the sample cases, and attack a store the way someone at a SQL prompt would.

Imported by the e2e tests (`from cli_harness import cpw`); pytest puts this folder on the
path because it has no `__init__.py`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import structlog
from click.testing import CliRunner, Result

from cpworkflow.cli import cli
from cpworkflow.store import EventStore

ROOT = Path(__file__).parents[2]
SAMPLES = ROOT / "eventstore" / "samples"
SAMPLE_FILES = sorted(SAMPLES.glob("*.jsonl"))
# After the last sample event (2026-03-17): every sample imports without a future date.
TODAY = "2026-06-30"
SW = {"id": "sw-1", "role": "social_worker"}
TM = {"id": "tm-1", "role": "team_manager"}
CHAIR = {"id": "chair-1", "role": "cp_chair"}

sys.path.insert(0, str(ROOT / "scripts"))
from sample_cases import CASES  # noqa: E402  (scripts/ is not a package)

__all__ = ["CASES"]


def cpw(
    db: str | None,
    *args: str,
    input: bytes | str | None = None,
    env: Mapping[str, str | None] | None = None,
    keep_logging: bool = False,
) -> Result:
    """Run `cpw [--db DB] ARGS...` in process. CPW_TODAY is TODAY unless `env` says
    otherwise; CPW_DB is unset unless `env` sets it. Unexpected exceptions propagate.
    Afterwards structlog is reset, unless `keep_logging` (a test capturing logs)."""
    environment: dict[str, str | None] = {"CPW_TODAY": TODAY, "CPW_DB": None}
    environment.update(env or {})
    argv = ["--db", db, *args] if db is not None else list(args)
    try:
        return CliRunner().invoke(cli, argv, input=input, env=environment, catch_exceptions=False)
    finally:
        if not keep_logging:
            # The CLI pointed structlog at the runner's stderr, which is closed now, and
            # bound its command to this thread's logging context.
            structlog.reset_defaults()
            structlog.contextvars.clear_contextvars()


def ok(db: str | None, *args: str, **kwargs: Any) -> Result:
    """`cpw`, insisting on exit 0."""
    result = cpw(db, *args, **kwargs)
    assert result.exit_code == 0, (args, result.exit_code, result.stderr)
    return result


def json_of(db: str | None, *args: str, **kwargs: Any) -> Any:
    """The one JSON document a read command prints with --json."""
    return json.loads(ok(db, *args, "--json", **kwargs).stdout)


def sqlite_url(folder: Path, name: str = "events.db") -> str:
    return f"sqlite:///{folder / name}"


def record_args(
    case_id: str, type_: str, on: str, actor: Mapping[str, str], data: Mapping[str, Any]
) -> list[str]:
    return [
        "record",
        case_id,
        type_,
        "--on",
        on,
        "--actor",
        actor["id"],
        "--role",
        actor["role"],
        "--data",
        json.dumps(data),
    ]


def opened_on_plan(db: str, case_id: str = "C1") -> None:
    """A case opened, strategy s47, and an ICPC plan for neglect on 2025-01-28 (version 3)."""
    ok(db, "init")
    steps: list[tuple[str, str, Mapping[str, str], dict[str, Any]]] = [
        ("CaseOpened", "2025-01-06", SW, {"child": {"ref": "R-77", "birth_date": "2015-03-01"}}),
        ("StrategyMeetingHeld", "2025-01-07", TM, {"outcome": "s47"}),
        (
            "InitialConferenceHeld",
            "2025-01-28",
            CHAIR,
            {
                "chair": CHAIR,
                "decision": "plan",
                "categories": ["neglect"],
                "lead_social_worker": SW,
            },
        ),
    ]
    for type_, on, actor, data in steps:
        ok(db, *record_args(case_id, type_, on, actor, data))


def fingerprint(url: str, case_id: str) -> tuple[int, str | None, int]:
    """What must not change when input is refused: the store's event count, and the case's
    last hash and version."""
    store = EventStore(url)
    try:
        return store.count(), store.last_hash(case_id), store.version(case_id)
    finally:
        store.dispose()


def exported_lines(text: str | bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def without_store_stamps(line: Mapping[str, Any]) -> dict[str, Any]:
    """An exported line minus what a new store necessarily changes: when it was recorded
    and the hashes that cover that moment."""
    stored = {
        k: v for k, v in line["stored"].items() if k not in ("recorded_at", "hash", "prev_hash")
    }
    return {**line, "stored": stored}


def data_leaves(value: Any) -> Iterator[str]:
    """Every string leaf of a JSON value (dict values and list items, recursively)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from data_leaves(item)
    elif isinstance(value, Sequence):
        for item in value:
            yield from data_leaves(item)


def tamper_with_payload(url: str, case_id: str, seq: int) -> None:
    """What someone with the owner's rights could do: drop the append-only triggers, then
    edit one stored payload in place (to a strategy meeting outcome of s17)."""
    if url.startswith("sqlite"):
        drops = ["DROP TRIGGER events_refuse_update", "DROP TRIGGER events_refuse_delete"]
    else:
        drops = [
            "DROP TRIGGER events_refuse_update_delete ON events",
            "DROP TRIGGER events_refuse_truncate ON events",
        ]
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            for statement in drops:
                connection.exec_driver_sql(statement)
            connection.execute(
                sa.text("UPDATE events SET data = :data WHERE case_id = :case AND seq = :seq"),
                {"data": json.dumps({"outcome": "s17"}), "case": case_id, "seq": seq},
            )
    finally:
        engine.dispose()
