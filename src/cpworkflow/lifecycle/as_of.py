"""A case as of a date (DOMAIN.md §5 "Points in time"): *what had happened by that date, as
known now*. The events with `occurred_on` on or before the date, less every event retracted
by a retraction known now (whatever the retraction's own date), with obligations evaluated
on that date.

The whole log is folded first, so that every late record and every retraction known now
has placed its facts by date; the obligations of that fold are then cut back to the date:
one not yet opened by then is left out, one met or lapsed after it is still open. The rest
of the case (stage, categories, people) is the fold of the events dated by then, as a view
(`replay(..., view=True)`). (`--known-at` and `--at-seq` are prefixes of the log: a plain
replay.)

Both folds are one pass over the log: the events that stand by the date begin as a prefix
of the log (up to the first event dated after the date, retracted, or a retraction), and a
view of a legal log's prefix is the fold of that prefix, so the pass keeps a copy of its
fold where the prefix ends and only the standing events after it are folded again, as the
view, from that copy. A case recorded in date order without retractions is folded once.
The copy leaves the obligations behind (the whole fold's stand in for the view's), and the
whole fold's are cut back to the date from the lists it holds them in, each obligation
built once (`obligations_on`'s rule, `_fields_on`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import TypeVar

from cpworkflow.lifecycle.case import Case, EventLike
from cpworkflow.lifecycle.fold import Fields, Fold, replay
from cpworkflow.lifecycle.obligation import Obligation, made

E = TypeVar("E", bound=EventLike)


def obligations_on(obligations: Mapping[str, Obligation], day: date) -> dict[str, Obligation]:
    """The obligations as they stood on `day`: opened by then; met or lapsed only if that
    happened by then."""
    fields = ((ob_id, [getattr(ob, f) for f in _FIELDS]) for ob_id, ob in obligations.items())
    return _fields_on(fields, day)


_FIELDS = Obligation.__slots__  # its fields, in their order (a Fold's lists hold them so)


def _fields_on(obligations: Iterable[tuple[str, Fields]], day: date) -> dict[str, Obligation]:
    """`obligations_on` of obligations given as their fields (a Fold's lists), by id: each
    one opened by `day` is built once, as it stood then."""
    found = {}
    for key, fields in obligations:
        ob_id, rule, due, owner, opened_seq, opened_on, met_on, met_seq, late, lapsed_on = fields
        if opened_on > day:
            continue
        if met_on is not None and met_on > day:
            met_on = met_seq = late = None
        if lapsed_on is not None and lapsed_on > day:
            lapsed_on = None
        found[key] = made(
            ob_id, rule, due, owner, opened_seq, opened_on, met_on, met_seq, late, lapsed_on
        )
    return found


def case_as_of(events: Sequence[E], case_id: str, day: date) -> tuple[Case, list[E]]:
    """The case as of `day`, and the events dated by then (retracted ones included, for
    the history to mark). Raises ValueError if no event is dated by then."""
    retracted = _retracted(events)
    if retracted is None:  # a retraction that names no seq: the fold refuses the log
        return _case_as_of_twice(events, case_id, day)
    standing = len(events)  # the events before this one all stand
    for index, event in enumerate(events):
        if not _stands(event, day, retracted):
            standing = index
            break
    fold = Fold(case_id)
    fold.extend(events[:standing])
    view = fold.copy(view=True, obligations=False) if standing < len(events) else fold
    fold.extend(events[standing:])
    dated = [e for e in events if e.occurred_on <= day]
    if not dated:
        raise ValueError(f"case {case_id} had no events by {day}")
    view.extend(e for e in events[standing:] if _stands(e, day, retracted))
    case = view.case(keep=_none).but(
        obligations=_fields_on(fold.obligation_fields(), day),
        retracted=fold.case(keep=_none).retracted,
    )
    return case, dated


def _stands(event: EventLike, day: date, retracted: frozenset[int]) -> bool:
    return (
        event.occurred_on <= day and event.seq not in retracted and event.type != "EntryRetracted"
    )


def _none(fields: Fields) -> bool:
    """The view's own obligations are never read: the whole fold's stand in for them."""
    return False


def _retracted(events: Sequence[EventLike]) -> frozenset[int] | None:
    """The seqs the log's retractions retract, as the fold of the whole log collects them
    (`case_data._retracted`); None if a retraction's seq is not one."""
    try:
        return frozenset(int(e.data["seq"]) for e in events if e.type == "EntryRetracted")
    except (KeyError, TypeError, ValueError):
        return None


def _case_as_of_twice(events: Sequence[E], case_id: str, day: date) -> tuple[Case, list[E]]:
    """The two folds one after the other, for a log the whole fold refuses (it raises the
    fold's own error)."""
    known = replay(events, case_id)
    dated = [e for e in events if e.occurred_on <= day]
    if not dated:
        raise ValueError(f"case {case_id} had no events by {day}")
    standing = [e for e in dated if e.seq not in known.retracted and e.type != "EntryRetracted"]
    case = replay(standing, case_id, view=True).but(
        obligations=obligations_on(known.obligations, day), retracted=known.retracted
    )
    return case, dated
