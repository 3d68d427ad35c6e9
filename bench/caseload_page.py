"""How fast the web view's caseload page answers on a large simulated store.

Builds (once, then reuses) a store of `--cases` simulated children (`cpw simulate`, then
`cpw import`), starts `cpw serve` on it in a subprocess (uvicorn, the database opened
read-only, as a user runs it) and times whole HTTP requests from this process: the first
page, filtered pages and a late page, `--repeat` times each after one warm-up request.
The target (issue 13): the caseload page of a 50,000-case store answers in under 1 s.

    .venv/bin/python bench/caseload_page.py                 # 50,000 cases, SQLite
    .venv/bin/python bench/caseload_page.py --cases 2000    # a quick look
    .venv/bin/python bench/caseload_page.py --db postgresql+psycopg://u@host/db

Building the 50,000-case store imports about 1.5 million events: minutes, once. The
store is kept in bench/results/ (git-ignored) and reused while it exists.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TODAY = "2026-04-30"  # a month after the simulation's last day: work is due and overdue
TARGET_SECONDS = 1.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", type=int, default=50_000, help="simulated children (50,000)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--db", help="a store URL to build or reuse (default a SQLite file)")
    p.add_argument("--repeat", type=int, default=20, help="timed requests per page (20)")
    p.add_argument("--out", type=Path, help="also write the timings as JSON")
    return p.parse_args(argv)


def cpw(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CPW_TODAY": TODAY}
    return subprocess.run(
        [str(BIN / "cpw"), "--db", db, *args], env=env, capture_output=True, text=True, check=False
    )


def build(db: str, cases: int, seed: int) -> dict[str, Any]:
    """Simulate and import, unless the store already holds the cases."""
    counted = cpw(db, "cases", "--json", "--limit", "1")
    if counted.returncode == 0 and json.loads(counted.stdout)["total"] == cases:
        return {"built": False}
    folder = ROOT / "bench" / "results"
    folder.mkdir(parents=True, exist_ok=True)
    lines = folder / f"caseload-{cases}-{seed}.jsonl"
    started = time.perf_counter()
    done = cpw(db, "simulate", str(cases), "--seed", str(seed), "-o", str(lines))
    if done.returncode != 0:
        sys.exit(f"simulate failed: {done.stderr}")
    simulated = time.perf_counter() - started
    started = time.perf_counter()
    done = cpw(db, "import", str(lines))
    if done.returncode != 0:
        sys.exit(f"import failed: {done.stderr[-2000:]}")
    imported = time.perf_counter() - started
    events = sum(1 for _ in lines.open("rb"))
    lines.unlink()
    return {"built": True, "events": events, "simulate_s": simulated, "import_s": imported}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 - localhost
        body = response.read()
        status = response.status
    return time.perf_counter() - started, status, len(body)


def measure(db: str, repeat: int) -> list[dict[str, Any]]:
    port = free_port()
    env = {**os.environ, "CPW_TODAY": TODAY}
    command = [str(BIN / "cpw"), "--log-level", "warning", "--db", db, "serve"]
    server = subprocess.Popen([*command, "--port", str(port)], env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                fetch(f"{base}/style.css")
                break
            except OSError:
                time.sleep(0.1)
        listed = json.loads(cpw(db, "cases", "--json", "--limit", "200").stdout)
        worker = next(r for r in listed["rows"] if r["worker"])
        pages_total = max(1, -(-listed["total"] // 50))
        late = min(500, pages_total)
        pages = {
            "caseload, first page": "/",
            "stage=cin": "/?stage=cin",
            f"worker={worker['worker']}": f"/?worker={worker['worker']}",
            "team=north&pack=default": "/?team=north&pack=default",
            f"page {late} (of {pages_total})": f"/?page={late}",
        }
        rows = []
        for name, path in pages.items():
            cold, status, size = fetch(base + path)
            if status != 200:
                sys.exit(f"{path}: HTTP {status}")
            times = [fetch(base + path)[0] for _ in range(repeat)]
            rows.append(
                {
                    "page": name,
                    "path": path,
                    "first_s": cold,
                    "median_s": statistics.median(times),
                    "p95_s": sorted(times)[max(0, int(len(times) * 0.95) - 1)],
                    "max_s": max(times),
                    "bytes": size,
                }
            )
        return rows
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    default = ROOT / "bench" / "results" / f"caseload-{args.cases}-seed{args.seed}.db"
    db = args.db or f"sqlite:///{default}"
    built = build(db, args.cases, args.seed)
    load = os.getloadavg()  # just before the timed requests
    if built["built"]:
        print(
            f"built {args.cases:,} cases ({built['events']:,} events): simulate "
            f"{built['simulate_s']:.1f} s, import {built['import_s']:.1f} s",
            file=sys.stderr,
        )
    rows = measure(db, args.repeat)
    print(f"cpw serve, caseload page, {args.cases:,} cases, {args.repeat} requests each")
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; today {TODAY}")
    print(f"{'page':<36} {'first':>8} {'median':>8} {'p95':>8} {'max':>8} {'KiB':>6}")
    for r in rows:
        print(
            f"{r['page']:<36} {r['first_s'] * 1000:>6.0f}ms {r['median_s'] * 1000:>6.0f}ms "
            f"{r['p95_s'] * 1000:>6.0f}ms {r['max_s'] * 1000:>6.0f}ms {r['bytes'] / 1024:>6.0f}"
        )
    worst = max(r["p95_s"] for r in rows)
    met = worst < TARGET_SECONDS
    print(f"target: every page's p95 under {TARGET_SECONDS:.0f} s: {'met' if met else 'MISSED'}")
    if args.out:
        args.out.write_text(json.dumps({"cases": args.cases, "load": load, "rows": rows}, indent=2))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
