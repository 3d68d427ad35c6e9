"""The guards (DOMAIN.md §4): one small function per rule, each returning what is missing.

A guard reads the proposal (case, event, policy, today) and returns a list of reasons;
an empty list passes. `GUARDS_FOR` routes event types to the guards that judge them, as
data. Waivers, sources and the refusal format are decide's business, not the guards'.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from cpworkflow.case import Case
from cpworkflow.policy import Policy, SupportRule, due_date

Json = Mapping[str, Any]


@dataclass(frozen=True)
class Proposal:
    """An event on its way in, with what the decision may consult."""

    case: Case
    type: str
    occurred_on: date
    actor: Json
    data: Json  # the validated payload as JSON builtins
    stage_after: str | None  # None: the event does not change the stage
    policy: Policy
    today: date

    @property
    def ends_plan(self) -> bool:
        return self.type == "ReviewConferenceHeld" and self.data.get("decision") == "end_plan"

    @property
    def steps_down_by_conference(self) -> bool:
        conference = self.type in ("ReviewConferenceHeld", "InitialConferenceHeld")
        return conference and self.stage_after == "step_down"

    @property
    def support(self) -> Json:
        return self.data.get("continuing_support") or {}


Guard = Callable[[Proposal], list[str]]
VAGUE = ("ongoing", "asap", "as needed", "as required", "tbc", "tba", "when possible")


def _blank(value: object) -> bool:
    return not (isinstance(value, str) and value.strip())


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _plans(p: Proposal) -> list[tuple[str, Json]]:
    """Every CiN plan the event carries, with where it sits in the payload."""
    found = [("continuing_support.plan", p.support.get("plan"))]
    found.append(("plan", p.data.get("plan")))
    return [(where, plan) for where, plan in found if isinstance(plan, Mapping)]


def _actions_smart(actions: list[Json], where: str) -> list[str]:
    reasons = []
    for i, action in enumerate(actions, 1):
        label = f"{where} action {i}"
        owner = action.get("owner")
        if owner is None or (isinstance(owner, str) and _blank(owner)):
            reasons.append(f"{label} has no owner")
        due, every = action.get("due"), action.get("every_weeks")
        if due is None and every is None:
            reasons.append(f"{label} has no timescale (a due date or every_weeks)")
        elif due is not None and _date(due) is None:
            word = str(due).strip().lower()
            kind = "a vague timescale" if word in VAGUE else "a timescale that is not a date"
            reasons.append(f"{label} has {kind} {str(due)[:40]!r}")
    return reasons


def smart(p: Proposal) -> list[str]:
    reasons: list[str] = []
    for where, plan in _plans(p):
        if not [o for o in plan.get("outcomes", ()) if not _blank(o)]:
            reasons.append(f"the CiN plan ({where}) states no outcome")
        reasons += _actions_smart(list(plan.get("actions", ())), f"{where}")
    if p.type == "FinalChildInNeedReviewHeld":
        reasons += _actions_smart(list(p.data.get("actions", ())), "the final review's")
    return reasons


def contingency(p: Proposal) -> list[str]:
    if not p.steps_down_by_conference:
        return []
    plan = p.support.get("plan")
    if not isinstance(plan, Mapping):
        return ["the step-down to CiN carries no CiN plan, so no contingency plan"]
    return (
        ["the CiN plan has no agreed contingency plan"] if _blank(plan.get("contingency")) else []
    )


def first_cin_date(p: Proposal) -> list[str]:
    if not p.steps_down_by_conference:
        return []
    plan = p.support.get("plan") or {}
    first = _date(plan.get("first_meeting_date"))
    limit_days = p.policy.first_cin_max_working_days
    latest = p.policy.calendar().add(p.occurred_on, limit_days)
    if first is None:
        return ["the date of the first CiN meeting is not set"]
    if first < p.occurred_on:
        return [f"the first CiN meeting date {first} is before the plan ended ({p.occurred_on})"]
    if first > latest:
        return [
            f"the first CiN meeting date {first} is later than {limit_days} working days "
            f"after the plan ends ({latest})"
        ]
    return []


def each_category(p: Proposal) -> list[str]:
    if not p.ends_plan:
        return []
    judgements: Json = p.data.get("category_judgements") or {}
    reasons = [f"no judgement for category {c}" for c in p.case.categories if c not in judgements]
    reasons += [
        f"category {c} is judged {j}, not no_longer_at_risk"
        for c, j in judgements.items()
        if j != "no_longer_at_risk"
    ]
    reasons += [
        f"category {c} is not on the plan" for c in judgements if c not in p.case.categories
    ]
    return reasons


def first_review(p: Proposal) -> list[str]:
    first = p.case.rcpcs_held == 0
    if not (p.ends_plan and first and p.policy.first_review_needs_overriding_reasons):
        return []
    if _blank(p.data.get("overriding_reasons")):
        return ["ending the plan at the first review conference needs overriding reasons"]
    return []


def temporary(p: Proposal) -> list[str]:
    arrangements = p.data.get("temporary_arrangements")
    if not (p.ends_plan and isinstance(arrangements, Mapping)):
        return []
    reasons = []
    if not arrangements.get("assessment_completed"):
        reasons.append("safety rests on temporary arrangements but no written assessment")
    if not arrangements.get("long_term_plan_agreed"):
        reasons.append("safety rests on temporary arrangements but no agreed long-term plan")
    return reasons


def court(p: Proposal) -> list[str]:
    court_dependent = p.data.get("court_dependent")
    if not (p.ends_plan and isinstance(court_dependent, Mapping)):
        return []
    if _blank(court_dependent.get("contingency_recommendation")):
        return ["the ending depends on a court order but no contingency if it is not granted"]
    return []


def support(p: Proposal) -> list[str]:
    kind = p.support.get("kind")
    if not p.ends_plan:
        # An ICPC that makes no plan may recommend any support; what it names must hold.
        rule = p.policy.support.get(str(kind)) if p.type == "InitialConferenceHeld" else None
        return _support_conditions(p, str(kind), rule) if rule else []
    if kind is None:
        return ["the continuing support after the plan is not stated"]
    rule = p.policy.support.get(str(kind))
    if rule is None:
        accepted = ", ".join(sorted(p.policy.support))
        return [f"continuing support {kind!r} is not accepted by this policy ({accepted})"]
    return _support_conditions(p, str(kind), rule)


def _support_conditions(p: Proposal, kind: str, rule: SupportRule) -> list[str]:
    missing = [f for f in rule.require_true if p.support.get(f) is not True]
    missing += [f for f in rule.require_text if _blank(p.support.get(f))]
    reasons = [f"{kind} support needs {f}" for f in missing]
    referred = _date(p.support.get("referral_date"))
    if referred is not None and referred > p.occurred_on:
        # 002: the referral to the wellbeing service is made before the conference.
        reasons.append(f"the {kind} referral is dated {referred}, after the conference")
    return reasons


def manager(p: Proposal) -> list[str]:
    recommends_end = p.data.get("social_worker_recommendation") == "end_plan"
    if p.type == "ReviewConferenceHeld" and recommends_end and not p.data.get("manager_attended"):
        return ["the social worker recommends ending the plan but the manager did not attend"]
    return []


def chair_first_cin(p: Proposal) -> list[str]:
    if p.data.get("kind") != "first" or not p.case.step_down_by_conference:
        return []
    chair, case_chair = p.data.get("chair") or {}, p.case.conference_chair or {}
    if chair.get("id") != case_chair.get("id"):
        return [
            f"the first CiN meeting is chaired by {chair.get('id')!r}, "
            f"not the case's CP chair {case_chair.get('id')!r}"
        ]
    return []


def next_meeting(p: Proposal) -> list[str]:
    next_date = _date(p.data.get("next_meeting_date"))
    if next_date is None:
        return ["the meeting did not set the date of the next CiN meeting"]
    latest = due_date(p.policy.calendar(), p.occurred_on, p.policy.cin_review_max)
    if next_date <= p.occurred_on:
        return [f"the next meeting date {next_date} is not after this meeting"]
    if next_date > latest:
        return [f"the next meeting date {next_date} is later than the maximum interval ({latest})"]
    return []


def third_review(p: Proposal) -> list[str]:
    third = p.data.get("kind") == "review" and p.case.cin_reviews_held == 2
    role = (p.data.get("chair") or {}).get("role")
    if p.policy.third_review_chair and third and role not in ("aswp", "team_manager"):
        return [f"the third CiN review is chaired by a {role}, not an ASWP or team manager"]
    return []


def reflective(p: Proposal) -> list[str]:
    roles = {str(person.get("role")) for person in p.data.get("participants", ())}
    chair_left = bool(p.data.get("chair_left_authority")) or p.case.chair_left_authority()
    needed = ["team_manager", "social_worker", "service_manager" if chair_left else "cp_chair"]
    reasons = [
        f"the reflective discussion did not include the {r}" for r in needed if r not in roles
    ]
    recorder = p.data.get("recorded_by") or {}
    if recorder.get("role") != "team_manager":
        reasons.append("the reflective discussion is not recorded by the team manager")
    return reasons


def final_review(p: Proposal) -> list[str]:
    if p.data.get("decision") != "end_plan":
        return []
    d = p.data
    reasons = [] if d.get("lead_professional") else ["no lead professional is named"]
    if not [o for o in d.get("outstanding_outcomes", ()) if not _blank(o)]:
        reasons.append("the outcomes still to be met are not agreed")
    if not d.get("actions"):
        reasons.append("no actions are agreed")
    if not d.get("review_interval_weeks"):
        reasons.append("the frequency of reviews is not set")
    if _blank(d.get("contingency")):
        reasons.append("no contingency plan is agreed")
    return reasons


def informed(p: Proposal) -> list[str]:
    closing = p.type == "CaseClosed" or (
        p.type == "FinalChildInNeedReviewHeld" and p.data.get("decision") == "end_plan"
    )
    if closing and p.data.get("professionals_informed") is not True:
        return ["not every professional involved has been informed of the closure"]
    return []


def transfer(p: Proposal) -> list[str]:
    if p.data.get("reason") != "transferred":
        return []
    t = p.data.get("transfer") or {}
    reasons = [] if not _blank(t.get("receiving_authority")) else ["no receiving authority"]
    if _date(t.get("transfer_conference_date")) is None:
        reasons.append("no transfer conference by the receiving authority")
    if t.get("written_confirmation") is not True:
        reasons.append("no written confirmation from the receiving authority")
    return reasons


def age(p: Proposal) -> list[str]:
    if p.data.get("reason") != "turned_18":
        return []
    born = _date(p.case.child.get("birth_date"))
    if born is None:
        return ["the child's birth date is not recorded"]
    try:
        eighteenth = born.replace(year=born.year + 18)
    except ValueError:  # born on 29 February
        eighteenth = date(born.year + 18, 3, 1)
    if p.occurred_on < eighteenth:
        return [f"the child turns 18 on {eighteenth}, after {p.occurred_on}"]
    return []


def chronology(p: Proposal) -> list[str]:
    if p.occurred_on > p.today:
        return [f"the event is dated {p.occurred_on}, in the future (today is {p.today})"]
    case = p.case
    late_record = case.stage == "closed" and p.stage_after is None
    # A closed case takes late records of what happened before it closed.
    began = case.previous_stage_since if late_record else case.stage_since
    if began is not None and p.occurred_on < began:
        return [f"the event is dated {p.occurred_on}, before the current stage began ({began})"]
    conference = _date(p.data.get("conference_date"))
    if p.type == "ReviewConferenceConvened" and conference and conference < p.occurred_on:
        return [f"the conference is convened for {conference}, before the day it was convened"]
    return []


def role(p: Proposal) -> list[str]:
    actor_role = str(p.actor.get("role"))
    if p.policy.may_record(p.type, actor_role):
        return []
    return [f"a {actor_role} may not record {p.type} under policy {p.policy.id}"]


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
}
ENGINE_CHECKS: dict[str, Guard] = {"G-ROLE": role, "G-CHRONOLOGY": chronology}

_CONFERENCE = ("G-CONTINGENCY", "G-SMART", "G-FIRST-CIN-DATE", "G-SUPPORT")
GUARDS_FOR: dict[str, tuple[str, ...]] = {
    "InitialConferenceHeld": _CONFERENCE,
    "ReviewConferenceHeld": (
        *_CONFERENCE,
        "G-EACH-CATEGORY",
        "G-FIRST-REVIEW",
        "G-TEMPORARY",
        "G-COURT",
        "G-MANAGER",
    ),
    "ChildInNeedPlanRecorded": ("G-SMART",),
    "ChildInNeedMeetingHeld": ("G-SMART", "G-CHAIR-FIRST-CIN", "G-NEXT-MEETING", "G-THIRD-REVIEW"),
    "ReflectiveDiscussionHeld": ("G-REFLECTIVE",),
    "FinalChildInNeedReviewHeld": ("G-SMART", "G-FINAL-REVIEW", "G-INFORMED"),
    "ChildProtectionPlanEnded": ("G-TRANSFER", "G-AGE"),
    "CaseClosed": ("G-TRANSFER", "G-AGE", "G-INFORMED"),
}
