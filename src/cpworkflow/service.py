"""The one API the command line calls: record, import, and read cases as they stood.

It joins the store (facts), the lifecycle (decide/evolve) and the policy packs. The clock
is passed in (`today`), so `CPW_TODAY` and tests decide what "today" is.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import structlog

from cpworkflow.errors import (
    BadInputError,
    ConflictError,
    KeyReusedError,
    NotFoundError,
    RefusedError,
)
from cpworkflow.lifecycle.as_of import case_as_of
from cpworkflow.lifecycle.case import Case, EventLike
from cpworkflow.lifecycle.decide import Context, Decided, decide
from cpworkflow.lifecycle.fold import replay
from cpworkflow.policy.loading import load_policy
from cpworkflow.policy.pack import Policy
from cpworkflow.records import CaseView, NewEvent, StoredEvent
from cpworkflow.reports.caseload import case_view, team_after, team_of
from cpworkflow.store import EventStore
from cpworkflow.vocabulary.envelope import (
    Envelope,
    check_dates,
    parse_envelope,
    to_json_data,
)
from cpworkflow.vocabulary.json_input import without_export_metadata
from cpworkflow.vocabulary.upcasting import DEFAULT_UPCASTERS, Upcasters

log = structlog.get_logger("cpworkflow.service")
RECORD_TRIES = 4  # optimistic decisions for `record` without an expected version


@dataclass(frozen=True)
class Recorded:
    case: Case
    event: StoredEvent
    duplicate: bool


@dataclass(frozen=True)
class Imported:
    events: int
    cases: int
    duplicates: int


@dataclass(frozen=True)
class PointInTime:
    """Which part of a case's log to replay: all of it, up to a seq, what had happened by a
    date (as known now), or what the system had been told by a moment."""

    at_seq: int | None = None
    as_of: date | None = None
    known_at: datetime | None = None

    @property
    def is_now(self) -> bool:
        return self.at_seq is None and self.as_of is None and self.known_at is None


NOW = PointInTime()


class CaseService:
    def __init__(
        self,
        store: EventStore,
        *,
        today: Callable[[], date],
        policies: Callable[[str], Policy] = load_policy,
        upcasters: Upcasters = DEFAULT_UPCASTERS,
    ) -> None:
        self.store = store
        self.today = today
        self.policies = policies
        self.upcasters = upcasters

    # -- reading -----------------------------------------------------------------------

    def upcast(self, event: StoredEvent) -> StoredEvent:
        data, version = self.upcasters.upcast(event.type, event.schema_version, event.data)
        if version == event.schema_version:
            return event
        return replace(event, data=data, schema_version=version)

    def events(self, case_id: str, point: PointInTime = NOW) -> list[StoredEvent]:
        """The case's stored events (upcast to the current schema) selected by `point`."""
        if not self.store.exists(case_id):
            raise NotFoundError(f"case {case_id} not found")
        stored = self.store.load(
            case_id,
            to_seq=point.at_seq,
            occurred_on_or_before=point.as_of,
            recorded_at_or_before=point.known_at,
        )
        log.debug("loaded", case_id=case_id, events=len(stored), point_in_time=not point.is_now)
        return [self.upcast(e) for e in stored]

    def case(self, case_id: str, point: PointInTime = NOW) -> tuple[Case, list[StoredEvent]]:
        """The case as it stood at `point`, and the events that point selects. `--as-of` is
        what had happened by then as known now (`lifecycle.as_of`), so the whole log is
        read; `--known-at` and `--at-seq` are prefixes of it."""
        if point.as_of is not None:
            every = self.events(case_id, PointInTime(known_at=point.known_at))
            try:
                case, dated = case_as_of(every, case_id, point.as_of)
            except ValueError:  # a date before the case was opened
                raise NotFoundError(f"case {case_id} had no events by then") from None
            seqs = {e.seq for e in dated}
            return case, [e for e in every if e.seq in seqs]
        events = self.events(case_id, point)
        if not events:
            raise NotFoundError(f"case {case_id} had no events by then")
        return replay(events, case_id), events

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
        stored = self.store.load(envelope.case_id)
        outcome = self._judge(envelope, stored, expected_version)
        if isinstance(outcome, Recorded):
            return outcome
        before, decided = outcome
        view = case_view(decided.case, team_after(team_of(stored), decided.event))
        result = self.store.append(
            envelope.case_id, [decided.event], expected_version=before, view=view
        )
        log.info(
            "recorded",
            case_id=envelope.case_id,
            type=envelope.type,
            seq=result.events[0].seq,
            stage=decided.case.stage,
        )
        return Recorded(decided.case, result.events[0], duplicate=result.duplicate)

    def _record_locked(self, envelope: Envelope) -> Recorded:
        outcomes: list[Recorded | tuple[int, Decided]] = []

        teams: list[str | None] = []

        def judge(stored: list[StoredEvent]) -> NewEvent | StoredEvent:
            outcomes.append(self._judge(envelope, stored, None))
            teams.append(team_of(stored))
            last = outcomes[-1]
            return last.event if isinstance(last, Recorded) else last[1].event

        def view() -> CaseView | None:
            last = outcomes[-1]
            if isinstance(last, Recorded):
                return None
            return case_view(last[1].case, team_after(teams[-1], last[1].event))

        result = self.store.append_decided(envelope.case_id, judge, view)
        outcome = outcomes[-1]
        if isinstance(outcome, Recorded):
            return outcome
        log.info("recorded under the lock", case_id=envelope.case_id, seq=result.events[0].seq)
        return Recorded(outcome[1].case, result.events[0], duplicate=result.duplicate)

    def _judge(
        self, envelope: Envelope, raw: list[StoredEvent], expected_version: int | None
    ) -> Recorded | tuple[int, Decided]:
        """The original event if the key repeats one, else the decision and the version it
        was taken against. Raises as `record` says."""
        stored = [self.upcast(e) for e in raw]
        if not stored and envelope.type != "CaseOpened":
            raise NotFoundError(
                f"case {envelope.case_id} not found (a case starts with CaseOpened)"
            )
        original = _by_key(stored, envelope.key)
        if original is not None:
            same_as_original(envelope, original)
            log.info(
                "duplicate key: returning the original event",
                case_id=envelope.case_id,
                type=envelope.type,
                seq=original.seq,
            )
            return Recorded(replay(stored, envelope.case_id), original, duplicate=True)
        case = replay(stored, envelope.case_id)
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
        transaction: all or nothing. Errors name the line."""
        envelopes = []
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                envelope = check_dates(parse_envelope(without_export_metadata(line)))
                envelopes.append((number, envelope))
            except BadInputError as err:
                raise _on_line(err, number) from None
        # Which cases the store already has, found with one query for the whole file.
        batch = _ImportBatch(self, self.store.versions(sorted({e.case_id for _, e in envelopes})))
        for number, envelope in envelopes:
            if progress is not None:
                progress(number)
            try:
                batch.add(envelope)
            except (BadInputError, RefusedError, NotFoundError) as err:
                raise _on_line(err, number) from None
        return batch.commit()

    # -- read models ----------------------------------------------------------------------

    def view_of(self, events: list[StoredEvent]) -> CaseView:
        """A case's read-model rows as replay of its whole log gives them."""
        upcast = [self.upcast(e) for e in events]
        return case_view(replay(upcast, events[0].case_id), team_of(upcast))

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Recompute every read-model row from the log; returns the number of cases."""
        cases = self.store.read_models.rebuild(self.view_of, progress)
        log.info("read models rebuilt from the log", cases=cases)
        return cases

    def ensure_read_models(self) -> None:
        """A store written before the read models existed gets them on first use."""
        if not self.store.read_models.built():
            cases = self.store.read_models.rebuild(self.view_of)
            log.warning("read models built from the log on first use", cases=cases)

    def verify(
        self, case_id: str | None = None, progress: Callable[[int], None] | None = None
    ) -> list[dict[str, Any]]:
        """In one pass over the log in (case, seq) order: each case's hash chain and
        sequence (the store), its replay through the table (the domain), and its read-model
        rows against replay's; `progress` is told each case checked."""
        if case_id is not None and not self.store.exists(case_id):
            raise NotFoundError(f"case {case_id} not found")
        self.ensure_read_models()
        stored_views = {
            view.case_id: (view, position)
            for view, position in self.store.read_models.views(case_id)
        }
        problems: list[dict[str, Any]] = []
        for number, (cid, events, broken) in enumerate(self.store.walk(case_id), 1):
            if progress is not None:
                progress(number)
            stored = stored_views.pop(cid, None)
            if broken is not None:
                problems.append(
                    {
                        "case_id": cid,
                        "seq": broken.seq,
                        "kind": broken.kind,
                        "message": broken.message,
                    }
                )
                continue
            try:
                expected = self.view_of(events)
            except Exception as err:  # noqa: BLE001 - any replay failure is corruption
                seq = getattr(err, "seq", None)
                problems.append({"case_id": cid, "seq": seq, "kind": "replay", "message": str(err)})
                continue
            wrong = view_mismatch(expected, events[-1].position, stored)
            if wrong is not None:
                problems.append(
                    {"case_id": cid, "seq": None, "kind": "read_model", "message": wrong}
                )
        for cid in sorted(stored_views):  # rows for a case the log does not have
            message = f"case {cid}: the read models hold a case the log does not have"
            problems.append({"case_id": cid, "seq": None, "kind": "read_model", "message": message})
        return problems


