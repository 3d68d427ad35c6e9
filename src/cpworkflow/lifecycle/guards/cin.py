"""Guards on child in need meetings and on closing a case (G-CHAIR-FIRST-CIN,
G-NEXT-MEETING, G-THIRD-REVIEW, G-REFLECTIVE, G-FINAL-REVIEW, G-INFORMED, G-TRANSFER,
G-AGE): each returns what is missing, an empty list passes."""

from __future__ import annotations

from datetime import date, timedelta

from cpworkflow.lifecycle.proposal import Proposal, as_date, blank
from cpworkflow.policy.pack import due_date


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
    if p.type == "FinalChildInNeedReviewHeld":
        return _continued_reviews(p)
    next_date = as_date(p.data.get("next_meeting_date"))
    if next_date is None:
        return ["the meeting did not set the date of the next CiN meeting"]
    latest = due_date(p.policy.calendar(), p.occurred_on, p.policy.cin_review_max)
    if next_date <= p.occurred_on:
        return [f"the next meeting date {next_date} is not after this meeting"]
    if next_date > latest:
        return [f"the next meeting date {next_date} is later than the maximum interval ({latest})"]
    return []


def _continued_reviews(p: Proposal) -> list[str]:
    """A final review that keeps the CiN plan going sets its reviews within the maximum."""
    weeks = p.data.get("review_interval_weeks")
    if p.data.get("decision") != "continue" or not isinstance(weeks, int):
        return []
    latest = due_date(p.policy.calendar(), p.occurred_on, p.policy.cin_review_max)
    if p.occurred_on + timedelta(weeks=weeks) > latest:
        return [f"reviews every {weeks} weeks are further apart than the maximum interval"]
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
    if not [o for o in d.get("outstanding_outcomes", ()) if not blank(o)]:
        reasons.append("the outcomes still to be met are not agreed")
    if not d.get("actions"):
        reasons.append("no actions are agreed")
    if not d.get("review_interval_weeks"):
        reasons.append("the frequency of reviews is not set")
    if blank(d.get("contingency")):
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
    reasons = [] if not blank(t.get("receiving_authority")) else ["no receiving authority"]
    if as_date(t.get("transfer_conference_date")) is None:
        reasons.append("no transfer conference by the receiving authority")
    if t.get("written_confirmation") is not True:
        reasons.append("no written confirmation from the receiving authority")
    return reasons


def age(p: Proposal) -> list[str]:
    if p.data.get("reason") != "turned_18":
        return []
    born = as_date(p.case.child.get("birth_date"))
    if born is None:
        return ["the child's birth date is not recorded"]
    try:
        eighteenth = born.replace(year=born.year + 18)
    except ValueError:  # born on 29 February
        eighteenth = date(born.year + 18, 3, 1)
    if p.occurred_on < eighteenth:
        return [f"the child turns 18 on {eighteenth}, after {p.occurred_on}"]
    return []
