"""One `record` and `show --as-of` in process, side by side: for each tree given (a baseline
worktree's `src` and this one's), a fresh process builds `bench/scale.py`'s long cases
(`long_case`: a plan with a visit a week) and times, as `scale.py`'s `long_cases` does,

- `show --as-of` half-way through a case of `--long-case` events (`Reads.show`),
- one `record` on a case of `--record-case` events, on a long-lived `CaseService`
  (`record`) and on a new service each time (`fresh`),
- eventsourcing's get-modify-save on the same events (`es`, bench/systems.py), in the
  same process, so each round has its own ratio.

Rounds run the trees in turn (A B A B); each process prints the medians of `--n` calls
(wall and CPU), and the medians over the rounds are printed with the ratios.

    .venv/bin/python bench/record_parts.py --src /tmp/base/src src --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

_ONE = """
import json, statistics, sys, tempfile, time
from datetime import date, timedelta
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from cpworkflow import logs
logs.configure("warning")
import scale
from systems import opened
from cpworkflow.reads import Reads
from cpworkflow.service import CaseService, PointInTime
from cpworkflow.store import EventStore
n, long_case, record_case = (int(a) for a in sys.argv[2:5])
tmp = Path(tempfile.mkdtemp())
store = EventStore(f"sqlite:///{tmp / 'long.db'}")
store.init()
service = CaseService(store, today=lambda: scale.FAR)

def medians(fn):
    wall, cpu = [], []
    for _ in range(n):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)

out = {}
log = scale.long_case("L1", long_case)
service.import_lines([json.dumps(e) for e in log])
middle = PointInTime(as_of=date.fromisoformat(log[len(log) // 2]["occurred_on"]))
reads = Reads(service)
reads.show("L1", middle)
out["as_of"] = medians(lambda: reads.show("L1", middle))
log = scale.long_case("R1", record_case)
service.import_lines([json.dumps(e) for e in log])
last = date.fromisoformat(log[-1]["occurred_on"])
days = iter(range(1, 10**6))

def record(on_service):
    on = last + timedelta(days=next(days))
    on_service.record({**log[-1], "occurred_on": on.isoformat()})

record(service)
out["record"] = medians(lambda: record(service))
out["fresh"] = medians(lambda: record(CaseService(store, today=lambda: scale.FAR)))
template = scale.as_new(store.load("R1")[-1])
with opened("eventsourcing", "sqlite", tmp, None) as es:
    es.append_case("R1", [scale.as_new(e) for e in store.load("R1")[:record_case]])
    versions = iter(range(record_case, 10**6))

    def get_modify_save():
        version = next(versions)
        assert es.load("R1") == version
        es.append_one("R1", template, version)

    out["es"] = medians(get_modify_save)
print(json.dumps(out))
"""


def one(src: str, args: argparse.Namespace) -> dict[str, list[float]]:
    env = {**os.environ, "PYTHONPATH": src}
    command = [sys.executable, "-c", _ONE, str(HERE), str(args.n), str(args.long_case)]
    done = subprocess.run(
        [*command, str(args.record_case)], env=env, capture_output=True, text=True, check=True
    )
    found: dict[str, list[float]] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--src", nargs=2, required=True, help="the baseline's src, then this one's")
    p.add_argument("--repeat", type=int, default=5, help="rounds")
    p.add_argument("--n", type=int, default=20, help="calls timed in each process")
    p.add_argument("--long-case", type=int, default=1_000)
    p.add_argument("--record-case", type=int, default=200)
    args = p.parse_args()
    rounds: dict[str, list[dict[str, list[float]]]] = {src: [] for src in args.src}
    load = os.getloadavg()[0]
    for _ in range(args.repeat):
        for src in args.src:
            rounds[src].append(one(src, args))
    print(f"load average {load:.1f} -> {os.getloadavg()[0]:.1f}; medians of {args.repeat} rounds")
    medians: dict[str, dict[str, Any]] = {}
    for src, found in rounds.items():
        medians[src] = {
            k: [statistics.median(r[k][i] * 1000 for r in found) for i in (0, 1)] for k in found[0]
        }
    base, mine = (medians[src] for src in args.src)
    for k in base:
        (bw, bc), (mw, mc) = base[k], mine[k]
        print(
            f"{k:7} baseline {bw:6.2f} ms ({bc:6.2f} CPU)  this {mw:6.2f} ms ({mc:6.2f} CPU)"
            f"  this/baseline {mw / bw:.2f} ({mc / bc:.2f} CPU)"
        )
    for k in ("record", "fresh"):
        (ew, ec), (mw, mc) = mine["es"], mine[k]
        print(f"eventsourcing / {k}: {ew / mw:.2f} wall, {ec / mc:.2f} CPU (this tree)")


if __name__ == "__main__":
    main()
