"""The guards (DOMAIN.md §4): one small function per rule, each returning what is missing.

A guard reads the proposal (case, event, policy, today) and returns a list of reasons;
an empty list passes. The rules live in `guards_plan` (ending a plan, stepping down),
`guards_cin` (CiN meetings and closing) and here (the engine's G-CHRONOLOGY and G-ROLE);
`GUARDS_FOR` routes event types to the guards that judge them, as data. Waivers, sources
and the refusal format are decide's business, not the guards'.
"""

from __future__ import annotations

from cpworkflow.lifecycle.guards.cin import (
    age,
    chair_first_cin,
    final_review,
    informed,
    next_meeting,
    pre_birth,
    reflective,
    third_review,
    transfer,
)
from cpworkflow.lifecycle.guards.plan import (
    contingency,
    court,
    each_category,
    first_cin_date,
    first_review,
    manager,
    smart,
    support,
    temporary,
)
from cpworkflow.lifecycle.proposal import Guard, Proposal, as_date

__all__ = ["CHECKS", "ENGINE_CHECKS", "GUARDS_FOR", "Proposal"]


def chronology(p: Proposal) -> list[str]:
    """Periods, not stages (DOMAIN.md §2): a fact that leaves the stage as it is may be
    dated back to the start of the current period (a closed case: of the period before it
    closed) and is placed by its date. An event that moves the stage keeps the stages in
    the order they happened: never before the latest step, which lies within the period."""
    if p.occurred_on > p.today:
        return [f"the event is dated {p.occurred_on}, in the future (today is {p.today})"]
    case = p.case
    if p.stage_after is None:
        closed = case.stage == "closed"
        began = case.previous_period_since if closed else case.period_since
        what = "the period before the case closed" if closed else "the current period"
    else:
        began, what = case.stage_since, "the current stage"
    if began is not None and p.occurred_on < began:
        return [f"the event is dated {p.occurred_on}, before {what} began ({began})"]
    conference = as_date(p.data.get("conference_date"))
    if p.type == "ReviewConferenceConvened" and conference and conference < p.occurred_on:
        return [f"the conference is convened for {conference}, before the day it was convened"]
    return []


def role(p: Proposal) -> list[str]:
    actor_role = str(p.actor.get("role"))
    if p.policy.may_record(p.type, actor_role):
        return []
    who = ", ".join(sorted(p.policy.roles.get(p.type, ()))) or "no role"
    return [f"{actor_role} may not record {p.type} under policy {p.policy.id}; who may: {who}"]


CHECKS: dict[str, Guard] = {
    "G-CONTINGENCY": contingency,
    "G-SMART": smart,
    "G-FIRST-CIN-DATE": first_cin_date,
    "G-EACH-CATEGORY": each_category,
    "G-FIRST-REVIEW": first_review,
    "G-TEMPORARY": temporary,
    "G-COURT": court,
    "G-SUPPORT": support,
    "G-MANAGER": manager,
    "G-CHAIR-FIRST-CIN": chair_first_cin,
    "G-NEXT-MEETING": next_meeting,
    "G-THIRD-REVIEW": third_review,
    "G-REFLECTIVE": reflective,
    "G-FINAL-REVIEW": final_review,
    "G-INFORMED": informed,
    "G-TRANSFER": transfer,
    "G-AGE": age,
    "G-PRE-BIRTH": pre_birth,
}
ENGINE_CHECKS: dict[str, Guard] = {"G-ROLE": role, "G-CHRONOLOGY": chronology}

_CONFERENCE = ("G-CONTINGENCY", "G-SMART", "G-FIRST-CIN-DATE", "G-SUPPORT")
GUARDS_FOR: dict[str, tuple[str, ...]] = {
    "StrategyMeetingHeld": ("G-INFORMED",),
    "InitialConferenceHeld": (*_CONFERENCE, "G-INFORMED", "G-PRE-BIRTH"),
    "ReviewConferenceHeld": (
        *_CONFERENCE,
        "G-INFORMED",
        "G-EACH-CATEGORY",
        "G-FIRST-REVIEW",
        "G-TEMPORARY",
        "G-COURT",
        "G-MANAGER",
    ),
    "ChildInNeedPlanRecorded": ("G-SMART",),
    "ChildInNeedMeetingHeld": ("G-SMART", "G-CHAIR-FIRST-CIN", "G-NEXT-MEETING", "G-THIRD-REVIEW"),
    "ReflectiveDiscussionHeld": ("G-REFLECTIVE",),
    "FinalChildInNeedReviewHeld": (
        *("G-SMART", "G-NEXT-MEETING", "G-THIRD-REVIEW", "G-FINAL-REVIEW", "G-INFORMED"),
    ),
    "ChildProtectionPlanEnded": ("G-TRANSFER", "G-AGE", "G-INFORMED"),
    "CaseClosed": ("G-TRANSFER", "G-AGE", "G-INFORMED"),
    "ChildBorn": ("G-PRE-BIRTH",),
}
