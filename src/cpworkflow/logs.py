"""Logging: structlog to stderr, console on a terminal and JSON otherwise.

Bound context is case_id, seq, type and command. Event data never goes into a log line:
these are children's records. `scrub` drops any key that could carry a payload, in case
a caller passes one by mistake.

Modules log through `get_logger`, not structlog: importing structlog (and the asyncio it
pulls in) is a tenth of a cold `cpw show`, and at the default level a read or a record
logs nothing. In a process that has not imported structlog, `configure` and
`start_command` only note what they were asked; a call below the level returns at once,
and the first line that passes it imports structlog, configures it as noted and logs
through it. Where structlog is imported already (the web server, a test capturing logs),
both act at once and every call goes to structlog, which filters as it is configured.
"""

from __future__ import annotations

import sys
from collections.abc import MutableMapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

# Keys that may hold event payloads or people; never logged.
FORBIDDEN_KEYS = frozenset({"data", "envelope", "payload", "actor", "child", "person", "raw"})
# The standard library's level numbers (structlog's too), without importing `logging`.
LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}


def scrub(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in FORBIDDEN_KEYS & event_dict.keys():
        event_dict[key] = "[withheld]"
    return event_dict


@dataclass(frozen=True)
class _Settings:
    level: int
    json_logs: bool


@dataclass
class _Waiting:
    """What was asked of structlog before it was imported: a configuration, the command."""

    settings: _Settings | None = None
    command: tuple[str | None] | None = None  # a 1-tuple: the command may be None


_WAITING = _Waiting()


def configure(level: str = "warning", *, json_logs: bool | None = None) -> None:
    """Send logs to stderr at `level`; JSON unless stderr is a terminal."""
    if json_logs is None:
        json_logs = not sys.stderr.isatty()
    settings = _Settings(LEVELS[level.upper()], json_logs)
    if "structlog" in sys.modules:
        _WAITING.settings = None
        _configure(sys.modules["structlog"], settings)
    else:
        _WAITING.settings = settings


def start_command(command: str | None) -> None:
    """A new logging context for one command: its name, and nothing left from before."""
    if "structlog" in sys.modules:
        _WAITING.command = None
        _bind(sys.modules["structlog"], command)
    else:
        _WAITING.command = (command,)


def _configure(structlog: ModuleType, settings: _Settings) -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if settings.json_logs
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
        wrapper_class=structlog.make_filtering_bound_logger(settings.level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


def _bind(structlog: ModuleType, command: str | None) -> None:
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(command=command)


def _structlog() -> ModuleType:
    """structlog, imported, with what was asked of it before done."""
    import structlog

    settings, command = _WAITING.settings, _WAITING.command
    _WAITING.settings = _WAITING.command = None
    if settings is not None:
        _configure(structlog, settings)
    if command is not None:
        _bind(structlog, command[0])
    return structlog


class Logger:
    """A module's logger (`get_logger`): structlog's methods, structlog imported only for
    a line that passes the level."""

    __slots__ = ("_bound", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self._bound: Any = None

    def _log(
        self, level: int, method: str, event: str, args: tuple[Any, ...], kw: dict[str, Any]
    ) -> None:
        settings = _WAITING.settings
        if settings is not None and level < settings.level:
            return
        if self._bound is None or settings is not None or _WAITING.command is not None:
            self._bound = _structlog().get_logger(self.name)
        getattr(self._bound, method)(event, *args, **kw)

    def debug(self, event: str, *args: Any, **kw: Any) -> None:
        self._log(LEVELS["DEBUG"], "debug", event, args, kw)

    def info(self, event: str, *args: Any, **kw: Any) -> None:
        self._log(LEVELS["INFO"], "info", event, args, kw)

    def warning(self, event: str, *args: Any, **kw: Any) -> None:
        self._log(LEVELS["WARNING"], "warning", event, args, kw)

    def error(self, event: str, *args: Any, **kw: Any) -> None:
        self._log(LEVELS["ERROR"], "error", event, args, kw)


def get_logger(name: str) -> Logger:
    """The logger a module keeps (`log = get_logger("cpworkflow.service")`)."""
    return Logger(name)
