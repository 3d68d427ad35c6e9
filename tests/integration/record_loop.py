"""A child process for the concurrency tests: `cpw record` called COUNT times in a row, in
this process (the real command, its options, its store), without --expect-version.

    python record_loop.py open URL CASE
    python record_loop.py record URL CASE COUNT WRITER GO_FILE

`record` prints "ready", waits for GO_FILE, records, then prints one JSON line: how many
calls exited 0, which exit codes the others had, and how often a call decided again.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import structlog

import cpworkflow.service.cases
from cpworkflow.cli import main

TODAY = "2026-06-30"
OPENING = [
    ("CaseOpened", "2025-01-06", "sw-1", "social_worker", {"child": {"ref": "R-1"}}),
    ("StrategyMeetingHeld", "2025-01-07", "tm-1", "team_manager", {"outcome": "s47"}),
    (
        "InitialConferenceHeld",
        "2025-01-28",
        "chair-1",
        "cp_chair",
        {
            "chair": {"id": "chair-1", "role": "cp_chair"},
            "decision": "plan",
            "categories": ["neglect"],
            "lead_social_worker": {"id": "sw-1", "role": "social_worker"},
        },
    ),
]


def cpw(url: str, *args: str) -> int:
    try:
        main(["--db", url, *args])
    except SystemExit as done:
        return int(done.code or 0)
    finally:
        structlog.reset_defaults()
    return 0


def record(url: str, case: str, type_: str, on: str, actor: str, role: str, data: object) -> int:
    args = ["record", case, type_, "--on", on, "--actor", actor, "--role", role]
    return cpw(url, *args, "--data", json.dumps(data))


def open_case(url: str, case: str) -> None:
    for type_, on, actor, role, data in OPENING:
        if record(url, case, type_, on, actor, role, data) != 0:
            sys.exit(f"could not record {type_}")


def record_loop(url: str, case: str, count: int, writer: str, go_file: str) -> None:
    decided_again = 0
    pause = cpworkflow.service.cases._pause

    def counted(attempt: int) -> None:
        nonlocal decided_again
        decided_again += 1
        pause(attempt)

    cpworkflow.service.cases._pause = counted
    print("ready", flush=True)
    while not Path(go_file).exists():
        time.sleep(0.01)
    codes: dict[str, int] = {}
    for n in range(count):
        args = ["record", case, "ChildVisited", "--on", "2025-02-03", "--actor", writer]
        data = json.dumps({"seen": True})
        code = cpw(url, *args, "--role", "social_worker", "--data", data, "--key", f"{writer}-{n}")
        codes[str(code)] = codes.get(str(code), 0) + 1
    report = {"writer": writer, "codes": codes, "decided_again": decided_again}
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    os.environ["CPW_TODAY"] = TODAY
    command, arguments = sys.argv[1], sys.argv[2:]
    if command == "open":
        open_case(arguments[0], arguments[1])
    elif command == "record":
        record_loop(arguments[0], arguments[1], int(arguments[2]), arguments[3], arguments[4])
    else:
        sys.exit(f"unknown command {command!r}")
