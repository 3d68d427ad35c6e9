"""What the results were measured on: the machine, the versions, and the checkout."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import sqlalchemy as sa


def info(tmp: Path, pg_url: str | None) -> dict[str, Any]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo") if "model name" in line),
        platform.processor() or "?",
    )
    versions = {n: importlib.metadata.version(n) for n in ("sqlalchemy", "eventsourcing")}
    versions["transitions"] = importlib.metadata.version("transitions")
    return {
        "nproc": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "packages": versions,
        "tmp": str(tmp),
        "loadavg_start": os.getloadavg(),
        "postgresql": _pg_version(pg_url) if pg_url else None,
        "git": _git("rev-parse", "--short", "HEAD"),
        "src_files_uncommitted": len(_git("status", "--porcelain", "src").splitlines()),
    }


def _git(*args: str) -> str:
    """The checkout the run measured (src files changed but not committed count too)."""
    cwd = Path(__file__).resolve().parent.parent
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    return done.stdout.strip()


def _pg_version(url: str) -> str:
    engine = sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"))
    with engine.connect() as connection:
        version = str(connection.exec_driver_sql("SHOW server_version").scalar())
    engine.dispose()
    return version


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []
