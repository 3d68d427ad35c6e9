"""What each event does to the case's data (people, categories, plans, counters).

Routing is a plain dict from event type to a small function; types not listed carry no
case data (their effect is only on obligations, recorded in the decision).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cpworkflow.lifecycle.case import Case, EventLike

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
