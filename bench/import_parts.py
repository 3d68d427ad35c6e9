"""`cpw import` side by side: simulated children written to a JSON Lines file once, then
`CaseService(store).import_lines(lines)` into a fresh store by each tree given (a baseline
worktree's `src` and this one's) and eventsourcing's save of the same events (as
`bench/scale.py`'s `import_and_verify`: one case per call), each in a fresh process,
interleaved round by round. Wall and CPU time (any forked process's included) are kept,
the medians and the ratios printed, and the stored events of every tree compared (their
hashes, which cover every canonical byte): they must be identical.

    .venv/bin/python bench/import_parts.py --src /tmp/base/src src --children 400 --repeat 5
    CPW_TEST_PG_URL=... .venv/bin/python bench/import_parts.py --src ... --pg
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent

_OURS = """
import hashlib, json, os, sys, time
from datetime import UTC, date, datetime
from cpworkflow import logs
from cpworkflow.service import CaseService
from cpworkflow.store import EventStore
logs.configure("warning")
url, path = sys.argv[1], sys.argv[2]
if len(sys.argv) > 3 and sys.argv[3] == "own-groups":  # the fork in a session of its own
    try:
        from cpworkflow.service import import_halves
    except ImportError:  # a tree before the two-process import
        pass
    else:
        second = import_halves._second
        def _own_session(*args):
            os.setsid()
            second(*args)
        import_halves._second = _own_session
store = EventStore(url, clock=lambda: datetime(2026, 4, 1, 9, tzinfo=UTC))
store.init()
service = CaseService(store, today=lambda: date(2026, 4, 1))
store.count()  # connect (and import lazily) before the clock starts
lines = open(path, "rb").read().split(b"\\n")
wall, cpu, kids = time.perf_counter(), time.process_time(), os.times()
result = service.import_lines(lines)
after = os.times()
cpu = time.process_time() - cpu + (after.children_user + after.children_system)
cpu -= kids.children_user + kids.children_system
wall = time.perf_counter() - wall
digest = hashlib.sha256()
for e in store.read_all(batch_size=5000):
    digest.update(f"{e.position} {e.case_id} {e.seq} {e.hash}".encode())
import sqlalchemy as sa
from cpworkflow.store import read_tables
engine = sa.create_engine(url)
with engine.connect() as c:
    for table in (read_tables.case_summaries, read_tables.open_obligations):
        for row in sorted(map(repr, c.execute(sa.select(table)))):
            digest.update(row.encode())
engine.dispose()
store.dispose()
print(json.dumps({"wall": wall, "cpu": cpu, "events": result.events,
                  "digest": digest.hexdigest()}))
"""

_THEIRS = """
import json, sys, time
sys.path.insert(0, sys.argv[3])
from systems import eventsourcing_at
from cpworkflow.records import NewEvent
from datetime import date
es = eventsourcing_at(sys.argv[1], sys.argv[2])
cases = json.load(open(sys.argv[4]))
batches = [(cid, [NewEvent(**{**e, "occurred_on": date.fromisoformat(e["occurred_on"])})
                  for e in evs]) for cid, evs in cases.items()]
wall, cpu = time.perf_counter(), time.process_time()
for cid, evs in batches:
    es.append_case(cid, evs)
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                  "events": sum(len(evs) for _, evs in batches), "digest": ""}))
"""

_FIELDS = ("type", "actor", "data", "schema_version", "policy", "policy_version")
_FIELDS += ("decision", "key")


def build(children: int, tmp: Path) -> tuple[Path, Path]:
    """The JSON Lines file of the simulated children, and their decided events (one
    import in this process) as JSON for eventsourcing's save."""
    sys.path.insert(0, str(HERE))
    from scale import TODAY, all_cases

    from cpworkflow import logs
    from cpworkflow.service import CaseService
    from cpworkflow.store import EventStore
    from cpworkflow.workload.caseload import jsonl, simulate

    logs.configure("warning")
    lines = list(jsonl(simulate(children, seed=1)))
    path = tmp / "children.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    store = EventStore(f"sqlite:///{tmp / 'once.db'}")
    store.init()
    CaseService(store, today=lambda: TODAY).import_lines(lines)
    cases = {
        cid: [
            {
                "case_id": cid,
                "occurred_on": e.occurred_on.isoformat(),
                **{f: getattr(e, f) for f in _FIELDS},
            }
            for e in evs
        ]
        for cid, evs in all_cases(store).items()
    }
    store.dispose()
    events = tmp / "events.json"
    events.write_text(json.dumps(cases))
    print(f"{sum(map(len, cases.values())):,} events of {len(cases):,} children", flush=True)
    return path, events


