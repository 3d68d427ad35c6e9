"""Logging: structlog to stderr, console on a terminal and JSON otherwise.

Bound context is case_id, seq, type and command. Event data never goes into a log line:
these are children's records. `scrub` drops any key that could carry a payload, in case
a caller passes one by mistake.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

# Keys that may hold event payloads or people; never logged.
FORBIDDEN_KEYS = frozenset({"data", "envelope", "payload", "actor", "child", "person", "raw"})


def scrub(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in FORBIDDEN_KEYS & event_dict.keys():
        event_dict[key] = "[withheld]"
    return event_dict


def configure(level: str = "warning", *, json_logs: bool | None = None) -> None:
    """Send logs to stderr at `level`; JSON unless stderr is a terminal."""
    if json_logs is None:
        json_logs = not sys.stderr.isatty()
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json_logs
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            scrub,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


def start_command(command: str | None) -> None:
    """A new logging context for one command: its name, and nothing left from before."""
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(command=command)
