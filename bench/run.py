"""cpworkflow's store and replay, side by side with the `eventsourcing` library and plain
SQLAlchemy, in one run on this machine. See bench/README.md.

    .venv/bin/python bench/run.py            # the full run (make bench)
    .venv/bin/python bench/run.py --quick    # a smoke run, under a minute

Repetitions are interleaved (every system once per round, in a rotating order, each on a
fresh SQLite file or PostgreSQL schema) and the median is reported. PostgreSQL is included
when CPW_TEST_PG_URL is set.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import resource
import shlex
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import machine
import replaying
import workload
from systems import Store, opened

from cpworkflow.lifecycle.fold import replay

# (label, system, keyed): "keyed" gives every event an idempotency key.
VARIANTS = [
    ("cpworkflow", "cpworkflow", False),
    ("cpworkflow, keyed", "cpworkflow", True),
    ("eventsourcing", "eventsourcing", False),
    ("plain SQLAlchemy", "plain", False),
]
SECTIONS = {
    "append": "append: one transaction per case (its ~200 events, expected version 0)",
    "append1": "append: one event per transaction (expected version = last seq), as `cpw record`",
    "load": "read: load every case by id, payloads decoded",
    "read_all": "read: every event in global order, 1,000 per query, payloads decoded",
}
# eventsourcing's PostgreSQL recorder needs psycopg_pool (its `postgres` extra).
ES_POSTGRES = importlib.util.find_spec("psycopg_pool") is not None
Samples = dict[tuple[str, str, str], list[float]]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=int, default=20_000, help="events appended (default 20000)")
    p.add_argument("--per-case", type=int, default=200, help="events per case (default 200)")
    p.add_argument("--single-events", type=int, default=1_000, help="one-event appends (1000)")
    p.add_argument("--replay-events", type=int, default=1_000_000, help="events replayed (1M)")
    p.add_argument("--machine-cases", type=int, default=2_000, help="cases for Machine costs")
    p.add_argument("--repeat", type=int, default=5, help="rounds; the median is reported (5)")
    p.add_argument("--quick", action="store_true", help="a small, fast smoke run")
    p.add_argument("--no-postgres", action="store_true", help="ignore CPW_TEST_PG_URL")
    p.add_argument("--tmp", type=Path, default=None, help="where the SQLite files go")
    p.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    if p.parse_args(argv).quick:  # smaller defaults; options given still win
        p.set_defaults(events=2_000, single_events=100, replay_events=20_000)
        p.set_defaults(machine_cases=200, repeat=3)
    return p.parse_args(argv)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def rotated(items: list[Any], by: int) -> list[Any]:
    by %= len(items)
    return items[by:] + items[:by]


def store_round(rnd: int, backend: str, work: dict[str, Any], check: bool = False) -> Samples:
    """Every variant once, on fresh stores, in an order that rotates with the round.
    `check`: also show that each refuses a second seq 1 (its optimistic concurrency)."""
    samples: Samples = defaultdict(list)
    for label, system, keyed in rotated(VARIANTS, rnd):
        if backend == "postgresql" and system == "eventsourcing" and not ES_POSTGRES:
            continue
        with opened(system, backend, work["tmp"], work["pg_url"]) as store:
            for section, seconds in measure(store, work, keyed).items():
                samples[section, backend, label].append(seconds)
            if check:
                cid, evs = work["plain"][0]
                try:
                    store.append_case(cid, evs[:1])
                    refused = False
                except Exception:  # noqa: BLE001 - each system has its own conflict error
                    refused = True
                assert refused, f"{label} on {backend} accepted a second seq 1"
    return samples


def measure(store: Store, work: dict[str, Any], keyed: bool) -> dict[str, float]:
    """Append the cases, append single events, then (unless keyed) read everything back."""
    cases = work["keyed" if keyed else "plain"]
    ones = work["single_keyed" if keyed else "single"]
    out = {"append": timed(lambda: [store.append_case(cid, evs) for cid, evs in cases])[0]}
    out["append1"] = timed(
        lambda: [store.append_one(c, e, i) for c, evs in ones for i, e in enumerate(evs)]
    )[0]
    if not keyed:
        n = sum(len(evs) for _, evs in cases)
        out["load"], got = timed(lambda: sum(store.load(cid) for cid, _ in cases))
        assert got == n, got
        out["read_all"], got = timed(store.read_all)
        assert got == n + sum(len(evs) for _, evs in ones), got
    return out


def replay_round(rnd: int, args: argparse.Namespace, pool: list[Any]) -> Samples:
    samples: Samples = defaultdict(list)
    logs = pool[: args.machine_cases]
    for name in rotated(list(replaying.MACHINE_VARIANTS), rnd):
        t, _ = timed(lambda: replaying.MACHINE_VARIANTS[name](logs))  # noqa: B023
        samples["machine", "memory", name].append(t)
    t, folded = timed(lambda: replaying.fold(pool, args.replay_events))
    samples["replay", "memory", "cpworkflow.lifecycle.fold.replay"].append(t)
    samples["replay_count", "memory", "events"].append(folded)
    return samples


def median(values: list[float]) -> float:
    return statistics.median(values)


def report(samples: Samples, args: argparse.Namespace, backends: list[str]) -> dict[str, Any]:
    """Print the tables; return the numbers for --out."""
    out: dict[str, Any] = {"stores": {}, "machines": {}, "replay": {}}
    counts = {"append": args.events, "append1": args.single_events}
    counts.update(load=args.events, read_all=args.events + args.single_events)
    for section, title in SECTIONS.items():
        print(f"\n{title}, {counts[section]:,} events")
        print(
            f"  {'backend':<11}{'system':<20}{'median s':>10}{'events/s':>11}{'spread':>8}"
            f"{'cpworkflow ÷ this':>19}"
        )
        for backend in backends:
            base = median(samples[section, backend, "cpworkflow"])
            for label, _, _ in VARIANTS:
                runs = samples.get((section, backend, label))
                if not runs:
                    continue
                mid = median(runs)
                rate, spread, ratio = (
                    counts[section] / mid,
                    (max(runs) - min(runs)) / mid,
                    mid / base,
                )
                print(
                    f"  {backend:<11}{label:<20}{mid:>10.3f}{rate:>11,.0f}{spread:>7.0%}"
                    f"{ratio:>18.2f}x"
                )
                out["stores"].setdefault(section, {}).setdefault(backend, {})[label] = {
                    "seconds": runs,
                    "median_s": mid,
                    "events_per_s": rate,
                    "cpworkflow_throughput_ratio": ratio,
                    "events": counts[section],
                }
    n = args.machine_cases
    print(f"\nreplay with the lifecycle Machine: {n:,} copies of C1001 (52 events each)")
    shared = median(samples["machine", "memory", "shared Machine (cpworkflow)"])
    for name in replaying.MACHINE_VARIANTS:
        runs = samples["machine", "memory", name]
        ms = median(runs) / n * 1000
        print(f"  {name:<30}{ms:>8.3f} ms/case{median(runs) / shared:>8.2f}x the shared machine")
        out["machines"][name] = {"seconds": runs, "ms_per_case": ms, "ratio": median(runs) / shared}
    runs = samples["replay", "memory", "cpworkflow.lifecycle.fold.replay"]
    count = int(samples["replay_count", "memory", "events"][0])
    mid = median(runs)
    out["replay"] = {"seconds": runs, "events": count, "events_per_s": count / mid}
    print(f"\nreplay: {count:,} stored events (C1001 copies, decisions as recorded)")
    print(f"  median {mid:.2f} s = {count / mid:,.0f} events/s, {mid / count * 1e6:.1f} µs/event")
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    pg_url = None if args.no_postgres else (os.environ.get("CPW_TEST_PG_URL") or None)
    backends = ["sqlite"] + (["postgresql"] if pg_url else [])
    if pg_url and not ES_POSTGRES:
        print("eventsourcing on PostgreSQL skipped: pip install psycopg-pool", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="cpw-bench-", dir=args.tmp) as tmp_dir:
        info = machine.info(Path(tmp_dir), pg_url)
        command = shlex.join([".venv/bin/python", "bench/run.py", *sys.argv[1:]])
        print(command)
        print(
            f"{info['cpu']}, nproc {info['nproc']}, Python {info['python']}, SQLite "
            f"{info['sqlite']}, PostgreSQL {info['postgresql']}, {info['packages']}, "
            f"git {info['git']} (+{info['src_files_uncommitted']} uncommitted src files), "
            f"load average {info['loadavg_start']}"
        )
        work = {
            "tmp": Path(tmp_dir),
            "pg_url": pg_url,
            "plain": workload.append_cases(args.events, args.per_case),
            "keyed": workload.append_cases(args.events, args.per_case, keyed=True),
            "single": workload.append_cases(args.single_events, 50, prefix="S"),
            "single_keyed": workload.append_cases(args.single_events, 50, prefix="S", keyed=True),
        }
        base = workload.stored_log("C1001")
        check = replay(base)
        assert (check.version, check.stage) == (52, "closed"), check
        pool = workload.replay_pool(base, max(args.machine_cases, 1000))
        info["payload_bytes_per_event"] = workload.payload_bytes(work["plain"])
        warm = {k: v[:2] if isinstance(v, list) else v for k, v in work.items()}
        for backend in backends:  # warm-up, not recorded: imports, caches, first connections
            store_round(0, backend, warm, check=True)
        for variant in replaying.MACHINE_VARIANTS.values():
            variant(pool[:10])
        samples: Samples = defaultdict(list)
        for rnd in range(args.repeat):
            for backend in backends:
                for key, values in store_round(rnd, backend, work).items():
                    samples[key].extend(values)
            for key, values in replay_round(rnd, args, pool).items():
                samples[key].extend(values)
            print(f"  round {rnd + 1}/{args.repeat} done, load {os.getloadavg()}", file=sys.stderr)
        info["loadavg_end"] = os.getloadavg()
        results = report(samples, args, backends)
        results["replay"]["memory"] = mem = replaying.memory(pool[:1000])
        print(
            f"  peak memory while folding: {mem['fold_peak_kib']:,.0f} KiB (tracemalloc, one "
            f"round of the pool); one replayed Case holds {mem['case_kib']:.1f} KiB"
        )
        print(
            f"  a Machine per case holds {mem['machine_kib']:.1f} KiB; a model added to a "
            f"shared Machine {mem['add_model_kib']:.1f} KiB"
        )
        info["max_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"  the whole process peaked at {info['max_rss_kib'] / 1024:,.0f} MiB resident")
        print(f"\nload average: start {info['loadavg_start']}, end {info['loadavg_end']}")
    if args.out:
        doc = {"command": command, "machine": info, "args": _jsonable(vars(args)), **results}
        args.out.write_text(json.dumps(doc, indent=2) + "\n", "utf-8")
    return 0


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Path) else v for k, v in values.items()}


if __name__ == "__main__":
    sys.exit(main())
