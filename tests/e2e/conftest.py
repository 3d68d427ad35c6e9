"""Fixtures for the command-line tests: SQLite stores in tmp_path, one of them holding the
four sample cases (restored once per session through `cpw restore`, with their own stored
decisions and hashes, then copied: importing would decide them again under today's rules,
which two of them no longer meet)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from cli_harness import SAMPLE_FILES, ok, sqlite_url


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A SQLite URL in tmp_path with no store yet."""
    return sqlite_url(tmp_path)


@pytest.fixture(scope="session")
def _samples_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("samples")
    url = sqlite_url(folder)
    every_sample = folder / "samples.jsonl"
    every_sample.write_bytes(b"".join(path.read_bytes() for path in SAMPLE_FILES))
    ok(url, "init")
    ok(url, "restore", str(every_sample))
    connection = sqlite3.connect(folder / "events.db")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file
    connection.close()
    return folder / "events.db"


@pytest.fixture
def samples_db(tmp_path: Path, _samples_template: Path) -> str:
    """A SQLite store of its own holding the sample cases C1001-C1004."""
    target = tmp_path / "samples.db"
    shutil.copyfile(_samples_template, target)
    return f"sqlite:///{target}"


OLD_STORE = Path(__file__).parents[1] / "fixtures" / "stores" / "store-0.1.0.sqlite"


@pytest.fixture(scope="session")
def _old_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("old-template")
    shutil.copyfile(OLD_STORE, folder / "old.db")
    url = f"sqlite:///{folder / 'old.db'}"
    ok(url, "init")  # brought up to this build: its read-model tables...
    ok(url, "verify")  # ...built from the log on first use
    connection = sqlite3.connect(folder / "old.db")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file
    connection.close()
    return folder / "old.db"


@pytest.fixture
def old_db(tmp_path: Path, _old_template: Path) -> str:
    """A copy of the store the first build wrote (tests/fixtures/stores: the four samples
    and C1005, 90 events recorded over time), brought up to this build."""
    target = tmp_path / "old.db"
    shutil.copyfile(_old_template, target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def pg_old_db(pg_session_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """That store restored into PostgreSQL, shared by the session's tests that must leave
    it unchanged (the bad-input corpus checks that they do)."""
    folder = tmp_path_factory.mktemp("old")
    shutil.copyfile(OLD_STORE, folder / "old.db")
    exported = folder / "old.jsonl"
    ok(f"sqlite:///{folder / 'old.db'}", "export", "--format", "jsonl", "-o", str(exported))
    ok(pg_session_url, "restore", str(exported))
    return pg_session_url
