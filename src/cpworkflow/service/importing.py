"""`cpw import`: every envelope of a JSON Lines file decided in memory, in file order, then
appended in one transaction: all or nothing, errors naming the line."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog

from cpworkflow.errors import BadInputError, NotFoundError, RefusedError
from cpworkflow.lifecycle.case import Case, EventLike
from cpworkflow.lifecycle.fold import replay
from cpworkflow.records import NewEvent, StoredEvent
from cpworkflow.reports.caseload import case_view, team_after, team_of
from cpworkflow.service.repeats import same_as_original
from cpworkflow.vocabulary.envelope import Envelope, check_dates, parse_envelope
from cpworkflow.vocabulary.json_input import without_export_metadata

if TYPE_CHECKING:
    from cpworkflow.service.cases import CaseService

log = structlog.get_logger("cpworkflow.service")


@dataclass(frozen=True)
class Imported:
    events: int
    cases: int
    duplicates: int


def import_lines(
    service: CaseService,
    lines: Iterable[bytes | str],
    progress: Callable[[int], None] | None = None,
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
    batch = _ImportBatch(service, service.store.versions(sorted({e.case_id for _, e in envelopes})))
    for number, envelope in envelopes:
        if progress is not None:
            progress(number)
        try:
            batch.add(envelope)
        except (BadInputError, RefusedError, NotFoundError) as err:
            raise _on_line(err, number) from None
    return batch.commit()


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
