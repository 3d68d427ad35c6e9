"""Issue 9's targets at authority scale, side by side with the `eventsourcing` library in
one run: import, verify, `due` at two caseload sizes, cold `show` and `record`, `show
--as-of` on a long case, one `record` on a 200-event case, and peak memory. The caseload
is `cpw simulate` (every path of the lifecycle, the three packs). Each part runs in a new
process of its own, SQLite's first and PostgreSQL's last. See bench/README.md.

    .venv/bin/python bench/scale.py            # the full run (make bench)
    .venv/bin/python bench/scale.py --quick    # a smoke run, a minute or two
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import machine
from systems import Eventsourcing, opened

from cpworkflow import logs
from cpworkflow.reads import Reads
from cpworkflow.records import CaseView, NewEvent, StoredEvent
from cpworkflow.service import CaseService, PointInTime
from cpworkflow.store import EventStore
from cpworkflow.workload.caseload import jsonl, simulate

CPW = Path(sys.executable).parent / "cpw"
TODAY = date(2026, 4, 1)  # the simulated caseload runs to 2026-03-31
FAR = date(2046, 1, 1)  # "today" for the long synthetic cases (a visit a week for years)
SW = {"id": "sw-1", "role": "social_worker"}
TM = {"id": "tm-1", "role": "team_manager"}
CHAIR = {"id": "iro-1", "role": "cp_chair"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--children", type=int, default=2_000, help="simulated children imported")
    p.add_argument("--due-cases", default="10000,50000", help="caseload sizes for `due`")
    p.add_argument("--long-case", type=int, default=1_000, help="events of the as-of case")
    p.add_argument("--record-case", type=int, default=200, help="events before one record")
    p.add_argument("--memory-events", type=int, default=1_000_000, help="0 skips it")
    p.add_argument(
        "--memory-file", type=Path, default=None, help="keep the memory run's file here, reused"
    )
    p.add_argument("--repeat", type=int, default=5, help="repetitions; the median is kept")
    p.add_argument("--quick", action="store_true", help="a small, fast smoke run")
    p.add_argument("--no-postgres", action="store_true", help="ignore CPW_TEST_PG_URL")
    p.add_argument("--tmp", type=Path, default=None, help="where the SQLite files go")
    p.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    if p.parse_args(argv).quick:
        p.set_defaults(children=200, due_cases="1000,5000", long_case=300, memory_events=0)
        p.set_defaults(repeat=3)
    return p.parse_args(argv)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def median_of(repeat: int, fn: Callable[[], Any]) -> float:
    return statistics.median(timed(fn)[0] for _ in range(repeat))


def as_new(e: StoredEvent, case_id: str | None = None) -> NewEvent:
    return NewEvent(
        case_id=case_id or e.case_id,
        type=e.type,
        occurred_on=e.occurred_on,
        actor=e.actor,
        data=e.data,
        schema_version=e.schema_version,
        policy=e.policy,
        policy_version=e.policy_version,
        decision=e.decision,
        key=e.key,
    )


def all_cases(store: EventStore) -> dict[str, list[StoredEvent]]:
    return {cid: events for cid, events, _ in store.walk()}


# -- import and verify, against eventsourcing's save and reload -------------------------


def import_and_verify(
    backend: str, lines: list[bytes], tmp: Path, pg: str | None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with opened("cpworkflow", backend, tmp, pg) as ours:
        service = CaseService(ours.store, today=lambda: TODAY)  # type: ignore[attr-defined]
        seconds, result = timed(lambda: service.import_lines(lines))
        out["events"], out["cases"] = result.events, result.cases
        out["import_events_per_s"] = result.events / seconds
        seconds, problems = timed(service.verify)
        assert problems == [], problems[:3]
        out["verify_events_per_s"] = result.events / seconds
        cases = all_cases(ours.store)  # type: ignore[attr-defined]
    with opened("eventsourcing", backend, tmp, pg) as theirs:
        batches = [(cid, [as_new(e) for e in evs]) for cid, evs in cases.items()]
        seconds, _ = timed(lambda: [theirs.append_case(cid, evs) for cid, evs in batches])
        out["es_save_events_per_s"] = out["events"] / seconds
        seconds, count = timed(lambda: sum(theirs.load(cid) for cid in cases))
        assert count == out["events"]
        out["es_reload_events_per_s"] = out["events"] / seconds
    out["import_ratio"] = out["import_events_per_s"] / out["es_save_events_per_s"]
    out["verify_ratio"] = out["verify_events_per_s"] / out["es_reload_events_per_s"]
    return out


# -- the caseload views, and the cold commands ---------------------------------------------


def grown(
    url: str, templates: dict[str, list[StoredEvent]], size: int, service: CaseService
) -> None:
    """A store of `size` cases, each a simulated case's decided events under a new id (the
    read-model rows copied with them): a large caseload without deciding it again."""
    store = EventStore(url)
    store.init()
    views = {cid: service.view_of(evs) for cid, evs in templates.items()}
    names = list(templates)
    for start in range(0, size, 500):
        batches, rows = [], {}
        for n in range(start, min(size, start + 500)):
            cid, name = f"D{n:06d}", names[n % len(names)]
            batches.append((cid, [as_new(e, cid) for e in templates[name]], 0))
            rows[cid] = CaseView(cid, views[name].summary, views[name].obligations)
        store.append_batches(batches, views=rows)
    store.dispose()


def cpw(url: str, *args: str, today: date = TODAY) -> float:
    env = {**os.environ, "CPW_TODAY": today.isoformat(), "CPW_DB": url}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's cpw reads its compiled modules
    start = time.perf_counter()
    done = subprocess.run([str(CPW), *args], env=env, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    assert done.returncode == 0, (args, done.stderr.decode()[-300:])
    return seconds


def caseload_views(args: argparse.Namespace, tmp: Path, lines: list[bytes]) -> dict[str, Any]:
    out: dict[str, Any] = {"due": {}}
    url = f"sqlite:///{tmp / 'caseload.db'}"
    store = EventStore(url)
    store.init()
    service = CaseService(store, today=lambda: TODAY)
    service.import_lines(lines)
    templates = all_cases(store)
    for size in [int(s) for s in args.due_cases.split(",")]:
        big = f"sqlite:///{tmp / f'due-{size}.db'}"
        grown(big, templates, size, service)
        cpw(big, "due", "--json")  # warm the file cache
        out["due"][size] = statistics.median(cpw(big, "due", "--json") for _ in range(args.repeat))
    open_case = next(
        c
        for c, evs in templates.items()
        if evs[-1].decision.get("stage_after") in ("cp_plan", "cin")
    )
    # cold: a new process each time (its modules compiled, the store's file in the page
    # cache, as for due): one run first that is not counted, then medians of 3 x repeat
    show = ["show", open_case, "--json"]
    record = ["record", open_case, "ChildVisited", "--on", TODAY.isoformat(), "--actor", "sw-1"]
    record += ["--role", "social_worker", "--data", '{"seen": true}']
    for command, name in ((show, "show_cold_s"), (record, "record_cold_s")):
        cpw(url, *command)
        out[name] = statistics.median(cpw(url, *command) for _ in range(args.repeat * 3))
    store.dispose()
    return out


# -- a long case: show --as-of, and one record on it ------------------------------------


def long_case(case_id: str, events: int) -> list[dict[str, Any]]:
    """A case on a plan with a visit a week: `events` envelopes in all."""

    def ev(type_: str, on: date, actor: dict[str, str], **data: Any) -> dict[str, Any]:
        return {
            "case_id": case_id,
            "type": type_,
            "occurred_on": on.isoformat(),
            "actor": actor,
            "data": data,
        }

    start = date(2026, 1, 5)
    log = [
        ev("CaseOpened", start, SW, child={"ref": case_id, "birth_date": "2025-06-01"}),
        ev("StrategyMeetingHeld", start, TM, outcome="s47"),
        ev(
            "InitialConferenceHeld",
            start + timedelta(days=10),
            CHAIR,
            chair=CHAIR,
            decision="plan",
            categories=["neglect"],
            lead_social_worker=SW,
        ),
    ]
    day = start + timedelta(days=10)
    while len(log) < events:
        day += timedelta(days=7)
        log.append(ev("ChildVisited", day, SW, seen=True, seen_alone=True))
    return log


def long_cases(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    store = EventStore(f"sqlite:///{tmp / 'long.db'}")
    store.init()
    service = CaseService(store, today=lambda: FAR)
    reads = Reads(service)
    log = long_case("L1", args.long_case)
    service.import_lines([json.dumps(e) for e in log])
    middle = PointInTime(as_of=date.fromisoformat(log[len(log) // 2]["occurred_on"]))
    reads.show("L1", middle)
    out["show_as_of_s"] = median_of(args.repeat * 4, lambda: reads.show("L1", middle))
    log = long_case("R1", args.record_case)
    service.import_lines([json.dumps(e) for e in log])
    last = date.fromisoformat(log[-1]["occurred_on"])
    visits = iter(range(1, 10**6))

    def record_one() -> None:
        on = last + timedelta(days=next(visits))
        service.record({**log[-1], "occurred_on": on.isoformat()})

    out["record_s"] = median_of(args.repeat * 4, record_one)

    def record_fresh() -> None:  # a new service each time: no log kept from the last record
        on = last + timedelta(days=next(visits))
        CaseService(store, today=lambda: FAR).record({**log[-1], "occurred_on": on.isoformat()})

    out["record_fresh_s"] = median_of(args.repeat * 4, record_fresh)
    template = as_new(store.load("R1")[-1])
    with opened("eventsourcing", "sqlite", tmp, None) as theirs:
        es: Eventsourcing = theirs  # type: ignore[assignment]
        es.append_case("R1", [as_new(e) for e in store.load("R1")[: args.record_case]])
        versions = iter(range(args.record_case, 10**6))

        def get_modify_save() -> None:
            version = next(versions)
            assert es.load("R1") == version  # get: every event decoded
            es.append_one("R1", template, version)  # modify and save at the next version

        out["es_get_modify_save_s"] = median_of(args.repeat * 4, get_modify_save)
    out["record_ratio"] = out["es_get_modify_save_s"] / out["record_s"]
    out["record_fresh_ratio"] = out["es_get_modify_save_s"] / out["record_fresh_s"]
    store.dispose()
    return out


# -- peak memory of import and verify --------------------------------------------------------


def memory_file(events: int, path: Path) -> int:
    """A file of at least `events` envelopes, each child a simulated case of its own (as
    `cpw simulate 1 --seed N`, renamed M0000001...): written once, then reused (a million
    events take minutes to simulate). Returns how many envelopes it holds."""
    if path.is_file():
        with path.open("rb") as existing:
            held = sum(1 for line in existing if line.strip())
        if held >= events:
            return held
    written, children = 0, 0
    with path.open("wb") as out:
        while written < events:
            children += 1
            for line in jsonl(iter(simulate(1, seed=children))):
                out.write(line.replace(b'"S000001"', f'"M{children:07d}"'.encode()))
                written += 1
    return written


def peak_memory(events: int, tmp: Path, path: Path | None = None) -> dict[str, Any]:
    """The largest resident size of `cpw import` of `events` envelopes, then of `cpw
    verify`, each a process of its own (ru_maxrss), with how long each took."""
    path = path or tmp / "million.jsonl"
    url = f"sqlite:///{tmp / 'million.db'}"
    result: dict[str, Any] = {"events": memory_file(events, path)}
    for name, command in (("import", ["import", str(path)]), ("verify", ["verify"])):
        env = {**os.environ, "CPW_TODAY": TODAY.isoformat(), "CPW_DB": url}
        start = time.perf_counter()
        process = subprocess.Popen(
            [str(CPW), *command], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(process.pid, 0)
        assert status == 0, (name, status)
        result[f"{name}_peak_mib"] = usage.ru_maxrss / 1024
        result[f"{name}_s"] = time.perf_counter() - start
    return result


def settled() -> None:
    """Before each part: what the last part wrote is flushed to disk, so that no part pays
    for the writeback of another's files (the 50,000-case stores are hundreds of MB)."""
    os.sync()
    time.sleep(2)


