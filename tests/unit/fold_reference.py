"""The fold as it was before replay's fast path (git 3ebe609: lifecycle/fold.py, the
as-of fold of lifecycle/as_of.py, and machine.next_stage asking the transitions Machine),
and the data effects as they were before they changed the case in place (git fd2f995:
lifecycle/case_data.py, from `Apply` down), kept word for word as the oracle of
tests/unit/test_fold_fast_path.py. Never import it from src/: it is the old path the
fast one must equal."""

# ruff: noqa
# mypy: ignore-errors

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from functools import cache
from typing import Any

from cpworkflow.errors import IntegrityError
from cpworkflow.lifecycle.case import Case, EventLike
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


# lifecycle/case_data.py at fd2f995, from `Apply` down
Apply = Callable[[Case, EventLike], Case]


def _step_down(case: Case, event: EventLike, *, by_conference: bool) -> Case:
    support = event.data.get("continuing_support") or {}
    plan = support.get("plan")
    return case.but(
        step_down_by_conference=by_conference,
        cin_reviews_held=0,
        cin_plan_recorded=(),
        cin_plan_circulated=(),
        cin_plans=((event.seq, plan),) if plan else (),
    )


def _plan_ended(case: Case, event: EventLike) -> Case:
    return case.but(plan_ended_on=event.occurred_on, categories=(), visiting_interval_weeks=None)


def _opened(case: Case, event: EventLike) -> Case:
    child = dict(event.data.get("child") or {})
    return case.but(child=child, child_history=((event.seq, child),), policy=event.policy)


def _child(history: tuple[tuple[int, Any], ...]) -> dict[str, Any]:
    """The child's details: what the case opened with, the latest value of each winning.
    A birth keeps the expected date and sets the birth date; a UPN replaces a reason for
    having none, and the other way round."""
    child: dict[str, Any] = {}
    for _, details in history:
        if "upn" in details:
            child.pop("upn_unknown", None)
        if "upn_unknown" in details:
            child.pop("upn", None)
        child.update(details)
    return child


def _child_details(case: Case, event: EventLike) -> Case:
    history = (*case.child_history, (event.seq, dict(event.data)))
    return case.but(child=_child(history), child_history=history)


def _strategy(case: Case, event: EventLike) -> Case:
    if event.data.get("outcome") == "s17" and case.stage == "step_down":
        return _step_down(case, event, by_conference=False)
    return case


def _chaired(case: Case, event: EventLike) -> Case:
    """The chair of a conference is the case's CP chair from then on: recorded as the
    latest assignment, so a chair assigned earlier by StaffAssigned does not outrank it.
    The conference's date is kept (it closes what was due before it), and the visiting
    interval it set, if it set one."""
    case = case.but(conferences=(*case.conferences, (event.seq, event.occurred_on)))
    weeks = event.data.get("visiting_interval_weeks")
    if weeks is not None:
        case = case.but(visiting_interval_weeks=int(weeks))
    chair = event.data.get("chair")
    if not chair:
        return case
    return case.but(
        conference_chair=chair, assignments=(*case.assignments, (event.seq, chair, False))
    )


def _initial_conference(case: Case, event: EventLike) -> Case:
    data = event.data
    case = _chaired(case, event)
    if data.get("decision") == "plan":
        lead = data.get("lead_social_worker")
        assignments = case.assignments + (((event.seq, lead, False),) if lead else ())
        return case.but(
            categories=tuple(data.get("categories", ())),
            pre_birth_plan=bool(data.get("pre_birth")),
            plan_started_on=event.occurred_on,
            plan_ended_on=None,
            rcpcs_convened=0,
            rcpcs_held=0,
            core_groups_held=0,
            assignments=assignments,
        )
    if case.stage == "step_down":
        return _step_down(case, event, by_conference=True)
    return case


