"""The fold of a case's event log. `evolve` applies one stored fact; `replay` folds a log.

Evolve never judges: guards, the policy, the calendar and today are consulted only by
`decide`. What a decision computed (stage after, obligations opened, met and lapsed) is
read back from the event's `decision`. The stage is re-derived from THE transition table
and checked against the recorded one; a step the table does not allow is corruption.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from cpworkflow.errors import IntegrityError
from cpworkflow.lifecycle.case import Case, EventLike
from cpworkflow.lifecycle.case_data import apply_data
from cpworkflow.lifecycle.machine import NOT_ALLOWED, begins_period, changes_stage, next_stage
from cpworkflow.lifecycle.obligation import Obligation


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
