"""The child in need part of a simulated case: the step-down (plan recorded and
circulated, the first CiN meeting), reviews with visits between them, the reflective
discussion and the final review, closures, and a case reopened (DOMAIN.md §2)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from cpworkflow.workload.story import Story


def step_down(s: Story) -> None:
    """From the step-down to the first CiN meeting: chaired by the case's CP chair after a
    conference (000 §2), by the social worker within 10 working days on the s17 path."""
    t = s.team
    if not s.by_conference:
        s.first_meeting = s.on + timedelta(days=s.rng.choice([7, 9, 11, 13, 13, 20]))
    plan = s.cin_plan(s.first_meeting, s.review_weeks)
    s.add("ChildInNeedPlanRecorded", t.social_worker, on=s.later(2, 8), plan=plan)
    if s.chance(0.8):
        s.add(
            "ChildInNeedPlanCirculated",
            t.social_worker,
            on=s.later(0, 6),
            recipients=["child", "family", "agencies"],
        )
    else:  # the copies go out in two parts, the agencies' late
        s.add(
            "ChildInNeedPlanCirculated",
            t.social_worker,
            on=s.later(0, 3),
            recipients=["child", "family"],
        )
        s.add(
            "ChildInNeedPlanCirculated", t.social_worker, on=s.later(8, 15), recipients=["agencies"]
        )
    chair = t.chair if s.by_conference else t.social_worker
    s.on = max(s.on, s.first_meeting)
    s.add(
        "ChildInNeedMeetingHeld",
        chair,
        chair=chair,
        kind="first",
        next_meeting_date=s.on + timedelta(weeks=s.review_weeks),
        review_interval_weeks=s.review_weeks,
    )
    s.stage = "cin"


def cin(s: Story) -> None:
    """Reviews until the plan can end, or the child moves, or new concerns arise."""
    t = s.team
    for _ in range(s.rng.randint(1, 5)):
        meeting = s.on + timedelta(weeks=s.review_weeks)
        visits(s, meeting)
        s.on = meeting  # after the visits and the copies of the last meeting
        if s.chance(0.03):  # new concerns: a section 47 enquiry
            s.add(
                "StrategyMeetingHeld",
                t.team_manager,
                on=s.later(3, 20),
                outcome="s47",
                participants=[t.team_manager],
            )
            s.stage = "referral"
            return
        if s.chance(0.02):
            close_transferred(s)
            return
        s.on = meeting + timedelta(days=s.rng.choice([0, 0, 0, 0, 2, 9]))  # some late
        s.add(
            "ChildInNeedMeetingHeld",
            t.team_manager,
            chair=t.team_manager,
            kind="review",
            next_meeting_date=s.on + timedelta(weeks=s.review_weeks),
        )
        s.add(
            "ChildInNeedPlanCirculated",
            t.social_worker,
            on=s.on + timedelta(days=s.rng.choice([1, 2, 3, 4, 9])),
            recipients=["child", "family", "agencies"],
        )
        if s.ended:
            return
    ending(s)


def visits(s: Story, until: date) -> None:
    """Visits under the CiN plan, most within its interval, some late."""
    day = s.on
    while True:
        day += timedelta(days=s.rng.choice([14, 18, 21, 25, 28, 33]))
        if day >= until:
            return
        s.add(
            "ChildVisited",
            s.team.social_worker,
            on=day,
            seen=s.chance(0.95),
            seen_alone=s.chance(0.5),
            at_home=True,
        )


def ending(s: Story) -> None:
    """The reflective discussion (G-REFLECTIVE: the case's team manager, social worker and
    CP chair), then the final CiN review."""
    t = s.team
    people = [t.team_manager, t.social_worker, t.chair]  # on the s17 path the chair may contribute
    s.add(
        "ReflectiveDiscussionHeld",
        t.team_manager,
        on=s.later(10, 20),
        participants=people,
        recorded_by=t.team_manager,
        outcome="Outcomes met; the plan may end",
    )
    s.stage = "final_review"
    s.later(5, 14)
    common: dict[str, Any] = {
        "chair": t.team_manager,
        "lead_professional": {"id": "hv-31", "role": "lead_professional"},
        "outstanding_outcomes": ["Attendance stays above 95% this term"],
        "actions": [{"action": "Monitor attendance", "owner": "school", "every_weeks": 2}],
        "review_interval_weeks": s.review_weeks,
        "contingency": "The school refers to the front door if attendance drops below 90%.",
        "professionals_informed": True,
    }
    if s.chance(0.15):
        s.add(
            "FinalChildInNeedReviewHeld",
            t.team_manager,
            decision="continue",
            next_meeting_date=s.on + timedelta(weeks=s.review_weeks),
            **common,
        )
        s.stage = "cin"
        return
    s.add("FinalChildInNeedReviewHeld", t.team_manager, decision="end_plan", **common)
    s.stage = "closed"


def close_transferred(s: Story) -> None:
    closed_on = s.later(3, 20)
    transfer = {
        "receiving_authority": "Another council",
        "written_confirmation": True,
        "transfer_conference_date": closed_on - timedelta(days=3),
    }
    s.add(
        "CaseClosed",
        s.team.team_manager,
        reason="transferred",
        transfer=transfer,
        professionals_informed=True,
    )
    s.stage = "closed"


def reopen_or_stop(s: Story) -> None:
    """Most closed cases stay closed; a few come back with a new referral."""
    if s.chance(0.06):
        s.later(30, 300)
        s.add(
            "CaseReopened",
            s.team.social_worker,
            referral={"date": s.on, "source": "1A", "primary_need": "N1"},
        )
        s.stage = "referral"
    else:
        s.stage = "ended"
