"""`cpw import`: every envelope of a JSON Lines file decided in file order and appended in
one transaction: all or nothing, errors naming the line.

The file is streamed. Each batch of lines is parsed, decided and written into the one open
transaction (`store/bulk.py`: one executemany per table), then dropped, so memory does not
grow with the file. Between batches only the cases seen most recently stay in memory, each
with what deciding its next event needs: the case as it stands, a compact log of its events
so far (`_Entry`: what `decide` reads of them to place late facts and retractions), its
idempotency keys and its team. A case that comes back after it was let go is read again
from the store, inside the same transaction, so it sees what this import wrote.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import chain, islice
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from cpworkflow.errors import BadInputError, NotFoundError, RefusedError
from cpworkflow.lifecycle.case import Case, EventLike
from cpworkflow.lifecycle.fold import replay
from cpworkflow.logs import get_logger
from cpworkflow.records import CaseView, NewEvent, StoredEvent
from cpworkflow.reports.caseload import case_view, team_after, team_of
from cpworkflow.service import import_halves
from cpworkflow.service.repeats import same_as_original
from cpworkflow.store import bulk, inputs
from cpworkflow.store.canonical import plain_struct
from cpworkflow.store.rows import Parts, parts
from cpworkflow.vocabulary.envelope import Envelope, check_dates, read_envelope

if TYPE_CHECKING:
    from cpworkflow.service.cases import CaseService

log = get_logger("cpworkflow.service")


@dataclass(frozen=True)
class Imported:
    events: int
    cases: int
    duplicates: int


@dataclass(frozen=True)
class Limits:
    """How much an import holds: `batch` lines are decided, then written with one
    executemany per table; after each batch at most `keep_cases` cases, and their logs up
    to `keep_events` events in all, stay in memory (the most recently seen, and always the
    last one, however long)."""

    batch: int = 5_000
    keep_cases: int = 2_000
    keep_events: int = 100_000


LIMITS = Limits()


def import_lines(
    service: CaseService,
    lines: Iterable[bytes | str],
    progress: Callable[[int], None] | None = None,
    *,
    limits: Limits = LIMITS,
) -> Imported:
    """Decide every envelope of a JSON Lines file in order and append them all in one
    transaction: all or nothing. Errors name the line. `progress` is given the line number
    of each envelope as it is decided. A file of `import_halves.PARALLEL_FROM` lines or
    more is decided in two processes on two cores (`service/import_halves.py`), with the
    same outcome."""
    with service.store.bulk() as writer:
        done = _Import(service, writer, limits)
        head, rest = _head(lines, import_halves.PARALLEL_FROM)
        if len(head) == import_halves.PARALLEL_FROM and import_halves.worth_it():
            import_halves.import_in_two(done, writer, chain(head, rest), progress)
        else:
            for envelopes, bad_line in _batches(chain(head, rest), limits.batch):
                done.decide(envelopes, progress)
                if bad_line is not None:  # after the lines before it: the first bad line wins
                    raise bad_line
                done.write(writer)
        cases = writer.cases_written()
    log.info("imported", events=done.events, cases=cases, duplicates=done.duplicates)
    return Imported(events=done.events, cases=cases, duplicates=done.duplicates)


def _head(
    lines: Iterable[bytes | str], size: int
) -> tuple[list[bytes | str], Iterator[bytes | str]]:
    """The first `size` lines, read now, and the rest, to read. An error reading the head
    comes where the rest would have raised it: after the lines before it."""
    rest = iter(lines)
    head: list[bytes | str] = []
    try:
        head.extend(islice(rest, size))
    except Exception as err:  # noqa: BLE001 - raised when the import reaches it
        return head, _raising(err)
    return head, rest


def _raising(err: Exception) -> Iterator[bytes | str]:
    raise err
    yield  # a generator: raises when first read


Numbered = list[tuple[int, Envelope]]
Failure = tuple[int | None, Exception]  # the line that failed (None: before any), and why
Written = tuple[str, list[Parts], int, CaseView]  # a case, its events, its version, its view


def _batches(
    lines: Iterable[bytes | str], size: int
) -> Iterator[tuple[Numbered, BadInputError | None]]:
    """The envelopes of the file, `size` lines at a time, each with its line number; a
    line that is not an envelope ends the file (its error comes with the last batch)."""
    batch: Numbered = []
    for number, line in enumerate(lines, 1):
        if not line or line.isspace():  # a blank line (isspace: no copy, as strip makes)
            continue
        try:
            batch.append((number, envelope_of(line)))
        except BadInputError as err:
            yield batch, BadInputError(str(err), line=number)
            return
        if len(batch) == size:
            yield batch, None
            batch = []
    if batch:
        yield batch, None


def envelope_of(line: bytes | str) -> Envelope:
    """One line of the file as the envelope it holds; BadInputError if it holds none."""
    return check_dates(read_envelope(line))


class _Entry(NamedTuple):
    """One event of a case's log as `decide` reads it: its seq, type, date and data (late
    facts are placed among the period's facts by date; retractions read the type of what
    they retract). The rest of the event is not kept: asking for it is a bug, said loudly.
    A named tuple: one is made per event, and only read."""

    case_id: str
    seq: int
    type: str
    occurred_on: date
    data: Mapping[str, Any]

    @property
    def actor(self) -> Mapping[str, Any]:
        raise AttributeError("an import keeps only seq, type, occurred_on and data of the log")

    @property
    def decision(self) -> Mapping[str, Any]:
        raise AttributeError("an import keeps only seq, type, occurred_on and data of the log")

    @property
    def policy(self) -> str:
        raise AttributeError("an import keeps only seq, type, occurred_on and data of the log")

    @property
    def policy_version(self) -> str:
        raise AttributeError("an import keeps only seq, type, occurred_on and data of the log")


def _entry(event: EventLike) -> _Entry:
    return _Entry(event.case_id, event.seq, event.type, event.occurred_on, event.data)


class Reads(Protocol):
    """What deciding reads of the store: `bulk.BulkWriter`'s reads (or, in the second
    process of a two-process import, the same reads made through the first)."""

    def versions(self, case_ids: Sequence[str]) -> dict[str, int]: ...
    def events_of(self, versions: Mapping[str, int]) -> Iterator[tuple[str, list[StoredEvent]]]: ...
    def originals(
        self, keys: Mapping[str, Sequence[str]]
    ) -> dict[tuple[str, str], StoredEvent]: ...


@dataclass(slots=True)
class _Open:
    """A case being imported: as it stands, and what the store has of it so far."""

    case: Case
    log: list[_Entry]
    keys: set[str]
    team: str | None
    written: int  # the version the open transaction holds
    pending: list[Parts] = field(default_factory=list)  # decided, not yet written
    originals: dict[str, NewEvent] = field(default_factory=dict)  # the keys of `pending`


class _Import:
    """An import's cases, decided a batch at a time, each batch written at its end."""

    def __init__(self, service: CaseService, writer: Reads, limits: Limits) -> None:
        self.service, self.writer, self.limits = service, writer, limits
        self.cases: OrderedDict[str, _Open] = OrderedDict()  # least recently seen first
        self.kept = 0  # the events of the logs in `cases`
        self.events = 0
        self.duplicates = 0

    def decide(self, envelopes: Numbered, progress: Callable[[int], None] | None) -> None:
        failed = self.attempt(envelopes, progress)
        if failed is not None:
            number, err = failed
            if number is None:
                raise err
            raise lined(err, number) from None

    def attempt(
        self, envelopes: Numbered, progress: Callable[[int], None] | None
    ) -> Failure | None:
        """Decide the batch's envelopes in order, up to the first that fails: that line's
        number and its error as raised (None for the number if reading the batch's cases
        back failed, before any line), or None if none failed."""
        try:
            self._bring_in(sorted({e.case_id for _, e in envelopes} - self.cases.keys()))
            originals = self._stored_originals(envelopes)
        except Exception as err:  # noqa: BLE001 - handed to the caller to raise, unchanged
            return None, err
        for number, envelope in envelopes:
            if progress is not None:
                progress(number)
            try:
                self._add(envelope, originals)
            except Exception as err:  # noqa: BLE001 - handed to the caller to raise
                return number, err
        return None

    def _bring_in(self, case_ids: list[str]) -> None:
        """The cases not in memory: found with one query per 500, those stored read back."""
        versions = self.writer.versions(case_ids)
        for cid in case_ids:
            if cid not in versions:
                self.cases[cid] = _Open(Case(cid), [], set(), None, 0)
        for cid, stored in self.writer.events_of(versions):
            events = [self.service.upcast(e) for e in stored]
            case = replay(events, cid)
            keys = {e.key for e in events if e.key is not None}
            self.cases[cid] = _Open(
                case, [_entry(e) for e in events], keys, team_of(events), case.version
            )
            self.kept += len(events)

    def _stored_originals(self, envelopes: Numbered) -> Mapping[tuple[str, str], StoredEvent]:
        """The stored events that the batch's repeated keys name, read with one query."""
        wanted: dict[str, list[str]] = {}
        for _, e in envelopes:
            if e.key is not None and e.key in self.cases[e.case_id].keys:
                wanted.setdefault(e.case_id, []).append(e.key)
        if not wanted:
            return {}
        found = self.writer.originals(wanted)
        return {at: self.service.upcast(event) for at, event in found.items()}

    def _add(self, envelope: Envelope, stored: Mapping[tuple[str, str], StoredEvent]) -> None:
        cid, key = envelope.case_id, envelope.key
        open_ = self.cases[cid]
        self.cases.move_to_end(cid)
        if key is not None and key in open_.keys:
            original = open_.originals.get(key) or stored.get((cid, key))
            if original is not None:
                same_as_original(envelope, original)
            self.duplicates += 1
            return
        if open_.case.stage is None and envelope.type != "CaseOpened":
            raise NotFoundError(f"case {cid} not found (a case starts with CaseOpened)")
        decided = self.service.decide(open_.case, envelope, open_.log)
        # The event's actor and data are the builtins of the envelope's (`decide` hands
        # them on as `to_json_data` gives them): where their types vouch that those are
        # inside the canonical domain, they are encoded without walking them.
        plain = plain_struct(type(envelope.actor)), plain_struct(type(envelope.data))
        open_.pending.append(parts(inputs.event(decided.event, cid, "event", plain=plain)))
        open_.case = decided.case
        open_.team = team_after(open_.team, decided.event)
        open_.log.append(_entry(decided.applied))
        self.kept += 1
        if key is not None:
            open_.keys.add(key)
            open_.originals[key] = decided.event

    def write(self, writer: bulk.BulkWriter) -> None:
        """The batch's events and its cases' read-model rows into the open transaction;
        then the cases seen least recently let go, down to the limits."""
        written = self.pending()
        writer.append(
            [(cid, events, at) for cid, events, at, _ in written],
            {cid: view for cid, _, _, view in written},
        )
        for cid, events, at, _ in written:
            log.info("imported case", case_id=cid, first_seq=at + 1, events=len(events))
        writer.forget(self.settle())

    def pending(self) -> list[Written]:
        """Each case with events decided since the last write, least recently seen first:
        its events, the version the store holds of it, and its read-model rows after them."""
        return [
            (cid, o.pending, o.written, case_view(o.case, o.team))
            for cid, o in self.cases.items()
            if o.pending
        ]

    def settle(self) -> list[str]:
        """The pending events counted as written; then the cases seen least recently let
        go, down to the limits. Returns the cases let go."""
        for o in self.cases.values():
            if o.pending:
                self.events += len(o.pending)
                o.written, o.pending, o.originals = o.case.version, [], {}
        gone = []
        while len(self.cases) > 1 and (
            len(self.cases) > self.limits.keep_cases or self.kept > self.limits.keep_events
        ):
            cid, o = self.cases.popitem(last=False)
            self.kept -= len(o.log)
            gone.append(cid)
        return gone


def lined(err: Exception, number: int) -> Exception:
    """The error deciding line `number` raised, as the import raises it: a bad input, a
    refusal or a case not found names the line; anything else goes as it was raised."""
    if isinstance(err, BadInputError):
        return BadInputError(str(err), line=number)
    if isinstance(err, RefusedError):
        return RefusedError(err.refusals, line=number)
    if isinstance(err, NotFoundError):
        return NotFoundError(f"line {number}: {err}")
    return err