def _review_conference(case: Case, event: EventLike) -> Case:
    data = event.data
    case = _chaired(case, event).but(rcpcs_held=case.rcpcs_held + 1)
    if data.get("decision") == "continue":
        categories = data.get("categories")
        return case.but(categories=tuple(categories)) if categories else case
    case = _plan_ended(case, event)
    if case.stage == "step_down":
        return _step_down(case, event, by_conference=True)
    return case


def _cin_meeting(case: Case, event: EventLike) -> Case:
    reviews = 0 if event.data.get("kind") == "first" else case.cin_reviews_held + 1
    plan = event.data.get("plan")
    plans = case.cin_plans + (((event.seq, plan),) if plan else ())
    return case.but(cin_reviews_held=reviews, cin_plans=plans)


def _cin_plan_recorded(case: Case, event: EventLike) -> Case:
    plan = event.data.get("plan")
    plans = case.cin_plans + (((event.seq, plan),) if plan else ())
    return case.but(cin_plan_recorded=(*case.cin_plan_recorded, event.seq), cin_plans=plans)


def _staff(case: Case, event: EventLike) -> Case:
    entry = (event.seq, event.data["person"], bool(event.data.get("left_authority")))
    return case.but(assignments=(*case.assignments, entry))


def _reopened(case: Case, event: EventLike) -> Case:
    return case.but(
        categories=(),
        plan_started_on=None,
        plan_ended_on=None,
        step_down_by_conference=False,
        cin_plans=(),
    )


def _retracted(case: Case, event: EventLike) -> Case:
    """Undo the retracted event's case data; its obligations are undone by the decision."""
    seq = int(event.data["seq"])
    kind = event.decision.get("retracted_type")
    changes: dict[str, Any] = {"retracted": case.retracted | {seq}}
    if kind == "StaffAssigned":
        changes["assignments"] = tuple(a for a in case.assignments if a[0] != seq)
    elif kind == "ChildInNeedPlanRecorded":
        changes["cin_plan_recorded"] = tuple(s for s in case.cin_plan_recorded if s != seq)
        changes["cin_plans"] = tuple(p for p in case.cin_plans if p[0] != seq)
    elif kind == "ChildInNeedPlanCirculated":
        changes["cin_plan_circulated"] = tuple(s for s in case.cin_plan_circulated if s != seq)
    elif kind == "CoreGroupMeetingHeld":
        changes["core_groups_held"] = max(0, case.core_groups_held - 1)
    elif kind in ("ChildDetailsRecorded", "ChildBorn"):
        changes["child_history"] = tuple(c for c in case.child_history if c[0] != seq)
        changes["child"] = _child(changes["child_history"])
    return case.but(**changes)


def _final_review(case: Case, event: EventLike) -> Case:
    """G-THIRD-REVIEW counts a final review with the review meetings."""
    return case.but(cin_reviews_held=case.cin_reviews_held + 1)


DATA_EFFECTS: dict[str, Apply] = {
    "FinalChildInNeedReviewHeld": _final_review,
    "CaseOpened": _opened,
    "StrategyMeetingHeld": _strategy,
    "InitialConferenceHeld": _initial_conference,
    "ReviewConferenceConvened": lambda c, e: c.but(rcpcs_convened=c.rcpcs_convened + 1),
    "ReviewConferenceHeld": _review_conference,
    "ChildProtectionPlanEnded": _plan_ended,
    "CoreGroupMeetingHeld": lambda c, e: c.but(core_groups_held=c.core_groups_held + 1),
    "ChildInNeedMeetingHeld": _cin_meeting,
    "ChildInNeedPlanRecorded": _cin_plan_recorded,
    "ChildInNeedPlanCirculated": lambda c, e: c.but(
        cin_plan_circulated=(*c.cin_plan_circulated, e.seq)
    ),
    "StaffAssigned": _staff,
    "ChildDetailsRecorded": _child_details,
    "ChildBorn": _child_details,
    "CaseReopened": _reopened,
    "EntryRetracted": _retracted,
}


def apply_data(case: Case, event: EventLike) -> Case:
    effect = DATA_EFFECTS.get(event.type)
    return effect(case, event) if effect else case


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