def fresh(backend: str, tmp: Path, pg: str | None, n: int) -> tuple[str, str]:
    """A new empty place for each run: (cpworkflow's URL, eventsourcing's place)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp / f'cpw{n}.db'}", str(tmp / f"es{n}.db")
    assert pg is not None
    base = sa.make_url(pg).set(drivername="postgresql+psycopg")
    admin = sa.create_engine(base)
    with admin.begin() as c:
        c.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "cpwimportparts{n}"')
    admin.dispose()
    url = base.update_query_dict({"options": f"-csearch_path=cpwimportparts{n}"})
    place = base.render_as_string(hide_password=False) + f"|cpwimportparts{n}"
    return url.render_as_string(hide_password=False), place


def drop(pg: str, runs: int) -> None:
    admin = sa.create_engine(sa.make_url(pg).set(drivername="postgresql+psycopg"))
    with admin.begin() as c:
        for n in range(runs):
            c.exec_driver_sql(f'DROP SCHEMA IF EXISTS "cpwimportparts{n}" CASCADE')
    admin.dispose()


def run(code: str, args: list[str], src: str | None, own: bool) -> dict[str, Any]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = src
    done = subprocess.run(
        [sys.executable, "-c", code, *args, *(["own-groups"] if own else [])],
        env=env,
        capture_output=True,
        check=False,
        start_new_session=own,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.decode()[-2000:])
    return dict(json.loads(done.stdout.decode().splitlines()[-1]))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--src", nargs="+", required=True, help="trees' src directories")
    p.add_argument("--children", type=int, default=400)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--pg", action="store_true", help="PostgreSQL (CPW_TEST_PG_URL)")
    p.add_argument(
        "--own-groups",
        action="store_true",
        help="each run, and the import's fork, in a session of its own: with the kernel's"
        " autogroup scheduling on a busy machine, a session's processes share one session's"
        " CPU, so a second process only helps in a session of its own (as on a quiet machine)",
    )
    args = p.parse_args()
    pg = os.environ.get("CPW_TEST_PG_URL") if args.pg else None
    backend = "postgresql" if args.pg else "sqlite"
    names = [*args.src, "eventsourcing"]
    times: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    runs = 0
    with tempfile.TemporaryDirectory() as where:
        tmp = Path(where)
        try:
            path, events = build(args.children, tmp)
            for r in range(args.repeat):
                order = names if r % 2 == 0 else names[::-1]
                for name in order:
                    url, place = fresh(backend, tmp, pg, runs)
                    runs += 1
                    if name == "eventsourcing":
                        code, argv, src = _THEIRS, [backend, place, str(HERE), str(events)], None
                    else:
                        code, argv, src = _OURS, [url, str(path)], name
                    times[name].append(run(code, argv, src, args.own_groups))
                print(f"round {r + 1}, load {os.getloadavg()[0]:.2f}", flush=True)
        finally:
            if pg is not None:
                drop(pg, runs)
    digests = {n: {t["digest"] for t in ts} for n, ts in times.items() if n != "eventsourcing"}
    same = len({d for ds in digests.values() for d in ds}) == 1
    print("stored events identical across trees and rounds:", same)
    es_wall = statistics.median(t["wall"] for t in times["eventsourcing"])
    for name in names:
        wall = statistics.median(t["wall"] for t in times[name])
        cpu = statistics.median(t["cpu"] for t in times[name])
        n = times[name][0]["events"]
        print(
            f"{name:30} wall {wall * 1e6 / n:6.1f} us/event  cpu {cpu * 1e6 / n:6.1f} us/event"
            f"  this/es (wall) {es_wall / wall:5.2f}"
        )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
