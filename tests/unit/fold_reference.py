"""The fold as it was before replay's fast path (git 3ebe609: lifecycle/fold.py, the
as-of fold of lifecycle/as_of.py, and machine.next_stage asking the transitions Machine),
kept word for word as the oracle of tests/unit/test_fold_fast_path.py. Never import it
from src/: it is the old path the fast one must equal."""

# ruff: noqa
# mypy: ignore-errors

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from functools import cache
from typing import Any

from cpworkflow.errors import IntegrityError
from cpworkflow.lifecycle.case import Case, EventLike
from cpworkflow.lifecycle.case_data import apply_data
from cpworkflow.lifecycle.machine import (
    CONDITIONS,
    FIRST_STAGE,
    MACHINE,
    NOT_ALLOWED,
    OPENING_EVENT,
    TRANSITIONS,
    NotAllowed,
    begins_period,
)
from cpworkflow.lifecycle.obligation import Obligation

Data = Mapping[str, Any]


@cache
def _rows(event_type: str, stage: str) -> tuple[tuple[str | None, tuple[str, ...]], ...]:
    return tuple(
        (t.dest, tuple(str(c.func) for c in t.conditions))
        for t in MACHINE.get_transitions(trigger=event_type, source=stage)
    )


def next_stage(stage: str | None, event_type: str, data: Data) -> str | NotAllowed | None:
    """The stage after the event: a stage name, None for "unchanged", or NOT_ALLOWED."""
    if stage is None:
        return FIRST_STAGE if event_type == OPENING_EVENT else NOT_ALLOWED
    for dest, conditions in _rows(event_type, stage):
        if all(CONDITIONS[c](data) for c in conditions):
            return dest
    return NOT_ALLOWED


def changes_stage(event_type: str) -> bool:
    """True for event types that can move a case between stages (never retractable)."""
    return event_type == OPENING_EVENT or any(t.trigger == event_type for t in TRANSITIONS)


def replay(events: Iterable[EventLike], case_id: str | None = None, *, view: bool = False) -> Case:
    """Fold a stored log into the case. Raises IntegrityError if the log is not legal.

    `view=True` folds a selection of the log (what had happened by a date): seq may skip,
    and a late record that reached the log after a later stage change is applied as a fact.
    """
    case: Case | None = Case(case_id) if case_id is not None else None
    for event in events:
        if case is None:
            case = Case(event.case_id)
        case = evolve(case, event, view=view)
    if case is None:
        raise ValueError("replay of an empty log needs a case_id")
    return case


def evolve(case: Case, event: EventLike, *, view: bool = False) -> Case:
    """Apply one stored fact. Never consults the policy, the calendar or the clock."""
    if event.seq != case.version + 1 and not view:
        raise IntegrityError(case.case_id, event.seq, f"expected seq {case.version + 1}")
    dest = next_stage(case.stage, event.type, event.data)
    if dest is NOT_ALLOWED and view and not changes_stage(event.type):
        dest = None
    if dest is NOT_ALLOWED:
        raise IntegrityError(
            case.case_id, event.seq, f"{event.type} is not allowed from stage {case.stage}"
        )
    new_stage = case.stage if dest is None else str(dest)
    recorded = event.decision.get("stage_after")
    if recorded != new_stage and not view:
        raise IntegrityError(
            case.case_id,
            event.seq,
            f"recorded stage {recorded!r} but the table gives {new_stage!r}",
        )
    changes: dict[str, Any] = {
        "version": event.seq,
        "policy_version": event.policy_version,
        "last_occurred_on": max(filter(None, (case.last_occurred_on, event.occurred_on))),
    }
    if dest is not None:
        changes["stage"] = new_stage
        changes["previous_stage_since"] = case.stage_since
        changes["stage_since"] = event.occurred_on
        changes["unretractable"] = case.unretractable | {event.seq}
        if begins_period(case.stage, new_stage, event.type, event.data):
            changes["period_seq"] = event.seq
            changes["previous_period_since"] = case.period_since
            changes["period_since"] = event.occurred_on
    if event.type in ("RuleWaived", "EntryRetracted"):
        changes["unretractable"] = changes.get("unretractable", case.unretractable) | {event.seq}
    case = case.but(**changes)
    case = apply_data(case, event)
    return _apply_decision(case, event, view)


def _apply_decision(case: Case, event: EventLike, view: bool) -> Case:
    """Apply what the decision recorded, in one order: opened, reopened, met, lapsed,
    withdrawn. An obligation re-chained by a late or retracted fact names the event that
    opened it (`opened_seq`, `opened_on`) or met it (`seq`) when that is not this one; a
    decision stored before revision 2 names neither, and never reopens and meets at once."""
    decision = event.decision
    obligations = dict(case.obligations)
    for spec in decision.get("opened", ()):
        opened_on = spec.get("opened_on")
        ob = Obligation.from_json(
            spec,
            opened_seq=int(spec.get("opened_seq", event.seq)),
            opened_on=date.fromisoformat(opened_on) if opened_on else event.occurred_on,
        )
        obligations[ob.id] = ob
    for ob_id in decision.get("reopened", ()):
        if _known(obligations, ob_id, case, event, view):
            obligations[ob_id] = obligations[ob_id].reopen()
    for met in decision.get("met", ()):
        if _known(obligations, met["id"], case, event, view):
            obligations[met["id"]] = obligations[met["id"]].meet(
                date.fromisoformat(met["on"]),
                int(met.get("seq", event.seq)),
                int(met["late_by_working_days"]),
            )
    for lapsed in decision.get("lapsed", ()):
        if _known(obligations, lapsed["id"], case, event, view):
            on = lapsed.get("on")
            obligations[lapsed["id"]] = obligations[lapsed["id"]].lapse(
                date.fromisoformat(on) if on else event.occurred_on
            )
    for ob_id in decision.get("withdrawn", ()):
        obligations.pop(ob_id, None)
    waivers = dict(case.pending_waivers)
    if event.type == "RuleWaived":
        waivers[str(event.data["rule"])] = event.seq
    elif "waivers_spent" in decision:  # spent only by an event the waived rule judged
        waivers = {r: s for r, s in waivers.items() if r not in decision["waivers_spent"]}
    else:  # a decision stored before revision 2: the next event spent every waiver
        waivers = {}
    return case.but(obligations=obligations, pending_waivers=waivers)


def _known(
    obligations: Mapping[str, Obligation], ob_id: str, case: Case, event: EventLike, view: bool
) -> bool:
    """In a full log every obligation a decision names exists; in a view it may not yet."""
    if ob_id in obligations:
        return True
    if view:
        return False
    raise IntegrityError(case.case_id, event.seq, f"the decision names unknown obligation {ob_id}")


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