def alone(part: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """`part(*args)` in a new Python process (spawned, not forked: none of this one's
    heap; not a pool's daemon, so verify and import may fork their second process), whose
    result comes back pickled."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_quietly, args=(send, part, *args))
    child.start()
    send.close()
    result: dict[str, Any] = receive.recv()
    child.join()
    assert child.exitcode == 0, (part.__name__, child.exitcode)
    return result


def _quietly(send: Any, part: Callable[..., dict[str, Any]], *args: Any) -> None:
    logs.configure("warning")
    send.send(part(*args))
    send.close()


def say(ours: str, mine: float, other: str, theirs: float) -> None:
    print(f"  {ours} {mine:,.0f} events/s, {other} {theirs:,.0f} events/s")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logs.configure("warning")
    pg = None if args.no_postgres else (os.environ.get("CPW_TEST_PG_URL") or None)
    with tempfile.TemporaryDirectory(prefix="cpw-scale-", dir=args.tmp) as tmp_dir:
        tmp = Path(tmp_dir)
        info = machine.info(tmp, pg)
        command = shlex.join([".venv/bin/python", "bench/scale.py", *sys.argv[1:]])
        print(command, f"\nload average before: {info['loadavg_start']}")
        lines = list(jsonl(simulate(args.children, seed=1)))
        results: dict[str, Any] = {"backends": {}}
        # SQLite's parts first, PostgreSQL's last (its server's work after an import would
        # slow what comes next); each part in a new process of its own (a part run in the
        # heap another part left was up to 1.7x slower), after the last one's writes settle
        settled()
        results["views"] = v = alone(caseload_views, args, tmp, lines)
        for size, seconds in v["due"].items():
            print(f"  cpw due --json over {size:,} cases: {seconds:.2f} s (target < 1 s, flat)")
        print(f"  cpw show --json cold: {v['show_cold_s'] * 1000:.0f} ms (target <= 300)")
        print(f"  cpw record cold: {v['record_cold_s'] * 1000:.0f} ms (target <= 300)")
        settled()
        results["long"] = g = alone(long_cases, args, tmp)
        as_of_ms = g["show_as_of_s"] * 1000
        print(f"  show --as-of, {args.long_case} events: {as_of_ms:.1f} ms (target < 20)")
        ours, theirs = g["record_s"] * 1000, g["es_get_modify_save_s"] * 1000
        print(f"  one record on {args.record_case} events: {ours:.1f} ms, eventsourcing")
        print(f"    get-modify-save {theirs:.1f} ms: ratio {g['record_ratio']:.2f} (target >= 2)")
        fresh = g["record_fresh_s"] * 1000
        print(f"    with a new service each time (no kept log): {fresh:.1f} ms,")
        print(f"    ratio {g['record_fresh_ratio']:.2f}")
        for backend in ["sqlite"] + (["postgresql"] if pg else []):
            settled()
            results["backends"][backend] = r = alone(import_and_verify, backend, lines, tmp, pg)
            print(f"{backend}: {r['events']:,} events of {r['cases']:,} children")
            say("import", r["import_events_per_s"], "eventsourcing save", r["es_save_events_per_s"])
            print(f"    ratio {r['import_ratio']:.2f} (target >= 1.0)")
            say(
                "verify",
                r["verify_events_per_s"],
                "eventsourcing reload",
                r["es_reload_events_per_s"],
            )
            print(f"    ratio {r['verify_ratio']:.2f} (target >= 2.0)")
        if args.memory_events:
            settled()
            results["memory"] = m = peak_memory(args.memory_events, tmp, args.memory_file)
            print(f"  peak memory at {m['events']:,} events: import {m['import_peak_mib']:,.0f}")
            print(f"    MiB, verify {m['verify_peak_mib']:,.0f} MiB (target < 500)")
        info["loadavg_end"] = os.getloadavg()
        print(f"load average after: {info['loadavg_end']}")
    if args.out:
        doc = {"command": command, "machine": info, **results}
        args.out.write_text(json.dumps(doc, indent=2, default=str) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
