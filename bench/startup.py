"""Cold start of `cpw show --json` and `cpw record`, side by side with a baseline tree.

Each round runs, in turn: `python -c pass`, `python -c "import sqlalchemy"` (and, with
`--sqlalchemy-path`, the same import of another SQLAlchemy put first on the path), then
`show` and `record` with each tree's code (`python -m cpworkflow` with that tree's `src`
first on PYTHONPATH, the same interpreter and packages). Wall and CPU (user + system of
the child, from `os.wait4`) medians over the rounds; ratios of this tree to the baseline.
PYTHONDONTWRITEBYTECODE is removed from the environment (with it set, no `.pyc` is ever
written for an editable install and every start compiles the whole package), unless
`--keep-dontwritebytecode` is given to show that effect.

    .venv/bin/python bench/startup.py --base /tmp/base/src --repeat 15
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = '{"child": {"ref": "R-1", "birth_date": "2015-03-01"}}'
SW = ["--actor", "sw-1", "--role", "social_worker"]


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        assert process.stderr is not None
        raise SystemExit(f"{argv} failed: {process.stderr.read().decode()[:400]}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True, help="the baseline tree's src folder")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--sqlalchemy-path", help="a folder holding another SQLAlchemy")
    parser.add_argument("--keep-dontwritebytecode", action="store_true")
    parser.add_argument("--json", help="write every round's timings here")
    args = parser.parse_args()

    env = {k: v for k, v in os.environ.items() if k not in ("CPW_DB", "PYTHONPATH")}
    if not args.keep_dontwritebytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["CPW_TODAY"] = "2025-03-01"
    py = sys.executable
    folder = Path(tempfile.mkdtemp(prefix="cpw-startup-"))
    trees = {"base": str(Path(args.base).resolve()), "this": str(ROOT / "src")}
    runs: dict[str, tuple[list[str], dict[str, str]]] = {
        "python -c pass": ([py, "-c", "pass"], env),
        "import sqlalchemy": ([py, "-c", "import sqlalchemy"], env),
    }
    if args.sqlalchemy_path:
        other = {**env, "PYTHONPATH": args.sqlalchemy_path}
        runs["import sqlalchemy (other)"] = ([py, "-c", "import sqlalchemy"], other)
    seqs: dict[str, int] = {}
    for name, src in trees.items():
        tree_env = {**env, "PYTHONPATH": src}
        url = f"sqlite:///{folder / name}.db"
        cpw = [py, "-m", "cpworkflow", "--db", url]
        opened = ["record", "C1", "CaseOpened", "--on", "2025-01-06", "--data", CHILD, *SW]
        subprocess.run([*cpw, *opened], env=tree_env, check=True, capture_output=True)
        seqs[name] = 1
        runs[f"show {name}"] = ([*cpw, "show", "C1", "--json"], tree_env)
        runs[f"record {name}"] = ([*cpw, "record", "C1", "ChildVisited"], tree_env)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    for _ in range(args.repeat + 1):  # the first round warms caches and writes .pyc files
        for name, (argv, run_env) in runs.items():
            if name.startswith("record "):
                tree = name.split()[1]
                seqs[tree] += 1
                day = (date(2025, 1, 6) + timedelta(days=seqs[tree] % 50)).isoformat()
                argv = [*argv, "--on", day, "--data", '{"seen": true}', *SW]
            samples[name].append(_timed(argv, run_env))
    load = os.getloadavg()[0]
    result = {}
    for name, got in samples.items():
        kept = got[1:]
        wall = statistics.median(w for w, _ in kept)
        cpu = statistics.median(c for _, c in kept)
        result[name] = {"wall_s": wall, "cpu_s": cpu, "rounds": kept}
        print(f"{name:28} wall {wall * 1000:6.0f} ms  cpu {cpu * 1000:6.0f} ms")
    for command in ("show", "record"):
        this, base = result[f"{command} this"], result[f"{command} base"]
        print(
            f"{command}: this/base wall {this['wall_s'] / base['wall_s']:.2f}"
            f"  cpu {this['cpu_s'] / base['cpu_s']:.2f}"
        )
    print(f"1-minute load average at the end: {load:.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"load": load, "runs": result}, indent=2) + "\n")


if __name__ == "__main__":
    main()
