"""Starting the app under uvicorn: where it may listen, and logs that carry no event data.

uvicorn's own access log prints the full request line, query string included; it is
switched off, and `security.Guarded` logs method, path and status instead.
"""

from __future__ import annotations

import ipaddress
from typing import Any

import uvicorn

from cpworkflow.errors import BadInputError

LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_binding(host: str, token: str | None) -> None:
    """Only this machine may be served without a token."""
    if not is_loopback(host) and not token:
        raise BadInputError(
            f"refusing to listen on {host} without --token: anyone who can reach it would "
            "see children's records (give --token or CPW_SERVE_TOKEN, or keep 127.0.0.1)",
            field="--host",
        )


def log_config(level: str) -> dict[str, Any]:
    """uvicorn's start-up and error lines on stderr; no access log."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(levelname)s: %(name)s: %(message)s"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "plain",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        },
    }


def run(app: Any, host: str, port: int, level: str) -> None:
    uvicorn.run(
        app,
        host=host,
        port=port,
        access_log=False,
        log_config=log_config(level),
        server_header=False,
        proxy_headers=False,
    )
