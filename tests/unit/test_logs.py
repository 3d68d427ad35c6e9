"""`cpworkflow.logs`: a module's logger imports structlog only for a line that passes the
level, and that line reads as it would had structlog been imported from the start."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest

from cpworkflow import logs

SCRIPT = """
import sys
{first}
from cpworkflow import logs

logs.configure("{level}", json_logs={json_logs})
logs.start_command("show")
log = logs.get_logger("cpworkflow.test")
log.debug("quiet", case_id="C1")
log.info("quiet too", case_id="C1")
print("structlog" in sys.modules)
log.warning("store slow", case_id="C1", seq=3, data={{"reason": "a secret"}})
log.error("%s failed", "rebuild")
print("structlog" in sys.modules)
"""


def _run(*, first: str, level: str = "warning", json_logs: bool = True) -> tuple[str, str]:
    script = SCRIPT.format(first=first, level=level, json_logs=json_logs)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return done.stdout, done.stderr


def _lines(stderr: str) -> list[dict[str, object]]:
    lines = [json.loads(text) for text in stderr.splitlines()]
    for line in lines:
        assert line.pop("timestamp")
    return lines


def test_the_level_numbers_are_the_standard_librarys() -> None:
    assert {name: logging.getLevelNamesMapping()[name] for name in logs.LEVELS} == logs.LEVELS


def test_below_the_level_nothing_is_imported_and_the_first_line_above_it_is() -> None:
    out, _ = _run(first="")
    assert out.split() == ["False", "True"]


@pytest.mark.parametrize("level", ["warning", "debug"])
def test_a_line_reads_the_same_whether_structlog_was_imported_first_or_for_it(
    level: str,
) -> None:
    lazily = _lines(_run(first="", level=level)[1])
    at_once = _lines(_run(first="import structlog", level=level)[1])
    assert lazily == at_once
    assert lazily[-2:] == [
        {
            "event": "store slow",
            "case_id": "C1",
            "seq": 3,
            "data": "[withheld]",
            "command": "show",
            "level": "warning",
        },
        {"event": "rebuild failed", "command": "show", "level": "error"},
    ]
    assert len(lazily) == (4 if level == "debug" else 2)


def test_on_a_terminal_a_line_is_for_people_either_way() -> None:
    lazily = _run(first="", json_logs=False)[1].splitlines()
    at_once = _run(first="import structlog", json_logs=False)[1].splitlines()
    assert [line.split(" ", 1)[1] for line in lazily] == [line.split(" ", 1)[1] for line in at_once]
    assert "[warning  ] store slow" in lazily[0]
    assert "case_id=C1 command=show data=[withheld] seq=3" in lazily[0]
