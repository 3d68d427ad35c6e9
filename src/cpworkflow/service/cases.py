"""The case service: read a case as it stood, and record one event (decide, then append).

Bulk import is `service.importing`, verify and rebuild `service.integrity`; the class keeps
a method for each, so callers hold one object. It joins the store (facts), the lifecycle
(decide/evolve) and the policy packs. The clock is passed in (`today`), so `CPW_TODAY` and
tests decide what "today" is.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from cpworkflow.errors import (
    BadInputError,
    ConflictError,
    NotFoundError,
    RefusedError,
)
from cpworkflow.lifecycle.as_of import case_as_of
from cpworkflow.lifecycle.case import Case, EventLike
from cpworkflow.lifecycle.decide import Context, Decided, decide
from cpworkflow.lifecycle.fold import replay
from cpworkflow.logs import get_logger
from cpworkflow.policy.loading import load_policy
from cpworkflow.policy.pack import Policy
from cpworkflow.records import CaseView, FoldEvent, NewEvent, StoredEvent
from cpworkflow.reports.caseload import case_view, team_after, team_of
from cpworkflow.service import collector
from cpworkflow.service.points import NOW, PointInTime
from cpworkflow.service.recent import KEPT_CASES, Log, Recent
from cpworkflow.service.repeats import by_key, same_as_original
from cpworkflow.store import EventStore
from cpworkflow.store.appending import HeadMoved
from cpworkflow.vocabulary.envelope import Envelope, check_dates, parse_envelope
from cpworkflow.vocabulary.json_input import without_export_metadata
from cpworkflow.vocabulary.upcasting import DEFAULT_UPCASTERS, Upcasters

# Import, verify and rebuild bring the store's bulk writer and scanner (`service.importing`,
# `service.integrity`): imported by the methods that call them, not for a show or a record.
if TYPE_CHECKING:
    from cpworkflow.service.importing import Imported

log = get_logger("cpworkflow.service")
RECORD_TRIES = 4  # optimistic decisions for `record` without an expected version


@dataclass(frozen=True)
class Recorded:
    case: Case
    event: StoredEvent
    duplicate: bool


class CaseService:
    def __init__(
        self,
        store: EventStore,
        *,
        today: Callable[[], date],
        policies: Callable[[str], Policy] = load_policy,
        upcasters: Upcasters = DEFAULT_UPCASTERS,
        kept_logs: int = KEPT_CASES,
    ) -> None:
        self.store = store
        self.today = today
        self.policies = policies
        self.upcasters = upcasters
        # The logs of the cases recorded to lately (`kept_logs` of them; 0 keeps none).
        self.recent = Recent(kept_logs)

    # -- reading -----------------------------------------------------------------------

    def upcast(self, event: StoredEvent) -> StoredEvent:
        if self.upcasters.current.get(event.type) == event.schema_version:
            return event  # already current (every event today): no step to look for
        data, version = self.upcasters.upcast(event.type, event.schema_version, event.data)
        if version == event.schema_version:
            return event
        return replace(event, data=data, schema_version=version)

    def events(self, case_id: str, point: PointInTime = NOW) -> list[StoredEvent]:
        """The case's stored events (upcast to the current schema) selected by `point`."""
        stored = self.store.load(
            case_id,
            to_seq=point.at_seq,
            occurred_on_or_before=point.as_of,
            recorded_at_or_before=point.known_at,
        )
        if not stored and not self.store.exists(case_id):  # asked only when nothing is found
            raise NotFoundError(f"case {case_id} not found")
        log.debug("loaded", case_id=case_id, events=len(stored), point_in_time=not point.is_now)
        return [self.upcast(e) for e in stored]

    def case(self, case_id: str, point: PointInTime = NOW) -> tuple[Case, list[StoredEvent]]:
        """The case as it stood at `point`, and the events that point selects. `--as-of` is
        what had happened by then as known now (`lifecycle.as_of`), so the whole log is
        read; `--known-at` and `--at-seq` are prefixes of it. Read and folded with the
        collector held back, as `case_at` says."""
        with collector.held_back():
            return self._case(case_id, point)

    def _case(self, case_id: str, point: PointInTime) -> tuple[Case, list[StoredEvent]]:
        if point.as_of is not None:
            every = self.events(case_id, PointInTime(known_at=point.known_at))
            try:
                return case_as_of(every, case_id, point.as_of)
            except ValueError:  # a date before the case was opened
                raise NotFoundError(f"case {case_id} had no events by then") from None
        events = self.events(case_id, point)
        if not events:
            raise NotFoundError(f"case {case_id} had no events by then")
        return replay(events, case_id), events

    def case_at(self, case_id: str, point: PointInTime = NOW) -> Case:
        """The case as it stood at `point`, as `case` gives it. For `--as-of` the events
        are read as the fold reads them (`EventStore.load_for_fold`): `case`'s history of
        them is not needed. The log is read and folded with the garbage collector held
        back (`service.collector`, as for verify): the rows decoded and the fold's lists
        are many containers and no cycles, and their collections cost some 6% of an
        in-process `show --as-of` on a 1,000-event case (more in a process holding more
        objects: a full collection, every few calls, walks them all)."""
        if point.as_of is None:
            return self.case(case_id, point)[0]
        with collector.held_back():
            return self._case_as_of(case_id, point, point.as_of)

    def _case_as_of(self, case_id: str, point: PointInTime, day: date) -> Case:
        every = self.store.load_for_fold(case_id, recorded_at_or_before=point.known_at)
        if not every and not self.store.exists(case_id):
            raise NotFoundError(f"case {case_id} not found")
        log.debug("loaded", case_id=case_id, events=len(every), point_in_time=True)
        current = self.upcasters.current
        upcast = [e if current.get(e.type) == e.schema_version else self._upcast(e) for e in every]
        try:
            return case_as_of(upcast, case_id, day)[0]
        except ValueError:  # a date before the case was opened
            raise NotFoundError(f"case {case_id} had no events by then") from None

    def _upcast(self, event: FoldEvent) -> FoldEvent:
        data, version = self.upcasters.upcast(event.type, event.schema_version, event.data)
        if version == event.schema_version:
            return event
        return event._replace(data=data, schema_version=version)

    def case_ids(self) -> list[str]:
        return self.store.case_ids()

    def all_events(self) -> Iterable[StoredEvent]:
        """Every stored event (upcast) in (case, seq) order, streamed."""
        return (self.upcast(e) for e in self.store.stream())

    # -- writing -----------------------------------------------------------------------

    def record(
        self, raw: bytes | str | Mapping[str, Any], expected_version: int | None = None
    ) -> Recorded:
        """Decide and append one envelope. Raises RefusedError, BadInputError,
        ConflictError or NotFoundError; in each case nothing is written."""
        if expected_version is not None and expected_version < 0:
            raise BadInputError("must be 0 or more", field="expected_version")
        envelope = check_dates(parse_envelope(without_export_metadata(raw)))
        # Without an expected version the caller asks for "after whatever is there": a
        # concurrent append is no reason to refuse. Decide again against the new state a
        # few times, then once more while holding the store's write lock (which cannot be
        # overtaken). With an expected version, a conflict is the answer.
        if expected_version is not None:
            return self._record_once(envelope, expected_version)
        for attempt in range(1, RECORD_TRIES + 1):
            try:
                return self._record_once(envelope, None)
            except ConflictError as err:
                if type(err) is not ConflictError:
                    raise
                log.info("concurrent append: deciding again", case_id=envelope.case_id)
                _pause(attempt)
        return self._record_locked(envelope)

    def _record_once(self, envelope: Envelope, expected_version: int | None) -> Recorded:
        kept = self.recent.get(envelope.case_id)
        if kept is not None:
            try:
                return self._record_on(envelope, kept, expected_version, kept=True)
            except _Stale:
                log.info("kept log out of date: reading the case", case_id=envelope.case_id)
        found = Log.read(envelope.case_id, self.store.load(envelope.case_id), self.upcast)
        self.recent.keep(found)
        return self._record_on(envelope, found, expected_version, kept=False)

    def _record_on(
        self, envelope: Envelope, stored: Log, expected_version: int | None, *, kept: bool
    ) -> Recorded:
        """Decide on `stored` and append. A log `kept` from an earlier record is decided on
        unasked (`service.recent`): its append is made only after the event that ends it,
        and any other answer (a refusal, a conflict, a repeated key) is given only once the
        store's head shows the log is still whole; otherwise _Stale, and nothing is written."""
        try:
            outcome = self._judge(envelope, stored, expected_version)
        except Exception:
            if kept and not self._still_whole(stored):
                raise _Stale from None
            raise
        if isinstance(outcome, Recorded):
            if kept and not self._still_whole(stored):
                raise _Stale
            return outcome
        before, decided = outcome
        view = case_view(decided.case, team_after(stored.team, decided.event))
        try:
            result = self.store.append(
                envelope.case_id,
                [decided.event],
                expected_version=before,
                view=view,
                after_hash=stored.last_hash if kept else None,
            )
        except HeadMoved:
            self.recent.forget(envelope.case_id)
            raise _Stale from None
        except BadInputError:  # the event refused before the head was looked at
            if kept and not self._still_whole(stored):
                raise _Stale from None
            raise
        if not result.duplicate:
            self.recent.keep(stored.then(result.events[0], self.upcast, decided))
        log.info(
            "recorded",
            case_id=envelope.case_id,
            type=envelope.type,
            seq=result.events[0].seq,
            stage=decided.case.stage,
        )
        return Recorded(decided.case, result.events[0], duplicate=result.duplicate)

    def _still_whole(self, stored: Log) -> bool:
        """The kept log is still the case's whole stored log (else it is dropped)."""
        if self.store.last_hash(stored.case_id) == stored.last_hash:
            return True
        self.recent.forget(stored.case_id)
        return False

    def _record_locked(self, envelope: Envelope) -> Recorded:
        outcomes: list[Recorded | tuple[int, Decided]] = []
        logs: list[Log] = []

        def judge(stored: list[StoredEvent]) -> NewEvent | StoredEvent:
            logs.append(Log.read(envelope.case_id, stored, self.upcast))
            outcomes.append(self._judge(envelope, logs[-1], None))
            last = outcomes[-1]
            return last.event if isinstance(last, Recorded) else last[1].event

        def view() -> CaseView | None:
            last = outcomes[-1]
            if isinstance(last, Recorded):
                return None
            return case_view(last[1].case, team_after(logs[-1].team, last[1].event))

        result = self.store.append_decided(envelope.case_id, judge, view)
        outcome = outcomes[-1]
        if isinstance(outcome, Recorded):
            return outcome
        if not result.duplicate:
            self.recent.keep(logs[-1].then(result.events[0], self.upcast, outcome[1]))
        log.info("recorded under the lock", case_id=envelope.case_id, seq=result.events[0].seq)
        return Recorded(outcome[1].case, result.events[0], duplicate=result.duplicate)

    def _judge(
        self, envelope: Envelope, stored_log: Log, expected_version: int | None
    ) -> Recorded | tuple[int, Decided]:
        """The original event if the key repeats one, else the decision and the version it
        was taken against. Raises as `record` says."""
        stored = list(stored_log.events)
        if not stored and envelope.type != "CaseOpened":
            raise NotFoundError(
                f"case {envelope.case_id} not found (a case starts with CaseOpened)"
            )
        original = by_key(stored, envelope.key)
        if original is not None:
            same_as_original(envelope, original)
            log.info(
                "duplicate key: returning the original event",
                case_id=envelope.case_id,
                type=envelope.type,
                seq=original.seq,
            )
            return Recorded(stored_log.case, original, duplicate=True)
        case = stored_log.case
        if expected_version is not None and expected_version != case.version:
            raise ConflictError(envelope.case_id, expected_version, case.version)
        decided = self.decide(case, envelope, stored)
        return case.version, decided

    def stored_or_not_found(self, envelope: Envelope) -> list[StoredEvent]:
        stored = [self.upcast(e) for e in self.store.load(envelope.case_id)]
        if not stored and envelope.type != "CaseOpened":
            raise NotFoundError(
                f"case {envelope.case_id} not found (a case starts with CaseOpened)"
            )
        return stored

    def _policy_for(self, case: Case, envelope: Envelope) -> Policy:
        if case.stage is None:
            return self.policies(str(getattr(envelope.data, "policy", None) or "default"))
        return self.policies(case.policy)

    def decide(self, case: Case, envelope: Envelope, so_far: Sequence[EventLike]) -> Decided:
        """`so_far`: the case's events in seq order (late facts are placed among them)."""
        policy = self._policy_for(case, envelope)
        context = Context(today=self.today(), policy=policy, log=so_far)
        outcome = decide(case, envelope, context)
        if not isinstance(outcome, Decided):
            log.info("refused", case_id=case.case_id, rules=[r.rule for r in outcome.refusals])
            raise RefusedError(outcome.refusals)
        return outcome

    def import_lines(
        self, lines: Iterable[bytes | str], progress: Callable[[int], None] | None = None
    ) -> Imported:
        """Decide every envelope of a JSON Lines file in order and append them all in one
        transaction: all or nothing. Errors name the line (`service.importing`)."""
        from cpworkflow.service.importing import import_lines

        return import_lines(self, lines, progress)

    # -- read models and integrity (`service.integrity`) ---------------------------------

    def view_of(self, events: list[StoredEvent]) -> CaseView:
        """A case's read-model rows as replay of its whole log gives them."""
        upcast = [self.upcast(e) for e in events]
        return case_view(replay(upcast, events[0].case_id), team_of(upcast))

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Recompute every read-model row from the log; returns the number of cases."""
        from cpworkflow.service import integrity

        return integrity.rebuild(self, progress)

    def ensure_read_models(self) -> None:
        """A store written before the read models existed gets them on first use."""
        if not self.store.read_models.built():
            cases = self.store.read_models.rebuild(self.view_of)
            log.warning("read models built from the log on first use", cases=cases)

    def verify(
        self, case_id: str | None = None, progress: Callable[[int], None] | None = None
    ) -> list[dict[str, Any]]:
        """Every case's hash chain, replay and read-model rows (`service.integrity.verify`)."""
        from cpworkflow.service import integrity

        return integrity.verify(self, case_id, progress)


class _Stale(Exception):
    """A kept log was not the case's whole stored log: read the case and decide again."""


def _pause(attempt: int) -> None:
    """A short random wait before deciding again, so racing writers spread out."""
    import secrets  # here, not at the top: only a writer that lost a race pays for it

    time.sleep(secrets.randbelow(10 * 2 ** min(attempt, 6)) / 1000)
