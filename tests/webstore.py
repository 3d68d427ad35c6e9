"""A store for the web view's tests: the four sample cases and a small simulated caseload
(`cpw simulate`'s generator), recorded the way a case system records them — each day's
entries on that day at 17:00 UTC, so an entry typed in days after the fact shows as
recorded late — on SQLite and on PostgreSQL.

The web view only reads, so one store per engine serves a whole test session.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time as clock
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cpworkflow.reads import Reads
from cpworkflow.service import CaseService
from cpworkflow.store import EventStore
from cpworkflow.web.connection import read_only_url
from cpworkflow.workload.caseload import simulate

ROOT = Path(__file__).parents[1]
SAMPLES = sorted((ROOT / "eventstore" / "samples").glob("*.jsonl"))
TODAY = date(2026, 6, 30)  # after the last sample event and the simulation's end
SIMULATED, SEED = 12, 7
POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres, id="postgres")
# A visit to C1001 on 2025-06-02 recorded twelve days later, on 2025-06-14, after entries
# dated since: the timeline flags it.
LATE_VISIT = {
    "case_id": "C1001",
    "type": "ChildVisited",
    "occurred_on": "2025-06-02",
    "actor": {"id": "sw-104", "role": "social_worker"},
    "data": {"seen": True, "seen_alone": True},
}


# Events that may close a case: recorded today, each says whether every professional
# involved was informed (DOMAIN §7, G-INFORMED); the samples were written before that.
MAY_CLOSE = {
    "StrategyMeetingHeld",
    "InitialConferenceHeld",
    "ReviewConferenceHeld",
    "ChildProtectionPlanEnded",
    "CaseClosed",
    "FinalChildInNeedReviewHeld",
}


def envelopes() -> Iterator[dict[str, Any]]:
    for path in SAMPLES:
        for line in path.read_text().splitlines():
            if line.strip():
                envelope = json.loads(line)
                envelope.pop("stored", None)
                if envelope["type"] in MAY_CLOSE:
                    envelope["data"].setdefault("professionals_informed", True)
                yield envelope
    yield from simulate(SIMULATED, seed=SEED)


def build(url: str) -> None:
    """Record every envelope through the service, the store's clock set to 17:00 UTC of
    the latest day recorded so far in the case: a late entry is recorded after later ones."""
    moment = [datetime.now(UTC)]
    store = EventStore(url, clock=lambda: moment[0])
    store.init()
    service = CaseService(store, today=lambda: TODAY)
    latest: dict[str, date] = {}
    late_at = date(2025, 6, 14)
    for envelope in envelopes():
        on = date.fromisoformat(envelope["occurred_on"])
        cid = envelope["case_id"]
        if cid == "C1001" and latest.get(cid, on) < late_at <= on:
            moment[0] = datetime.combine(late_at, time(17), UTC)
            service.record(LATE_VISIT)
            latest[cid] = late_at
        latest[cid] = max(on, latest.get(cid, on))
        moment[0] = datetime.combine(latest[cid], time(17), UTC)
        service.record(envelope)
    store.dispose()


def reads_on(url: str) -> Reads:
    """The Reads API over a read-only connection to `url`, with today fixed."""
    return Reads(CaseService(EventStore(read_only_url(url)), today=lambda: TODAY))


def pg_base_url() -> str:
    """The PostgreSQL test server (CPW_TEST_PG_URL); skipped without it, failed in CI."""
    url = os.environ.get("CPW_TEST_PG_URL", "").strip()
    reason = None if url else "CPW_TEST_PG_URL is not set"
    if url:
        try:
            engine = sa.create_engine(url, connect_args={"connect_timeout": 5})
            with engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            engine.dispose()
        except Exception as err:  # noqa: BLE001 - any failure means unavailable
            reason = f"PostgreSQL at CPW_TEST_PG_URL does not answer ({type(err).__name__})"
    if reason is not None:
        if os.environ.get("CPW_REQUIRE_PG") == "1":
            pytest.fail(f"{reason}, and CPW_REQUIRE_PG=1 requires the PostgreSQL tests")
        pytest.skip(f"{reason}: PostgreSQL tests skipped")
    return url


def pg_schema_url() -> Iterator[str]:
    """A fresh schema of the test database for the session, dropped afterwards."""
    base = pg_base_url()
    schema = f"cpw_web_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        url = sa.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql("SET lock_timeout = '60s'")
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", POSTGRES])
def web_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The URL of the built store, on each engine in turn (built once per session)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'events.db'}"
        build(url)
        yield url
        return
    for url in pg_schema_url():
        build(url)
        yield url


@dataclass
class Server:
    """A `cpw serve` running in a subprocess: its address, and what it logged so far."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(db: str, folder: Path, *args: str) -> Iterator[Server]:
    """`cpw --db DB serve --port P ARGS...` on a free localhost port, today fixed; stopped
    (SIGTERM, then SIGKILL) on the way out."""
    port = free_port()
    log_path = folder / f"serve-{port}.log"
    command = [str(Path(sys.executable).parent / "cpw"), "--db", db, "serve", "--port", str(port)]
    environment = {**os.environ, "CPW_TODAY": TODAY.isoformat()}
    with log_path.open("wb") as log:
        process = subprocess.Popen([*command, *args], stderr=log, stdout=log, env=environment)
    server = Server(f"http://127.0.0.1:{port}", process, log_path)
    try:
        deadline = clock.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise AssertionError(f"cpw serve exited {process.returncode}: {server.log()}")
            try:
                urllib.request.urlopen(f"{server.url}/style.css", timeout=2).close()  # noqa: S310
                break
            except (urllib.error.URLError, ConnectionError):
                if clock.monotonic() > deadline:
                    raise AssertionError(f"cpw serve did not answer: {server.log()}") from None
                clock.sleep(0.1)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
