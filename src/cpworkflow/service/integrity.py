"""`cpw verify` and `cpw rebuild`: the log checked against itself (hash chains, replay) and
against the read models kept with it, and the read models rebuilt from the log."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from cpworkflow.errors import NotFoundError
from cpworkflow.lifecycle.fold import Fold, still_open
from cpworkflow.logs import get_logger
from cpworkflow.records import CaseView, StoredEvent
from cpworkflow.reports.caseload import case_view, team_of
from cpworkflow.service import collector, halves
from cpworkflow.store.scan import Audited, OutOfOrder
from cpworkflow.store.scan_rows import Events, Scanned
from cpworkflow.store.verify import IntegrityProblem

if TYPE_CHECKING:
    from cpworkflow.service.cases import CaseService

log = get_logger("cpworkflow.service")


def rebuild(service: CaseService, progress: Callable[[int], None] | None = None) -> int:
    """Recompute every read-model row from the log; returns the number of cases."""
    cases = service.store.read_models.rebuild(service.view_of, progress)
    log.info("read models rebuilt from the log", cases=cases)
    return cases


def verify(
    service: CaseService,
    case_id: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """In one pass over the log in (case, seq) order: each case's hash chain and
    sequence (the store), its replay through the table (the domain), and its read-model
    rows against replay's; `progress` is told each case checked. The read-model rows are
    streamed in case order beside the log (`EventStore.audit`), so memory holds one case
    whatever the size of the store; a whole store is checked in two processes where there
    are two cores (service/halves.py), with the same report."""
    if case_id is not None and not service.store.exists(case_id):
        raise NotFoundError(f"case {case_id} not found")
    service.ensure_read_models()
    with collector.held_back():
        problems, elsewhere = _checked_store(service, case_id, progress)
    for cid in sorted(elsewhere):
        message = f"case {cid}: the read models hold a case the log does not have"
        problems.append({"case_id": cid, "seq": None, "kind": "read_model", "message": message})
    return problems


def _checked_store(
    service: CaseService, case_id: str | None, progress: Callable[[int], None] | None
) -> tuple[list[dict[str, Any]], list[str]]:
    """The problems of the log's cases (or one's), and the cases only the read models hold."""
    try:
        if case_id is None and halves.worth_it(service):
            return halves.check_in_two(service, _check, progress)
        return _check(service, service.store.audit(case_id), progress)
    except OutOfOrder:  # the database sorts case ids otherwise: without the merge
        log.warning("verify: case ids not in Python's order; reading the read models first")
        stored = {view.case_id: (view, p) for view, p in service.store.read_models.views(case_id)}
        walked = _looked_up(service.store.walk(case_id), stored)
        return _check(service, walked, progress)


def _looked_up(
    walked: Iterable[tuple[str, list[StoredEvent], IntegrityProblem | None]],
    stored: dict[str, tuple[CaseView, int]],
) -> Iterator[Audited]:
    """`audit` from a walk and every stored view held in memory (the way before the merge)."""
    for cid, events, problem in walked:
        yield Audited(cid, events, problem, stored.pop(cid, None))
    for cid in sorted(stored):
        yield Audited(cid, [], None, stored[cid], in_log=False)


def _check(
    service: CaseService, audited: Iterable[Audited], progress: Callable[[int], None] | None
) -> tuple[list[dict[str, Any]], list[str]]:
    """The problems of the log's cases in `audited`, in their order, and the ids of the
    cases that only the read models hold."""
    items = iter(audited)
    try:
        return _checked(service, items, progress)
    finally:  # its queries end here, before its transaction, also on an error
        close = getattr(items, "close", None)
        if close is not None:
            close()


def _checked(
    service: CaseService, audited: Iterator[Audited], progress: Callable[[int], None] | None
) -> tuple[list[dict[str, Any]], list[str]]:
    problems: list[dict[str, Any]] = []
    elsewhere: list[str] = []  # read-model rows for a case the log does not have
    number = 0
    for item in audited:
        cid = item.case_id
        if not item.in_log:
            elsewhere.append(cid)
            continue
        number += 1
        if progress is not None:
            progress(number)
        broken, events = item.problem, item.events
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
            expected = replayed(service, events)
        except Exception as err:  # noqa: BLE001 - any replay failure is corruption
            seq = getattr(err, "seq", None)
            problems.append({"case_id": cid, "seq": seq, "kind": "replay", "message": str(err)})
            continue
        wrong = view_mismatch(expected, events[-1].position, item.stored)
        if wrong is not None:
            problems.append({"case_id": cid, "seq": None, "kind": "read_model", "message": wrong})
    return problems, elsewhere


def replayed(service: CaseService, events: Events) -> CaseView:
    """`service.view_of` of the events, Scanned or stored: when each is of its type's
    current schema (upcasting leaves it as it is) the fold reads them as they are, and
    builds only the obligations still open (all the view shows of them), else they become
    StoredEvents for view_of. tests/integration/test_verify_replay.py holds the two to
    each other."""
    current = service.upcasters.current
    for event in events:
        if current.get(event.type) != event.schema_version:
            return service.view_of([e.stored() if isinstance(e, Scanned) else e for e in events])
    fold = Fold(events[0].case_id)  # `replay`, the obligations no longer open left out:
    fold.extend(events)  # the view holds only the open ones
    return case_view(fold.case(keep=still_open), team_of(events))


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
