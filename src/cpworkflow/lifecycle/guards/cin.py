"""Guards on child in need meetings and on closing a case (G-CHAIR-FIRST-CIN,
G-NEXT-MEETING, G-THIRD-REVIEW, G-REFLECTIVE, G-FINAL-REVIEW, G-INFORMED, G-TRANSFER,
G-AGE): each returns what is missing, an empty list passes."""

from __future__ import annotations

from datetime import date, timedelta

from cpworkflow.lifecycle.proposal import Proposal, as_date, blank
from cpworkflow.policy.pack import due_date


def chair_first_cin(p: Proposal) -> list[str]:
    """The conference's chair, or once that chair has left the authority, the CP chair
    assigned to the case after."""
    if p.data.get("kind") != "first" or not p.case.step_down_by_conference:
        return []
    chair, case_chair = p.data.get("chair") or {}, p.case.conference_chair or {}
    if p.case.has_left(case_chair):
        successor = p.case.people().get("cp_chair")
        if successor is None:
            return [
                f"the conference chair {case_chair.get('id')!r} has left the authority and "
                "no CP chair has been assigned to the case since"
            ]
        case_chair = successor
    if chair.get("id") != case_chair.get("id"):
        return [
            f"the first CiN meeting is chaired by {chair.get('id')!r}, "
            f"not the case's CP chair {case_chair.get('id')!r}"
        ]
    return []


def next_meeting(p: Proposal) -> list[str]:
    """Every CiN meeting, a final review that continues the plan included."""
    if p.type == "FinalChildInNeedReviewHeld" and p.data.get("decision") != "continue":
        return []
    reasons = _continued_reviews(p) if p.type == "FinalChildInNeedReviewHeld" else []
    next_date = as_date(p.data.get("next_meeting_date"))
    if next_date is None:
        return [*reasons, "the meeting did not set the date of the next CiN meeting"]
    latest = due_date(p.policy.calendar(), p.occurred_on, p.policy.cin_review_max)
    if next_date <= p.occurred_on:
        reasons.append(f"the next meeting date {next_date} is not after this meeting")
    elif next_date > latest:
        reasons.append(
            f"the next meeting date {next_date} is later than the maximum interval ({latest})"
        )
    return reasons


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
    """Review meetings and final reviews counted together; the first CiN meeting not."""
    review = p.data.get("kind") == "review" or p.type == "FinalChildInNeedReviewHeld"
    third = review and p.case.cin_reviews_held == 2
    role = (p.data.get("chair") or {}).get("role")
    if p.policy.third_review_chair and third and role not in ("aswp", "team_manager"):
        return [f"the third CiN review is chaired by a {role}, not an ASWP or team manager"]
    return []


def reflective(p: Proposal) -> list[str]:
    """The case's own team manager, social worker and CP chair (the CP service manager if
    that chair has left); on the s17 path, with no conference and no CP chair, the team
    manager and the social worker only (000 §7: the chair may contribute)."""
    participants = list(p.data.get("participants", ()))
    case, held = p.case, p.case.people()
    chair_left = bool(p.data.get("chair_left_authority")) or case.chair_left_authority()
    needed = ["team_manager", "social_worker"]
    if case.step_down_by_conference or "cp_chair" in held or chair_left:
        needed.append("service_manager" if chair_left else "cp_chair")
    reasons = []
    for role in needed:
        own = held.get(role)
        if own is not None and not [x for x in participants if x.get("id") == own.get("id")]:
            reasons.append(
                f"the reflective discussion did not include the case's {role} {own.get('id')!r}"
            )
        elif own is None and not [x for x in participants if x.get("role") == role]:
            reasons.append(f"the reflective discussion did not include the {role}")
    recorder = p.data.get("recorded_by") or {}
    own_manager = held.get("team_manager")
    if recorder.get("role") != "team_manager":
        reasons.append("the reflective discussion is not recorded by the team manager")
    elif own_manager is not None and recorder.get("id") != own_manager.get("id"):
        reasons.append(
            f"the reflective discussion is not recorded by the case's team manager "
            f"{own_manager.get('id')!r}"
        )
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
    """Whatever event closes the case: a conference, a strategy nfa, a plan or case ended
    outside a conference, the final CiN review."""
    if p.stage_after == "closed" and p.data.get("professionals_informed") is not True:
        return ["not every professional involved has been informed of the closure"]
    return []


def transfer(p: Proposal) -> list[str]:
    """A plan ended by a move: the receiving authority's transfer conference, held on or
    before the day the plan ends, and its written confirmation. A case with no plan: the
    receiving authority and its written confirmation of the handover."""
    if p.data.get("reason") != "transferred":
        return []
    t = p.data.get("transfer") or {}
    reasons = [] if not blank(t.get("receiving_authority")) else ["no receiving authority"]
    held = as_date(t.get("transfer_conference_date"))
    if p.type == "ChildProtectionPlanEnded" and held is None:
        reasons.append("no transfer conference by the receiving authority")
    elif p.type == "ChildProtectionPlanEnded" and held is not None and held > p.occurred_on:
        reasons.append(
            f"the transfer conference ({held}) is after the day the plan ends ({p.occurred_on})"
        )
    if t.get("written_confirmation") is not True:
        reasons.append("no written confirmation from the receiving authority")
    return reasons


def pre_birth(p: Proposal) -> list[str]:
    born = p.case.child.get("birth_date")
    if p.type == "ChildBorn" and born:
        return [f"the child's birth is already recorded ({born})"]
    if p.type == "InitialConferenceHeld" and p.data.get("pre_birth") and born:
        return [f"a pre-birth conference is for a child not yet born (born {born})"]
    return []


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
