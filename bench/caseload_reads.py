"""The caseload reads at authority scale: `cpw due --json`, `cpw cases --json` (whole and
one page) and the web view's work tray (unfiltered, first and a later page), over stores
of 10,000 and 50,000 cases built as bench/scale.py builds them (simulated cases copied
under new ids with their read-model rows: `scale.grown`).

Side by side: `--cpw` names one or more installed `cpw` (say a baseline worktree's, then
this one's). The first one's Python builds each store, so it is a store as that version
writes it; every `cpw` then gets its own copy, opened once with `cpw init` (a later
version brings an earlier store's read models up to date there, as it does for a user).
Each round runs every read with every `cpw` in turn, so machine load falls on all alike;
the medians of wall and CPU time are printed (and written as JSON with `--out`), and
whether the outputs were byte for byte the same.

    .venv/bin/python bench/caseload_reads.py --cpw /tmp/base/.venv/bin/cpw .venv/bin/cpw
    .venv/bin/python bench/caseload_reads.py --sizes 10000 --repeat 3   # a quick look
    .venv/bin/python bench/caseload_reads.py --pg postgresql+psycopg://postgres@127.0.0.1/test

`cpw due` and `cpw cases` are timed as a user runs them: a fresh process, start-up
included. The tray is timed as a running server answers it: in a fresh process, the web
app answers the page once (compiling its templates, opening the connection), then five
more times, and the median of those five is the process's time.

SQLite stores are kept in `--dir` (default bench/results/, git-ignored) and reused while
they exist; with `--pg`, databases named `cpw_reads_<size>` (and `_<n>` for each copy)
are made beside that URL's database and reused likewise.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-04-01"  # bench/scale.py's: the day after the simulated caseload's last
READS = {
    "due --json": ["due", "--json"],
    "due --overdue --json": ["due", "--overdue", "--json"],
    "cases --json": ["cases", "--json"],
    "cases --limit 50 --json": ["cases", "--limit", "50", "--json"],
    "tray, first page": ["@tray", "/tray"],
    "tray, page 20": ["@tray", "/tray?page=20"],
}
TEMPLATES = """
import sys
from cpworkflow import logs
from cpworkflow.service import CaseService
from cpworkflow.store import EventStore
from cpworkflow.workload.caseload import jsonl, simulate
sys.path.insert(0, sys.argv[1])
import scale
logs.configure("warning")
store = EventStore(sys.argv[2])
store.init()
service = CaseService(store, today=lambda: scale.TODAY)
service.import_lines(list(jsonl(simulate(int(sys.argv[3]), seed=1))))
"""
GROWN = """
import sys
from cpworkflow import logs
from cpworkflow.service import CaseService
from cpworkflow.store import EventStore
sys.path.insert(0, sys.argv[1])
import scale
logs.configure("warning")
store = EventStore(sys.argv[2])
service = CaseService(store, today=lambda: scale.TODAY)
scale.grown(sys.argv[3], scale.all_cases(store), int(sys.argv[4]), service)
"""
TRAY = """
import os, sys, time
from datetime import date
from starlette.testclient import TestClient
from cpworkflow import logs
from cpworkflow.policy.loading import policy_resolver
from cpworkflow.reads import Reads
from cpworkflow.service import CaseService
from cpworkflow.store import EventStore
from cpworkflow.web.app import create_app
from cpworkflow.web.connection import read_only_url
logs.configure("warning")
day = date.fromisoformat(os.environ["CPW_TODAY"])
store = EventStore(read_only_url(os.environ["CPW_DB"]))
service = CaseService(store, today=lambda: day, policies=policy_resolver())
client = TestClient(create_app(Reads(service)))
response = client.get(sys.argv[1])  # a server that has answered before: templates compiled
walls, cpus = [], []
for _ in range(5):
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(sys.argv[1])
    walls.append(time.perf_counter() - started)
    cpus.append(time.process_time() - cpu)
assert response.status_code == 200, response.status_code
print(sorted(walls)[2], sorted(cpus)[2])
sys.stdout.write(response.text)
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cpw", nargs="+", default=[str(Path(sys.executable).parent / "cpw")])
    p.add_argument("--sizes", default="10000,50000", help="caseload sizes (10000,50000)")
    p.add_argument("--children", type=int, default=1_000, help="simulated cases copied (1,000)")
    p.add_argument("--repeat", type=int, default=5, help="rounds; the median is kept (5)")
    p.add_argument("--dir", type=Path, default=ROOT / "bench" / "results")
    p.add_argument("--pg", metavar="URL", help="PostgreSQL instead of SQLite files")
    p.add_argument("--only", help="comma-separated names of the reads to time")
    p.add_argument("--out", type=Path, help="also write the medians as JSON")
    return p.parse_args(argv)


def python_of(cpw: str) -> tuple[str, str]:
    """The `cpw`'s own interpreter, and its worktree's bench/ (for `scale`)."""
    path = Path(cpw).absolute()
    return str(path.parent / "python"), str(path.parents[2] / "bench")


