"""The stages of a case and THE transition table (DOMAIN.md §2), held in one shared
`transitions` Machine. The guarded decision, the guard-free replay and the diagrams all
read this one table.

Conditions are named predicates over the event's data (plain JSON), so their names print
on the diagram edges. Facts that do not change the stage are internal transitions
(`dest=None`) in the same machine: `FACTS` says where each is accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from transitions import Machine

STAGES: tuple[str, ...] = (
    "referral",
    "cp_plan",
    "review",
    "step_down",
    "cin",
    "final_review",
    "closed",
)
OPEN_STAGES = STAGES[:-1]
OPENING_EVENT = "CaseOpened"
FIRST_STAGE = "referral"

Data = Mapping[str, Any]


def _support_kind(data: Data) -> str | None:
    support = data.get("continuing_support") or {}
    kind = support.get("kind")
    return kind if isinstance(kind, str) else None


# The conditions, by the name that prints on the diagram.
CONDITIONS: dict[str, Callable[[Data], bool]] = {
    "outcome_s47": lambda d: d.get("outcome") == "s47",
    "outcome_s17": lambda d: d.get("outcome") == "s17",
    "outcome_nfa": lambda d: d.get("outcome") == "nfa",
    "plan_made": lambda d: d.get("decision") == "plan",
    "no_plan_cin_support": lambda d: d.get("decision") == "no_plan" and _support_kind(d) == "cin",
    "no_plan_other_support": lambda d: d.get("decision") == "no_plan" and _support_kind(d) != "cin",
    "plan_continues": lambda d: d.get("decision") == "continue",
    "plan_ends_cin_support": lambda d: (
        d.get("decision") == "end_plan" and _support_kind(d) == "cin"
    ),
    "plan_ends_other_support": lambda d: (
        d.get("decision") == "end_plan" and _support_kind(d) != "cin"
    ),
    "first_meeting": lambda d: d.get("kind") == "first",
    "review_meeting": lambda d: d.get("kind") == "review",
    "cin_plan_ends": lambda d: d.get("decision") == "end_plan",
    "cin_plan_continues": lambda d: d.get("decision") == "continue",
}


@dataclass(frozen=True)
class Transition:
    trigger: str
    source: tuple[str, ...]
    dest: str | None  # None: the stage does not change (an internal transition)
    condition: str | None = None


def _t(trigger: str, source: str, dest: str | None, condition: str | None = None) -> Transition:
    return Transition(trigger, tuple(source.split()), dest, condition)


# DOMAIN.md §2, row by row. CaseOpened (no stage → referral) is the opening event.
TRANSITIONS: tuple[Transition, ...] = (
    _t("StrategyMeetingHeld", "referral step_down cin final_review", "referral", "outcome_s47"),
    _t("StrategyMeetingHeld", "referral", "step_down", "outcome_s17"),
    _t("StrategyMeetingHeld", "referral", "closed", "outcome_nfa"),
    _t("InitialConferenceHeld", "referral", "cp_plan", "plan_made"),
    _t("InitialConferenceHeld", "referral", "step_down", "no_plan_cin_support"),
    _t("InitialConferenceHeld", "referral", "closed", "no_plan_other_support"),
    _t("ReviewConferenceConvened", "cp_plan", "review"),
    _t("ReviewConferenceHeld", "review", "cp_plan", "plan_continues"),
    _t("ReviewConferenceHeld", "review", "step_down", "plan_ends_cin_support"),
    _t("ReviewConferenceHeld", "review", "closed", "plan_ends_other_support"),
    _t("ChildProtectionPlanEnded", "cp_plan review", "closed"),
    _t("CaseClosed", "referral step_down cin final_review", "closed"),
    _t("ChildInNeedMeetingHeld", "step_down", "cin", "first_meeting"),
    _t("ChildInNeedMeetingHeld", "cin", "cin", "review_meeting"),
    _t("ReflectiveDiscussionHeld", "cin", "final_review"),
    _t("FinalChildInNeedReviewHeld", "final_review", "closed", "cin_plan_ends"),
    _t("FinalChildInNeedReviewHeld", "final_review", "cin", "cin_plan_continues"),
    _t("CaseReopened", "closed", "referral"),
    # A new concern during a plan: the core group is told, the RCPC may be brought forward.
    _t("StrategyMeetingHeld", "cp_plan review", None),
)

_OPEN = " ".join(OPEN_STAGES)
_AFTER_PLAN = "step_down cin final_review"
# THE table of facts that do not change the stage (DOMAIN.md §2), and the stages that
# accept each; `cpw events` prints it. Agency reports and the arranging of an ICPC are
# accepted in referral too: reports reach the chair before an ICPC (001). A closed case
# accepts only CaseReopened and late records of what happened before it closed.
FACTS: dict[str, str] = {
    "AssessmentStarted": _OPEN,
    "AssessmentCompleted": _OPEN,
    "InitialConferenceConvened": "referral",
    "CoreGroupMeetingHeld": "cp_plan review",
    "ChildVisited": _OPEN,
    "AgencyReportReceived": "referral cp_plan review",
    "AgenciesNotified": f"{_AFTER_PLAN} closed",
    "OutcomesRecorded": f"{_OPEN} closed",
    "ChildInNeedPlanRecorded": _AFTER_PLAN,
    "ChildInNeedPlanCirculated": _AFTER_PLAN,
    "ManagementAdviceSought": _OPEN,
    "IroManagerAuditCompleted": f"{_OPEN} closed",
    "DissentRecorded": f"{_OPEN} closed",
    "StaffAssigned": _OPEN,
    "ChildDetailsRecorded": f"{_OPEN} closed",
    "ChildBorn": f"{_OPEN} closed",
    "LegalStatusRecorded": _OPEN,
    "RuleWaived": _OPEN,
    "EntryRetracted": f"{_OPEN} closed",
}
FACT_TRANSITIONS: tuple[Transition, ...] = tuple(_t(e, s, None) for e, s in FACTS.items())
EVENT_TYPES_IN_TABLE: tuple[str, ...] = tuple(
    dict.fromkeys([OPENING_EVENT, *(t.trigger for t in TRANSITIONS + FACT_TRANSITIONS)])
)


def machine_config() -> dict[str, Any]:
    """The table as `transitions` configuration (also used by the diagram machines)."""
    return {
        "states": list(STAGES),
        "transitions": [
            {
                "trigger": t.trigger,
                "source": list(t.source),
                "dest": t.dest,
                "conditions": [t.condition] if t.condition else [],
            }
            for t in TRANSITIONS + FACT_TRANSITIONS
        ],
        "initial": FIRST_STAGE,
        "auto_transitions": False,
    }


# One machine for every case: no model is attached; cases are plain values.
MACHINE = Machine(model=None, **machine_config())


class NotAllowed:
    """The event is not allowed from the stage (no matching row in the table)."""

    def __repr__(self) -> str:
        return "NOT_ALLOWED"


NOT_ALLOWED = NotAllowed()


@cache
def _rows(event_type: str, stage: str) -> tuple[tuple[str | None, tuple[str, ...]], ...]:
    return tuple(
        (t.dest, tuple(str(c.func) for c in t.conditions))
        for t in MACHINE.get_transitions(trigger=event_type, source=stage)
    )


Step = tuple[str | None, tuple[Callable[[Data], bool], ...]]


def _steps() -> dict[str, dict[str, tuple[Step, ...]]]:
    """THE table as the machine holds it, read once: for each stage, each event type with a
    row from it, that row's destinations in the machine's order, with their conditions
    resolved to the predicates. `next_stage` runs on every event of every replay, so it
    looks here instead of asking the machine (the diagrams and `allowed_events` still ask
    it; tests/unit/test_lifecycle.py checks this table against the machine's answers)."""
    table: dict[str, dict[str, tuple[Step, ...]]] = {}
    for stage in STAGES:
        table[stage] = {}
        for event_type in EVENT_TYPES_IN_TABLE:
            rows = _rows(event_type, stage)
            if rows:
                table[stage][event_type] = tuple(
                    (dest, tuple(CONDITIONS[c] for c in names)) for dest, names in rows
                )
    return table


_STEPS = _steps()
_NO_ROWS: dict[str, tuple[Step, ...]] = {}


def _settled() -> dict[str | None, dict[str, str | None]]:
    """The steps whose first row from the stage has no condition: the stage after the event
    whatever its data (a fact's None, most often), read from `_STEPS` once. The fold looks
    here first and asks `next_stage` only for the others."""
    table: dict[str | None, dict[str, str | None]] = {None: {OPENING_EVENT: FIRST_STAGE}}
    for stage, steps in _STEPS.items():
        table[stage] = {t: rows[0][0] for t, rows in steps.items() if not rows[0][1]}
    return table


SETTLED = _settled()


def next_stage(stage: str | None, event_type: str, data: Data) -> str | NotAllowed | None:
    """The stage after the event: a stage name, None for "unchanged", or NOT_ALLOWED."""
    if stage is None:
        return FIRST_STAGE if event_type == OPENING_EVENT else NOT_ALLOWED
    for dest, conditions in _STEPS.get(stage, _NO_ROWS).get(event_type, ()):
        for condition in conditions:
            if not condition(data):
                break
        else:
            return dest
    return NOT_ALLOWED


@cache
def allowed_events(stage: str | None) -> tuple[str, ...]:
    """Event types with at least one row from this stage (some need a particular outcome)."""
    if stage is None:
        return (OPENING_EVENT,)
    return tuple(t for t in EVENT_TYPES_IN_TABLE if _rows(t, stage))


# Periods (DOMAIN.md §2): G-CHRONOLOGY and late recording reason in them, not in stages.
PERIOD_OF: dict[str, str] = {
    "referral": "referral",
    "cp_plan": "plan",
    "review": "plan",
    "step_down": "cin",
    "cin": "cin",
    "final_review": "cin",
    "closed": "closed",
}


def begins_period(stage: str | None, stage_after: str | None, event_type: str, data: Data) -> bool:
    """Whether the event begins a period: opening or reopening, an s47 strategy meeting
    outside a plan, or any step into another period. A CiN review, an RCPC that continues,
    a strategy meeting during a plan and a final review that continues begin none."""
    if stage_after is None:
        return False
    if stage is None or event_type == "CaseReopened":
        return True
    if PERIOD_OF[stage] != PERIOD_OF[stage_after]:
        return True
    return event_type == "StrategyMeetingHeld" and data.get("outcome") == "s47"


_STAGE_CHANGING = frozenset([OPENING_EVENT, *(t.trigger for t in TRANSITIONS)])


def changes_stage(event_type: str) -> bool:
    """True for event types that can move a case between stages (never retractable)."""
    return event_type in _STAGE_CHANGING
