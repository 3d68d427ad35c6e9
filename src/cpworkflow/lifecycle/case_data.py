"""What each event does to the case's data (people, categories, plans, counters).

Routing is a plain dict from event type to a small function; types not listed carry no
case data (their effect is only on obligations, recorded in the decision).

Each effect changes the fields of a case being folded in place: `state` is the instance
dictionary of a case the fold owns (a Fold's, or the copy `evolve` makes), never one seen
outside. Writing a field is a dictionary store, where `Case.but` per change copied the
whole case (it was most of the data effects' cost in replay). tests/unit/fold_reference.py
keeps the effects as they were, on `Case.but`; tests/unit/test_fold_fast_path.py holds
these to them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cpworkflow.lifecycle.case import EventLike

State = dict[str, Any]  # a Case's fields, by name: its instance dictionary
Apply = Callable[[State, EventLike], None]


def _step_down(state: State, event: EventLike, *, by_conference: bool) -> None:
    support = event.data.get("continuing_support") or {}
    plan = support.get("plan")
    state["step_down_by_conference"] = by_conference
    state["cin_reviews_held"] = 0
    state["cin_plan_recorded"] = ()
    state["cin_plan_circulated"] = ()
    state["cin_plans"] = ((event.seq, plan),) if plan else ()


def _plan_ended(state: State, event: EventLike) -> None:
    state["plan_ended_on"] = event.occurred_on
    state["categories"] = ()
    state["visiting_interval_weeks"] = None


def _opened(state: State, event: EventLike) -> None:
    child = dict(event.data.get("child") or {})
    state["child"] = child
    state["child_history"] = ((event.seq, child),)
    state["policy"] = event.policy


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


def _child_details(state: State, event: EventLike) -> None:
    history = (*state["child_history"], (event.seq, dict(event.data)))
    state["child"] = _child(history)
    state["child_history"] = history


def _strategy(state: State, event: EventLike) -> None:
    if event.data.get("outcome") == "s17" and state["stage"] == "step_down":
        _step_down(state, event, by_conference=False)


def _chaired(state: State, event: EventLike) -> None:
    """The chair of a conference is the case's CP chair from then on: recorded as the
    latest assignment, so a chair assigned earlier by StaffAssigned does not outrank it.
    The conference's date is kept (it closes what was due before it), and the visiting
    interval it set, if it set one."""
    state["conferences"] = (*state["conferences"], (event.seq, event.occurred_on))
    weeks = event.data.get("visiting_interval_weeks")
    if weeks is not None:
        state["visiting_interval_weeks"] = int(weeks)
    chair = event.data.get("chair")
    if chair:
        state["conference_chair"] = chair
        state["assignments"] = (*state["assignments"], (event.seq, chair, False))


def _initial_conference(state: State, event: EventLike) -> None:
    data = event.data
    _chaired(state, event)
    if data.get("decision") == "plan":
        lead = data.get("lead_social_worker")
        assignments = state["assignments"] + (((event.seq, lead, False),) if lead else ())
        state["categories"] = tuple(data.get("categories", ()))
        state["pre_birth_plan"] = bool(data.get("pre_birth"))
        state["plan_started_on"] = event.occurred_on
        state["plan_ended_on"] = None
        state["rcpcs_convened"] = 0
        state["rcpcs_held"] = 0
        state["core_groups_held"] = 0
        state["assignments"] = assignments
    elif state["stage"] == "step_down":
        _step_down(state, event, by_conference=True)


def _review_conference(state: State, event: EventLike) -> None:
    data = event.data
    _chaired(state, event)
    state["rcpcs_held"] += 1
    if data.get("decision") == "continue":
        categories = data.get("categories")
        if categories:
            state["categories"] = tuple(categories)
        return
    _plan_ended(state, event)
    if state["stage"] == "step_down":
        _step_down(state, event, by_conference=True)


def _review_convened(state: State, event: EventLike) -> None:
    state["rcpcs_convened"] += 1


def _core_group(state: State, event: EventLike) -> None:
    state["core_groups_held"] += 1


def _cin_meeting(state: State, event: EventLike) -> None:
    reviews = 0 if event.data.get("kind") == "first" else state["cin_reviews_held"] + 1
    plan = event.data.get("plan")
    plans = state["cin_plans"] + (((event.seq, plan),) if plan else ())
    state["cin_reviews_held"] = reviews
    state["cin_plans"] = plans


def _cin_plan_recorded(state: State, event: EventLike) -> None:
    plan = event.data.get("plan")
    plans = state["cin_plans"] + (((event.seq, plan),) if plan else ())
    state["cin_plan_recorded"] = (*state["cin_plan_recorded"], event.seq)
    state["cin_plans"] = plans


def _cin_plan_circulated(state: State, event: EventLike) -> None:
    state["cin_plan_circulated"] = (*state["cin_plan_circulated"], event.seq)


def _staff(state: State, event: EventLike) -> None:
    entry = (event.seq, event.data["person"], bool(event.data.get("left_authority")))
    state["assignments"] = (*state["assignments"], entry)


def _reopened(state: State, event: EventLike) -> None:
    state["categories"] = ()
    state["plan_started_on"] = None
    state["plan_ended_on"] = None
    state["step_down_by_conference"] = False
    state["cin_plans"] = ()


def _retracted(state: State, event: EventLike) -> None:
    """Undo the retracted event's case data; its obligations are undone by the decision."""
    seq = int(event.data["seq"])
    kind = event.decision.get("retracted_type")
    retracted = state["retracted"] | {seq}
    if kind == "StaffAssigned":
        state["assignments"] = tuple(a for a in state["assignments"] if a[0] != seq)
    elif kind == "ChildInNeedPlanRecorded":
        state["cin_plan_recorded"] = tuple(s for s in state["cin_plan_recorded"] if s != seq)
        state["cin_plans"] = tuple(p for p in state["cin_plans"] if p[0] != seq)
    elif kind == "ChildInNeedPlanCirculated":
        state["cin_plan_circulated"] = tuple(s for s in state["cin_plan_circulated"] if s != seq)
    elif kind == "CoreGroupMeetingHeld":
        state["core_groups_held"] = max(0, state["core_groups_held"] - 1)
    elif kind in ("ChildDetailsRecorded", "ChildBorn"):
        history = tuple(c for c in state["child_history"] if c[0] != seq)
        state["child_history"] = history
        state["child"] = _child(history)
    state["retracted"] = retracted


def _final_review(state: State, event: EventLike) -> None:
    """G-THIRD-REVIEW counts a final review with the review meetings."""
    state["cin_reviews_held"] += 1


DATA_EFFECTS: dict[str, Apply] = {
    "FinalChildInNeedReviewHeld": _final_review,
    "CaseOpened": _opened,
    "StrategyMeetingHeld": _strategy,
    "InitialConferenceHeld": _initial_conference,
    "ReviewConferenceConvened": _review_convened,
    "ReviewConferenceHeld": _review_conference,
    "ChildProtectionPlanEnded": _plan_ended,
    "CoreGroupMeetingHeld": _core_group,
    "ChildInNeedMeetingHeld": _cin_meeting,
    "ChildInNeedPlanRecorded": _cin_plan_recorded,
    "ChildInNeedPlanCirculated": _cin_plan_circulated,
    "StaffAssigned": _staff,
    "ChildDetailsRecorded": _child_details,
    "ChildBorn": _child_details,
    "CaseReopened": _reopened,
    "EntryRetracted": _retracted,
}
