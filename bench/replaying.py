"""Replay: folding stored logs through `cpworkflow.lifecycle.fold.replay` (the one shared
transitions Machine), and what the alternative, a `transitions.Machine` per case, would cost."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

from transitions import Machine

from cpworkflow.lifecycle.fold import replay
from cpworkflow.lifecycle.machine import machine_config
from cpworkflow.records import StoredEvent

Log = list[StoredEvent]
CONFIG = machine_config()


class PerCaseModel:
    """The object a machine-per-case design would attach its Machine to."""


def fold(pool: list[Log], total: int) -> int:
    """Replay the pool's logs round-robin (each a fresh fold from an empty case) until at
    least `total` events have been folded; returns how many were."""
    done = 0
    while done < total:
        for log in pool:
            replay(log)
            done += len(log)
            if done >= total:
                break
    return done


def shared_machine(logs: list[Log]) -> None:
    """What cpworkflow does: cases are plain values; the one module-level Machine is read."""
    for log in logs:
        replay(log)


def machine_per_case(logs: list[Log]) -> None:
    """The same replay, plus a Machine built for each case with its model attached."""
    for log in logs:
        Machine(model=PerCaseModel(), **CONFIG)
        replay(log)


def add_model_per_case(logs: list[Log]) -> None:
    """The same replay, with each case's model added to (and removed from) one machine."""
    machine = Machine(model=None, **CONFIG)
    for log in logs:
        model = PerCaseModel()
        machine.add_model(model)
        replay(log)
        machine.remove_model(model)


MACHINE_VARIANTS: dict[str, Callable[[list[Log]], None]] = {
    "shared Machine (cpworkflow)": shared_machine,
    "Machine per case": machine_per_case,
    "add_model per case": add_model_per_case,
}


def _kib_each(make: Callable[[], Any], count: int) -> float:
    """Memory held per object made by `make` (tracemalloc, `count` kept alive)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [make() for _ in range(count)]
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del kept
    return (after - before) / count / 1024


def memory(pool: list[Log]) -> dict[str, float]:
    """Peak memory of folding one round of the pool (each case discarded after its fold, so
    the peak does not grow with the number of events), the size of one replayed Case, and
    the memory held per Machine and per model added to a shared machine."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fold(pool, sum(len(log) for log in pool))
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    logs = iter(pool * 2)
    shared = Machine(model=None, **CONFIG)
    return {
        "fold_peak_kib": peak / 1024,
        "case_kib": _kib_each(lambda: replay(next(logs)), min(len(pool), 500)),
        "machine_kib": _kib_each(lambda: Machine(model=PerCaseModel(), **CONFIG), 100),
        "add_model_kib": _kib_each(lambda: shared.add_model(PerCaseModel()), 100),
    }
