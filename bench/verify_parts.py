"""`cpw verify` side by side: one store per engine (simulated children imported once), then
`CaseService(store).verify()` of each tree given (a baseline worktree's `src` and this
one's) and eventsourcing's reload of the same events (`bench/scale.py`'s
`import_and_verify`), each in a fresh process, interleaved round by round. Wall and CPU
time (the forked second half's included) are kept; the medians and the ratios printed.

    .venv/bin/python bench/verify_parts.py --src /tmp/base/src src --children 400 --repeat 7
    CPW_TEST_PG_URL=... .venv/bin/python bench/verify_parts.py --src ... --pg
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
TODAY = date(2026, 4, 1)

_OURS = """
import json, os, sys, time
from datetime import date
from cpworkflow.service import CaseService
from cpworkflow.store import EventStore
store = EventStore(sys.argv[1])
service = CaseService(store, today=lambda: date(2026, 4, 1))
service.verify(service.case_ids()[0])  # connect and import before the clock starts, as
# a process that has imported the log (bench/scale.py) has done
wall, cpu, kids = time.perf_counter(), time.process_time(), os.times()
problems = service.verify()
after = os.times()
cpu = time.process_time() - cpu + (after.children_user + after.children_system)
cpu -= kids.children_user + kids.children_system
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": cpu, "problems": len(problems)}))
"""

_THEIRS = """
import json, sys, time
sys.path.insert(0, sys.argv[3])
from systems import eventsourcing_at
es = eventsourcing_at(sys.argv[1], sys.argv[2])
cases = json.loads(sys.argv[4])
es.load(cases[0])
wall, cpu = time.perf_counter(), time.process_time()
count = sum(es.load(cid) for cid in cases)
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                  "problems": count}))
"""


def build(backend: str, children: int, tmp: Path, pg: str | None) -> tuple[str, str, list[str]]:
    """A cpworkflow store and an eventsourcing one holding the same events: (cpworkflow's
    URL, eventsourcing's place, the case ids)."""
    sys.path.insert(0, str(HERE))
    from scale import all_cases, as_new
    from systems import eventsourcing_at

    from cpworkflow.service import CaseService
    from cpworkflow.store import EventStore
    from cpworkflow.workload.caseload import jsonl, simulate

    lines = list(jsonl(simulate(children)))
    if backend == "sqlite":
        url, place = f"sqlite:///{tmp / 'cpw.db'}", str(tmp / "es.db")
    else:
        assert pg is not None
        base = sa.make_url(pg).set(drivername="postgresql+psycopg")
        admin = sa.create_engine(base)
        with admin.begin() as c:
            c.exec_driver_sql('CREATE SCHEMA IF NOT EXISTS "cpwverifyparts"')
            c.exec_driver_sql('CREATE SCHEMA IF NOT EXISTS "cpwverifypartses"')
        admin.dispose()
        url = base.update_query_dict({"options": "-csearch_path=cpwverifyparts"})
        url = url.render_as_string(hide_password=False)
        place = base.render_as_string(hide_password=False) + "|cpwverifypartses"
    es = eventsourcing_at(backend, place)
    store = EventStore(url)
    store.init()
    result = CaseService(store, today=lambda: TODAY).import_lines(lines)
    cases = all_cases(store)
    for cid, evs in cases.items():
        es.append_case(cid, [as_new(e) for e in evs])
    store.dispose()
    print(f"{backend}: {result.events:,} events, {result.cases:,} children", flush=True)
    return url, place, list(cases)


def drop(pg: str) -> None:
    admin = sa.create_engine(sa.make_url(pg).set(drivername="postgresql+psycopg"))
    with admin.begin() as c:
        c.exec_driver_sql('DROP SCHEMA IF EXISTS "cpwverifyparts" CASCADE')
        c.exec_driver_sql('DROP SCHEMA IF EXISTS "cpwverifypartses" CASCADE')
    admin.dispose()


def run(code: str, args: list[str], src: str | None) -> dict[str, Any]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = src
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, check=False
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
    args = p.parse_args()
    pg = os.environ.get("CPW_TEST_PG_URL") if args.pg else None
    backend = "postgresql" if args.pg else "sqlite"
    with tempfile.TemporaryDirectory() as where:
        try:
            url, place, cases = build(backend, args.children, Path(where), pg)
            names = [*args.src, "eventsourcing"]
            times: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
            for r in range(args.repeat):
                order = names if r % 2 == 0 else names[::-1]
                for name in order:
                    if name == "eventsourcing":
                        out = run(_THEIRS, [backend, place, str(HERE), json.dumps(cases)], None)
                    else:
                        out = run(_OURS, [url], name)
                    times[name].append(out)
                print(f"round {r + 1}, load {os.getloadavg()[0]:.2f}", flush=True)
        finally:
            if pg is not None:
                drop(pg)
    problems = {n: {t["problems"] for t in ts} for n, ts in times.items()}
    print("problems (cpw) / events (eventsourcing):", problems)
    es_wall = statistics.median(t["wall"] for t in times["eventsourcing"])
    es_cpu = statistics.median(t["cpu"] for t in times["eventsourcing"])
    for name in names:
        wall = statistics.median(t["wall"] for t in times[name])
        cpu = statistics.median(t["cpu"] for t in times[name])
        print(
            f"{name:40} wall {wall * 1000:8.1f} ms  cpu {cpu * 1000:8.1f} ms"
            f"  es/this wall {es_wall / wall:5.2f}  cpu {es_cpu / cpu:5.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
