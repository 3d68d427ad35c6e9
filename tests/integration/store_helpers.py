"""Helpers for the store tests, and the child processes they start.

Imported by the tests (`from store_helpers import new_event`), and run as a script by the
multi-process tests:

    python store_helpers.py append-loop URL CASE COUNT WRITER GO_FILE
    python store_helpers.py big-batch URL CASE COUNT
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import sqlalchemy as sa

from cpworkflow.errors import ConflictError
from cpworkflow.records import NewEvent
from cpworkflow.store import EventStore

HELPER = Path(__file__)
ACTOR = {"id": "sw1", "role": "social_worker"}


def new_event(
    case_id: str = "C1",
    type: str = "ChildVisited",
    *,
    occurred_on: date = date(2025, 3, 4),
    data: dict[str, Any] | None = None,
    key: str | None = None,
    **fields: Any,
) -> NewEvent:
    values: dict[str, Any] = {
        "case_id": case_id,
        "type": type,
        "occurred_on": occurred_on,
        "actor": ACTOR,
        "data": {"seen": True} if data is None else data,
        "schema_version": 1,
        "policy": "default",
        "policy_version": "2025.1",
        "decision": {"stage_after": "cp_plan"},
        "key": key,
    }
    values.update(fields)
    return NewEvent(**values)


def raw_engine(url: str) -> sa.Engine:
    """A plain engine on the store's database, for attacking it with raw SQL."""
    return sa.create_engine(url)


def drop_triggers(url: str) -> None:
    """What an attacker with the owner's rights could do first."""
    if url.startswith("sqlite"):
        run_sql(url, "DROP TRIGGER events_refuse_update", "DROP TRIGGER events_refuse_delete")
    else:
        run_sql(
            url,
            "DROP TRIGGER events_refuse_update_delete ON events",
            "DROP TRIGGER events_refuse_truncate ON events",
        )


def run_sql(url: str, *statements: str) -> None:
    """Run raw statements in one transaction, as someone at a SQL prompt would."""
    engine = raw_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


@contextmanager
def holding_the_write_lock(url: str) -> Iterator[None]:
    """Hold the lock every append needs, as a stuck writer would, until the block ends."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(unquote(url.removeprefix("sqlite:///")), isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.close()  # rolls back
        return
    engine = raw_engine(url)
    try:
        with engine.connect() as held:
            held.exec_driver_sql("LOCK TABLE events IN EXCLUSIVE MODE")
            yield
            held.rollback()
    finally:
        engine.dispose()


def _append_loop(url: str, case_id: str, count: int, writer: str, go_file: str) -> None:
    """Append `count` events one at a time with an expected version, retrying conflicts."""
    store = EventStore(url)
    print("ready", flush=True)
    while not Path(go_file).exists():
        time.sleep(0.01)
    expected, conflicts = store.version(case_id), 0
    for n in range(count):
        event = new_event(case_id, data={"writer": writer, "n": n})
        while True:
            try:
                expected = store.append(case_id, [event], expected).events[-1].seq
                break
            except ConflictError as err:
                conflicts += 1
                expected = err.actual if err.actual >= 0 else store.version(case_id)
    store.dispose()
    print(json.dumps({"writer": writer, "conflicts": conflicts}), flush=True)


def _big_batch(url: str, case_id: str, count: int) -> None:
    """Append one batch of `count` events, and stall for good once rows of it are inserted
    (the second INSERT statement of the batch), saying so on stdout."""
    inserts = 0

    def before_execute(*args: Any) -> None:
        nonlocal inserts
        if str(args[2]).lstrip().upper().startswith("INSERT INTO EVENTS"):
            inserts += 1
            if inserts == 2:
                print("inserting", flush=True)
                time.sleep(600)

    sa.event.listen(sa.Engine, "before_cursor_execute", before_execute)
    if url.startswith("sqlite:"):  # the hook is SQLAlchemy's: the file through it
        url = url.replace(".db", "%2Edb")
    store = EventStore(url)
    store.append(case_id, [new_event(case_id, data={"n": n}) for n in range(count)], 0)
    print("committed", flush=True)  # never reached: the parent kills us first


if __name__ == "__main__":
    command, arguments = sys.argv[1], sys.argv[2:]
    if command == "append-loop":
        _append_loop(arguments[0], arguments[1], int(arguments[2]), arguments[3], arguments[4])
    elif command == "big-batch":
        _big_batch(arguments[0], arguments[1], int(arguments[2]))
    else:
        sys.exit(f"unknown command {command!r}")
