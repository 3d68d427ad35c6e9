"""The logs of the cases a service recorded to lately, so that the next `record` on one of
them need not load and replay it again: an integrating case system that records event
after event on a case pays for its write transaction alone, not for reading its whole log.

A log kept here is used only while it is the whole log as stored: the hash of the case's
last stored event must be the hash of its last event here (the hash covers the seq and
every event before it, so an append by anyone else, in this process or another, shows).
The service decides on a kept log without asking first: the append is made only after the
stored event with that hash, checked inside the write transaction (`EventStore.append`'s
`after_hash`), and any other answer is given only after asking the store for the hash.
Otherwise the log is read and folded again, as without this. The events are kept as the
store returned them (upcast), the case as their fold gives it, and the team as `team_of`
reads it from the events before upcasting, so a decision taken on a kept log is the one
taken on a log just read.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import cached_property

from cpworkflow.lifecycle.case import Case, EventLike
from cpworkflow.lifecycle.decide import Decided
from cpworkflow.lifecycle.fold import evolve, replay
from cpworkflow.records import StoredEvent
from cpworkflow.reports.caseload import team_after, team_of

KEPT_CASES = 16  # logs kept per service; the least recently used goes first


class Log:
    """A case's log as stored: its events (upcast), the case they fold to and its team
    (each worked out when first asked, as a log just read gives them), and the hash that
    ends its chain (None for no event)."""

    def __init__(self, case_id: str, events: tuple[StoredEvent, ...]) -> None:
        self.case_id = case_id
        self.events = events
        self.last_hash = events[-1].hash if events else None
        self._fold: Callable[[], Case] = lambda: replay(self.events, self.case_id)
        self._team: Callable[[], str | None] = lambda: None

    @classmethod
    def read(
        cls, case_id: str, raw: list[StoredEvent], upcast: Callable[[StoredEvent], StoredEvent]
    ) -> Log:
        """The log just loaded from the store."""
        found = cls(case_id, tuple(upcast(e) for e in raw))
        found._team = lambda: team_of(raw)
        return found

    def then(
        self,
        raw: StoredEvent,
        upcast: Callable[[StoredEvent], StoredEvent],
        decided: Decided | None = None,
    ) -> Log:
        """This log with one more stored event (as the store returned it): its case is the
        case before it evolved by the event, as replay of the whole log gives it. With the
        `decided` event that was stored: if evolve reads the stored event as it read the
        decided one (every field it reads is equal), the decided case is that case, and it
        is the one kept, with what re-chaining keeps beside a decided case
        (`lifecycle.rechain.Chain`), so the next fact need not re-derive its period."""
        before_case, before_team = self.case, self.team
        after = Log(self.case_id, (*self.events, upcast(raw)))
        if decided is not None and _read_alike(after.events[-1], decided.applied):
            case = decided.case
            after._fold = lambda: case
        else:
            after._fold = lambda: evolve(before_case, after.events[-1])
        after._team = lambda: team_after(before_team, raw)
        return after

    @cached_property
    def case(self) -> Case:
        return self._fold()

    @cached_property
    def team(self) -> str | None:
        """The case's team as `team_of` reads it from the events as stored."""
        return self._team()


def _read_alike(stored: EventLike, applied: EventLike) -> bool:
    """Evolve reads the two events alike: every field of an EventLike is equal (evolve
    reads nothing else of an event, and never the policy, the calendar or the clock)."""
    return (
        stored.case_id == applied.case_id
        and stored.seq == applied.seq
        and stored.type == applied.type
        and stored.occurred_on == applied.occurred_on
        and stored.actor == applied.actor
        and stored.data == applied.data
        and stored.decision == applied.decision
        and stored.policy == applied.policy
        and stored.policy_version == applied.policy_version
    )


class Recent:
    """The latest logs of at most `size` cases (0 keeps none), safe to share by threads."""

    def __init__(self, size: int = KEPT_CASES) -> None:
        self.size = size
        self._logs: OrderedDict[str, Log] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, case_id: str) -> Log | None:
        """The kept log of the case, if any: the caller must make sure it is still the
        whole stored log (the store appends after its last hash only, `last_hash` says)."""
        with self._lock:
            log = self._logs.get(case_id)
            if log is not None:
                self._logs.move_to_end(case_id)
        return log

    def keep(self, log: Log) -> None:
        if self.size <= 0 or log.last_hash is None:
            return
        with self._lock:
            self._logs[log.case_id] = log
            self._logs.move_to_end(log.case_id)
            while len(self._logs) > self.size:
                self._logs.popitem(last=False)

    def forget(self, case_id: str) -> None:
        with self._lock:
            self._logs.pop(case_id, None)
