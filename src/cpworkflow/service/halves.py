"""`cpw verify` of a whole store on two cores: the log cut at its middle case, this process
checking the cases before it and a forked one those from it on, each through the same
check on its own connections; the two lists joined in case order. Each case is checked by
one process alone, as it would be by one, so the report is the same, in the same order.

Progress is told once a case, in one count over both halves (the second's cases as it
reports them, every few dozen). Should the second process fail in any way, this one
checks that half itself: an error is raised here, as the one process would raise it.
Below PARALLEL_FROM events, with one core, or with other threads running (a library's
caller may have some), one process does it all.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from cpworkflow.store.scan import Audited

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from cpworkflow.service.cases import CaseService

PARALLEL_FROM = 5_000  # events: below, starting a process costs more than it saves
_EVERY = 50  # cases the second process checks between two reports
Checked = tuple[list[dict[str, Any]], list[str]]  # problems; read-model-only case ids
Check = Callable[["CaseService", Iterable[Audited], Callable[[int], None] | None], Checked]


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def worth_it(service: CaseService) -> bool:
    """Two cores, a store big enough, and no other thread (a fork copies only the calling
    thread: a lock another holds, in logging or a connection pool, would stay locked)."""
    return cores() > 1 and threading.active_count() == 1 and service.store.count() >= PARALLEL_FROM


def check_in_two(
    service: CaseService, check: Check, progress: Callable[[int], None] | None
) -> Checked:
    """`check` over every case, in two processes (see the module's doc)."""
    store = service.store
    middle = store.middle_case()
    if middle is None:
        return check(service, store.audit(), progress)
    import multiprocessing  # here, not at the top: no other command pays for its import

    context = multiprocessing.get_context("fork")
    told = _Told(progress)
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_second_half, args=(service, check, middle, send), daemon=True)
    child.start()
    send.close()
    outcome: list[Any] = []
    try:

        def mine(_number: int) -> None:
            told.add(1)
            while not outcome and receive.poll():
                _take(receive, told, outcome)

        first = check(service, store.audit(span=(None, middle)), mine)
        while not outcome:
            _take(receive, told, outcome)
    finally:
        if not outcome:
            child.kill()
        child.join()
        receive.close()
    second = outcome[0]
    if second is None:  # the second process failed: check its half here, as one would
        reported = told.count - told.mine

        def rest(number: int) -> None:
            if number > reported:
                told.add(1)

        second = check(service, store.audit(span=(middle, None)), rest)
    return first[0] + second[0], first[1] + second[1]


class _Told:
    """One count of the cases checked by both processes, told to `progress` one by one."""

    def __init__(self, progress: Callable[[int], None] | None) -> None:
        self.progress = progress
        self.count = 0
        self.mine = 0

    def add(self, cases: int, *, theirs: bool = False) -> None:
        if not theirs:
            self.mine += cases
        for _ in range(cases):
            self.count += 1
            if self.progress is not None:
                self.progress(self.count)


def _take(receive: Connection, told: _Told, outcome: list[Any]) -> None:
    """One message from the second process: cases checked, its result, or that it failed
    (None, also when it ended without a word)."""
    try:
        kind, value = receive.recv()
    except (EOFError, OSError):
        kind, value = "failed", None
    if kind == "checked":
        told.add(value, theirs=True)
    else:
        outcome.append(value)


def _second_half(service: CaseService, check: Check, middle: str, send: Connection) -> None:
    """In the forked process: check the cases from `middle` on through a store of its own,
    reporting as it goes, then end without running the parent's clean-up (its connections
    belong to the parent)."""
    pending = 0

    def tick(_number: int) -> None:
        nonlocal pending
        pending += 1
        if pending >= _EVERY:
            send.send(("checked", pending))
            pending = 0

    try:
        store = service.store.reopened()
        result = check(service, store.audit(span=(middle, None)), tick)
        send.send(("checked", pending))
        send.send(("done", result))
    except BaseException:  # noqa: BLE001 - any failure: the parent checks this half itself
        with contextlib.suppress(OSError):  # the parent is gone: nobody to tell
            send.send(("failed", None))
    finally:
        os._exit(0)