def call(command: list[str], **env: str) -> subprocess.CompletedProcess[bytes]:
    """Run it; `cpw` as installed runs, its modules' bytecode written on the first run
    (a worktree in an environment with PYTHONDONTWRITEBYTECODE would compile every module
    on every run, a third of a second that no user pays)."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run(
        command, env={**environment, **env}, capture_output=True, check=False, timeout=3600
    )
    assert done.returncode == 0, (command[:4], done.stderr.decode()[-800:])
    return done


class Stores:
    """Where the stores live: SQLite files in a folder, or databases on one server."""

    def __init__(self, folder: Path, pg: str | None) -> None:
        self.folder, self.pg = folder, pg

    def url(self, name: str) -> str:
        if self.pg is None:
            return f"sqlite:///{self.folder / f'{name}.db'}"
        return sa.make_url(self.pg).set(database=name).render_as_string(hide_password=False)

    def exists(self, name: str) -> bool:
        if self.pg is None:
            return (self.folder / f"{name}.db").is_file()
        with self._server() as c:
            found = c.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            return found.first() is not None

    def copy(self, source: str, name: str) -> None:
        if self.pg is None:
            shutil.copyfile(self.folder / f"{source}.db", self.folder / f"{name}.db")
            return
        with self._server() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            c.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')

    def create(self, name: str) -> None:
        if self.pg is not None:
            with self._server() as c:
                c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
                c.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def settle(self, name: str) -> None:
        """PostgreSQL: VACUUM ANALYZE, where autovacuum would have got to in a store in use
        (index-only scans need the visibility map; the planner, the statistics)."""
        if self.pg is not None:
            with self._server(name) as c:
                c.exec_driver_sql("VACUUM ANALYZE")

    @contextmanager
    def _server(self, database: str | None = None) -> Iterator[sa.Connection]:
        url = self.pg if database is None else self.url(database)
        engine = sa.create_engine(url or "", isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                yield connection
        finally:
            engine.dispose()


def build(stores: Stores, cpws: list[str], size: int, children: int) -> list[str]:
    """The store of `size` cases as the first `cpw` writes it, and one copy for each."""
    (python, bench), name = python_of(cpws[0]), f"cpw_reads_{size}"
    templates = f"sqlite:///{stores.folder / f'templates-{children}.db'}"
    if not (stores.folder / f"templates-{children}.db").is_file():
        call([python, "-c", TEMPLATES, bench, templates, str(children)])
    if not stores.exists(name):
        started = time.perf_counter()
        stores.create(name)
        call([python, "-c", GROWN, bench, templates, stores.url(name), str(size)])
        stores.settle(name)
        print(f"built {size:,} cases in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    urls = []
    for number, cpw in enumerate(cpws):
        copy = f"{name}_{number}"
        stores.copy(name, copy)
        call([cpw, "init"], CPW_DB=stores.url(copy))
        urls.append(stores.url(copy))
    return urls


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run(cpw: str, url: str, args: list[str]) -> tuple[float, float, bytes]:
    """Wall seconds, CPU seconds (user + system: what a loaded machine inflates least)
    and what was printed: of the whole process, or of one of the tray's requests."""
    env = {"CPW_TODAY": TODAY, "CPW_DB": url}
    if args[0] == "@tray":
        done = call([python_of(cpw)[0], "-c", TRAY, args[1]], **env)
        first, _, body = done.stdout.partition(b"\n")
        wall, cpu = first.split()
        return float(wall), float(cpu), body
    cpu, started = _cpu(), time.perf_counter()
    done = call([cpw, *args], **env)
    return time.perf_counter() - started, _cpu() - cpu, done.stdout


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    stores = Stores(args.dir, args.pg)
    wanted = {k: v for k, v in READS.items() if not args.only or k in args.only.split(",")}
    results: dict[str, Any] = {"cpw": args.cpw, "engine": "postgresql" if args.pg else "sqlite"}
    results["sizes"] = {}
    for size in [int(s) for s in args.sizes.split(",")]:
        urls = build(stores, args.cpw, size, args.children)
        pairs = list(zip(args.cpw, urls, strict=True))
        walls: dict[str, list[list[float]]] = {n: [[] for _ in pairs] for n in wanted}
        cpus: dict[str, list[list[float]]] = {n: [[] for _ in pairs] for n in wanted}
        outputs: dict[str, set[bytes]] = {n: set() for n in wanted}
        for name, command in wanted.items():  # warm the caches; keep what each printed
            outputs[name] |= {run(cpw, url, command)[2] for cpw, url in pairs}
        load = os.getloadavg()
        for _ in range(args.repeat):
            for name, command in wanted.items():
                for number, (cpw, url) in enumerate(pairs):
                    wall, cpu, _ = run(cpw, url, command)
                    walls[name][number].append(wall)
                    cpus[name][number].append(cpu)
        after = os.getloadavg()
        print(
            f"{size:,} cases, medians of {args.repeat}: wall s (CPU s) for each cpw; load "
            f"average {load[0]:.2f} before, {after[0]:.2f} after"
        )
        results["sizes"][size] = {"load": [load, after]}
        for name in wanted:
            wall = [statistics.median(t) for t in walls[name]]
            cpu = [statistics.median(t) for t in cpus[name]]
            same = "same output" if len(outputs[name]) == 1 else "OUTPUTS DIFFER"
            cells = "  ".join(f"{w:6.3f} ({c:5.3f})" for w, c in zip(wall, cpu, strict=True))
            print(f"  {name:<24} {cells}  {same}")
            row = {"wall_s": wall, "cpu_s": cpu, "same": same, "walls": walls[name]}
            results["sizes"][size][name] = {**row, "cpus": cpus[name]}
    results["load_after"] = os.getloadavg()
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