class _ImportBatch:
    """Cases decided in memory, in file order, for one all-or-nothing append."""

    def __init__(self, service: CaseService, stored: Mapping[str, int]) -> None:
        self.service = service
        self.stored = stored  # the version of each case of the file the store already has
        self.cases: dict[str, Case] = {}
        self.start_version: dict[str, int] = {}
        self.logs: dict[str, list[EventLike]] = {}
        self.keys: dict[str, set[str]] = {}
        self.teams: dict[str, str | None] = {}  # each case's team, for its read model
        self.pending: dict[str, list[NewEvent]] = {}
        self.originals: dict[tuple[str, str], StoredEvent | NewEvent] = {}
        self.duplicates = 0

    def add(self, envelope: Envelope) -> None:
        cid = envelope.case_id
        if cid not in self.cases:
            stored = self.service.stored_or_not_found(envelope) if cid in self.stored else []
            self.cases[cid] = replay(stored, cid)
            self.start_version[cid] = self.cases[cid].version
            self.logs[cid] = list(stored)
            self.keys[cid] = {e.key for e in stored if e.key is not None}
            self.teams[cid] = team_of(stored)
            self.originals.update({(cid, e.key): e for e in stored if e.key is not None})
        if envelope.key is not None and envelope.key in self.keys[cid]:
            original = self.originals.get((cid, envelope.key))
            if original is not None:
                same_as_original(envelope, original)
            self.duplicates += 1
            return
        case = self.cases[cid]
        if case.stage is None and envelope.type != "CaseOpened":
            raise NotFoundError(f"case {cid} not found (a case starts with CaseOpened)")
        decided = self.service.decide(case, envelope, self.logs[cid])
        self.cases[cid] = decided.case
        self.teams[cid] = team_after(self.teams[cid], decided.event)
        self.logs[cid].append(decided.applied)
        if envelope.key is not None:
            self.keys[cid].add(envelope.key)
            self.originals[(cid, envelope.key)] = decided.event
        self.pending.setdefault(cid, []).append(decided.event)

    def commit(self) -> Imported:
        batches = [(cid, evs, self.start_version[cid]) for cid, evs in self.pending.items()]
        if batches:
            views = {cid: case_view(self.cases[cid], self.teams[cid]) for cid in self.pending}
            self.service.store.append_batches(batches, views=views)
        for cid, evs, start in batches:
            log.info("imported case", case_id=cid, first_seq=start + 1, events=len(evs))
        count = sum(len(evs) for _, evs, _ in batches)
        log.info("imported", events=count, cases=len(batches), duplicates=self.duplicates)
        return Imported(events=count, cases=len(batches), duplicates=self.duplicates)


