"""Guards on ending a child protection plan and stepping down to child in need
(G-SMART, G-CONTINGENCY, G-FIRST-CIN-DATE, G-EACH-CATEGORY, G-FIRST-REVIEW, G-TEMPORARY,
G-COURT, G-SUPPORT, G-MANAGER): each returns what is missing, an empty list passes."""

from __future__ import annotations

from collections.abc import Mapping

from cpworkflow.lifecycle.proposal import VAGUE, Json, Proposal, as_date, blank
from cpworkflow.policy.schema import SupportRule


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
        if owner is None or (isinstance(owner, str) and blank(owner)):
            reasons.append(f"{label} has no owner")
        due, every = action.get("due"), action.get("every_weeks")
        if due is None and every is None:
            reasons.append(f"{label} has no timescale (a due date or every_weeks)")
        elif due is not None and as_date(due) is None:
            word = str(due).strip().lower()
            kind = "a vague timescale" if word in VAGUE else "a timescale that is not a date"
            reasons.append(f"{label} has {kind} {str(due)[:40]!r}")
    return reasons


def _visiting_interval(p: Proposal, plan: Json, where: str) -> list[str]:
    """Stated, and no longer than the pack's cap (4 weeks, 004): refused, never capped."""
    weeks = plan.get("visiting_interval_weeks")
    if not isinstance(weeks, int):
        return [f"the CiN plan ({where}) does not state how often the child is visited"]
    timescale = p.policy.timescale("T-CIN-VISIT")
    cap = None if timescale is None else timescale.durations.get("max")
    if cap is not None and weeks * 7 > cap.amount * (7 if cap.unit == "weeks" else 1):
        return [
            f"the CiN plan ({where}) visits every {weeks} weeks, longer than the "
            f"{cap.amount} {cap.unit} the child must be seen within"
        ]
    return []


def smart(p: Proposal) -> list[str]:
    reasons: list[str] = []
    for where, plan in _plans(p):
        if not [o for o in plan.get("outcomes", ()) if not blank(o)]:
            reasons.append(f"the CiN plan ({where}) states no outcome")
        if not plan.get("actions"):
            reasons.append(f"the CiN plan ({where}) agrees no action")
        reasons += _actions_smart(list(plan.get("actions", ())), f"{where}")
        reasons += _visiting_interval(p, plan, where)
    if p.type == "FinalChildInNeedReviewHeld":
        reasons += _actions_smart(list(p.data.get("actions", ())), "the final review's")
    return reasons


def contingency(p: Proposal) -> list[str]:
    if not p.steps_down_by_conference:
        return []
    plan = p.support.get("plan")
    if not isinstance(plan, Mapping):
        return ["the step-down to CiN carries no CiN plan, so no contingency plan"]
    return ["the CiN plan has no agreed contingency plan"] if blank(plan.get("contingency")) else []


def first_cin_date(p: Proposal) -> list[str]:
    if not p.steps_down_by_conference:
        return []
    plan = p.support.get("plan") or {}
    first = as_date(plan.get("first_meeting_date"))
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
    if blank(p.data.get("overriding_reasons")):
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
    if blank(court_dependent.get("contingency_recommendation")):
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
    missing += [f for f in rule.require_text if blank(p.support.get(f))]
    reasons = [f"{kind} support needs {f}" for f in missing]
    referred = as_date(p.support.get("referral_date"))
    if referred is not None and referred > p.occurred_on:
        # 002: the referral to the wellbeing service is made before the conference.
        reasons.append(f"the {kind} referral is dated {referred}, after the conference")
    return reasons


def manager(p: Proposal) -> list[str]:
    recommends_end = p.data.get("social_worker_recommendation") == "end_plan"
    if p.type == "ReviewConferenceHeld" and recommends_end and not p.data.get("manager_attended"):
        return ["the social worker recommends ending the plan but the manager did not attend"]
    return []
