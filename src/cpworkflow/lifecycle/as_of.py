"""A case as of a date (DOMAIN.md §5 "Points in time"): *what had happened by that date, as
known now*. The events with `occurred_on` on or before the date, less every event retracted
by a retraction known now (whatever the retraction's own date), with obligations evaluated
on that date.

The whole log is folded first, so that every late record and every retraction known now
has placed its facts by date; the obligations of that fold are then cut back to the date:
one not yet opened by then is left out, one met or lapsed after it is still open. The rest
of the case (stage, categories, people) is the fold of the events dated by then.
(`--known-at` and `--at-seq` are prefixes of the log: a plain replay.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from cpworkflow.lifecycle.case import Case, EventLike
from cpworkflow.lifecycle.fold import replay
from cpworkflow.lifecycle.obligation import Obligation


def obligations_on(obligations: Mapping[str, Obligation], day: date) -> dict[str, Obligation]:
    """The obligations as they stood on `day`: opened by then; met or lapsed only if that
    happened by then."""
    found = {}
    for ob_id, ob in obligations.items():
        if ob.opened_on > day:
            continue
        if ob.met_on is not None and ob.met_on > day:
            ob = replace(ob, met_on=None, met_seq=None, late_by_working_days=None)
        if ob.lapsed_on is not None and ob.lapsed_on > day:
            ob = replace(ob, lapsed_on=None)
        found[ob_id] = ob
    return found


def case_as_of(
    events: Sequence[EventLike], case_id: str, day: date
) -> tuple[Case, list[EventLike]]:
    """The case as of `day`, and the events dated by then (retracted ones included, for
    the history to mark). Raises ValueError if no event is dated by then."""
    known = replay(events, case_id)
    dated = [e for e in events if e.occurred_on <= day]
    if not dated:
        raise ValueError(f"case {case_id} had no events by {day}")
    standing = [e for e in dated if e.seq not in known.retracted and e.type != "EntryRetracted"]
    case = replay(standing, case_id, view=True).but(
        obligations=obligations_on(known.obligations, day), retracted=known.retracted
    )
    return case, dated