def _on_line(err: Exception, number: int) -> Exception:
    if isinstance(err, BadInputError):
        return BadInputError(str(err), line=number)
    if isinstance(err, RefusedError):
        return RefusedError(err.refusals, line=number)
    return NotFoundError(f"line {number}: {err}")


def same_as_original(envelope: Envelope, original: StoredEvent | NewEvent) -> None:
    """A repeated idempotency key is a repeat only if it says the same thing: same type,
    date, actor and data. Otherwise the new event would silently be lost: KeyReusedError."""
    said = (envelope.type, envelope.occurred_on, to_json_data(envelope.actor))
    stored = (original.type, original.occurred_on, original.actor)
    names = ("type", "occurred_on", "actor")
    differs = [n for n, a, b in zip(names, said, stored, strict=True) if a != b]
    if to_json_data(envelope.data) != original.data:
        differs.append("data")
    if differs:
        seq = original.seq if isinstance(original, StoredEvent) else 0
        raise KeyReusedError(envelope.case_id, str(envelope.key), seq, " and ".join(differs))


def _pause(attempt: int) -> None:
    """A short random wait before deciding again, so racing writers spread out."""
    time.sleep(secrets.randbelow(10 * 2 ** min(attempt, 6)) / 1000)


def _by_key(stored: list[StoredEvent], key: str | None) -> StoredEvent | None:
    if key is None:
        return None
    return next((e for e in stored if e.key == key), None)


def view_mismatch(
    expected: CaseView, position: int, stored: tuple[CaseView, int] | None
) -> str | None:
    """How the stored read-model rows of a case differ from replay's, or None."""
    cid = expected.case_id
    if stored is None:
        return f"case {cid}: the read models have no row for it (run `cpw rebuild`)"
    view, at = stored
    if at != position:
        return f"case {cid}: the read models reflect log position {at}, the log is at {position}"
    for name, value in expected.summary.items():
        if view.summary.get(name) != value:
            return (
                f"case {cid}: the summary's {name} is {view.summary.get(name)!r}"
                f" but replay gives {value!r} (run `cpw rebuild`)"
            )
    if view.obligations != expected.obligations:
        have = {str(o["obligation_id"]): o for o in view.obligations}
        want = {str(o["obligation_id"]): o for o in expected.obligations}
        differ = sorted(k for k in have.keys() | want.keys() if have.get(k) != want.get(k))
        return (
            f"case {cid}: open obligation {differ[0]} in the read models differs from replay"
            " (run `cpw rebuild`)"
        )
    return None
