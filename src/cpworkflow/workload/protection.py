"""The child protection part of a simulated case: the strategy meeting, the section 47
enquiry and the initial conference, then the plan — visits, core groups, review
conferences — until it continues, steps down to child in need, or ends (DOMAIN.md §2)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from cpworkflow.workload.people import AGENCIES
from cpworkflow.workload.story import Story
from cpworkflow.workload.visits import plan_work

CATEGORIES = ["neglect", "emotional", "physical", "sexual"]
FACTORS = ["1A", "2A", "3A", "4A", "6A", "8B", "16A", "17A", "21", "22A"]


def strategy(s: Story) -> None:
    """The strategy meeting that decides what the referral becomes."""
    t = s.team
    s.later(0, 2)
    outcome = s.rng.choices(["s47", "s17", "nfa"], weights=[60, 25, 15])[0]
    extra: dict[str, Any] = {"professionals_informed": True} if outcome == "nfa" else {}
    s.add(
        "StrategyMeetingHeld",
        t.team_manager,
        outcome=outcome,
        participants=[t.social_worker, t.team_manager],
        **extra,
    )
    s.stage = {"s47": "referral", "s17": "step_down", "nfa": "closed"}[outcome]
    if outcome == "s47":
        enquiry(s)
    elif outcome == "s17":
        s.by_conference = False


def enquiry(s: Story) -> None:
    """Section 47: the assessment, reports for the ICPC, and the ICPC (15 working days is
    the target; some are late)."""
    t, started = s.team, s.on
    if s.chance(0.05):  # the police took the child into police protection that day
        end = started + timedelta(days=3)
        s.add(
            "LegalStatusRecorded",
            t.social_worker,
            on=started + timedelta(days=1),
            status="police_protection",
            start_date=started,
            end_date=end,
        )
    s.add("AssessmentStarted", t.social_worker, on=s.later(1))
    if s.chance(0.08):  # the enquiry ends without a conference
        s.later(5, 15)
        s.add("StrategyMeetingHeld", t.team_manager, outcome="s17", participants=[t.team_manager])
        s.stage, s.by_conference = "step_down", False
        return
    conference = started + timedelta(days=s.rng.choice([14, 16, 18, 19, 20, 21, 26]))
    s.add("InitialConferenceConvened", t.chair, on=s.later(4, 7), conference_date=conference)
    for _ in range(s.rng.randint(1, 2)):
        s.add(
            "AgencyReportReceived",
            t.social_worker,
            on=conference - timedelta(days=s.rng.randint(1, 6)),
            agency=s.rng.choice(AGENCIES),
        )
    s.on = conference - timedelta(days=1)
    factors = sorted(s.rng.sample(FACTORS, s.rng.randint(1, 3)))
    s.add("AssessmentCompleted", t.social_worker, factors=factors, child_seen=True, outcome="s47")
    s.on = conference
    initial_conference(s)


def initial_conference(s: Story) -> None:
    t, held = s.team, s.on
    first_review = held + timedelta(days=s.rng.randint(80, 90))
    choice = s.rng.choices(["plan", "cin", "other"], weights=[65, 20, 15])[0]
    if choice == "plan":
        categories = sorted(s.rng.sample(CATEGORIES[:3], s.rng.randint(1, 2)))
        s.add(
            "InitialConferenceHeld",
            t.chair,
            chair=t.chair,
            decision="plan",
            categories=categories,
            lead_social_worker=t.social_worker,
            first_review_date=first_review,
            visiting_interval_weeks=2,
        )
        s.stage = "cp_plan"
        s.add("OutcomesRecorded", t.chair, on=held + timedelta(days=s.rng.randint(1, 9)))
        plan(s, categories, first_review)
        return
    support = s.cin_support(held) if choice == "cin" else other_support(s)
    s.add(
        "InitialConferenceHeld",
        t.chair,
        chair=t.chair,
        decision="no_plan",
        continuing_support=support,
        professionals_informed=True,
    )
    s.stage, s.by_conference = ("step_down", True) if choice == "cin" else ("closed", False)
    if choice == "cin":
        s.first_meeting = date.fromisoformat(support["plan"]["first_meeting_date"])
        s.add("OutcomesRecorded", t.chair, on=s.later(1, 4))


def other_support(s: Story) -> dict[str, Any]:
    """Support other than CiN, as each pack accepts it (G-SUPPORT)."""
    if s.pack == "lancashire" and s.chance(0.6):
        return {
            "kind": "early_help",
            "referral_made": True,
            "referral_date": s.on - timedelta(days=3),
        }
    reason = "The family declined a CiN plan; the school and health visitor continue support"
    return {"kind": "universal", "family_declined": True, "reason": reason}


def plan(s: Story, categories: list[str], first_review: date) -> None:
    """The plan, review by review, until it ends or the simulation does."""
    t, review, held = s.team, first_review + timedelta(days=s.rng.choice([0, 0, 0, 3, 12])), 0
    while s.stage == "cp_plan" and not s.ended:
        if s.chance(0.04):  # the child moved away: the plan ends outside a conference
            ended_on = s.on + timedelta(days=s.rng.randint(20, 60))
            plan_work(s, s.on, ended_on, first=held == 0, conference=False)
            s.on = ended_on
            transfer = {
                "receiving_authority": "Another council",
                "transfer_conference_date": ended_on - timedelta(days=2),
                "written_confirmation": True,
            }
            s.add(
                "ChildProtectionPlanEnded",
                t.chair,
                reason="transferred",
                transfer=transfer,
                professionals_informed=True,
            )
            s.stage = "closed"
            return
        plan_work(s, s.on, review, first=held == 0)
        s.on = review
        held += 1
        if not s.chance([0.3, 0.55, 0.75][min(held, 3) - 1]):
            keep = [categories[0]]
            judged = {
                c: "continuing_risk" if c in keep else "no_longer_at_risk" for c in categories
            }
            nxt = review + timedelta(days=s.rng.randint(170, 182))
            s.add(
                "ReviewConferenceHeld",
                t.chair,
                chair=t.chair,
                decision="continue",
                category_judgements=judged,
                categories=keep,
                next_review_date=nxt,
                social_worker_recommendation="continue",
                visiting_interval_weeks=2,
            )
            categories, review = keep, nxt + timedelta(days=s.rng.choice([0, 0, 0, 5]))
            s.add("OutcomesRecorded", t.chair, on=s.on + timedelta(days=s.rng.randint(1, 8)))
            if held == 2:
                s.add(
                    "ManagementAdviceSought",
                    t.team_manager,
                    on=s.on + timedelta(days=s.rng.randint(7, 19)),  # before any transfer
                    **{"from": ["group_manager", "legal"]},
                )
            continue
        end_plan(s, categories, first=held == 1)


def end_plan(s: Story, categories: list[str], *, first: bool) -> None:
    t, held = s.team, s.on
    extra: dict[str, Any] = {}
    if first:
        extra["overriding_reasons"] = (
            "The adult who posed the risk has left the home and a non-molestation order is in force"
        )
    attended = True
    if s.chance(0.05):
        s.add(
            "RuleWaived",
            t.team_manager,
            rule="G-MANAGER",
            reason="The manager was ill; the service manager attended",
            authorised_by=t.service_manager,
        )
        attended = False
    to_cin = s.chance(0.75)
    support = s.cin_support(held) if to_cin else other_support(s)
    judged = dict.fromkeys(categories, "no_longer_at_risk")
    s.add(
        "ReviewConferenceHeld",
        t.chair,
        chair=t.chair,
        decision="end_plan",
        category_judgements=judged,
        social_worker_recommendation="end_plan",
        manager_attended=attended,
        continuing_support=support,
        professionals_informed=True,
        views={"child": "Wants things to stay as they are now", "family": "Agrees"},
        **extra,
    )
    if not to_cin:
        s.stage = "closed"
        return
    s.stage, s.by_conference = "step_down", True
    s.first_meeting = date.fromisoformat(support["plan"]["first_meeting_date"])
    s.add("OutcomesRecorded", t.chair, on=s.later(1, 7))
    if s.pack == "sefton" or s.chance(0.5):
        s.add(
            "AgenciesNotified",
            t.social_worker,
            on=s.later(0, 4),
            agencies=["school", "police", "GP"],
        )
    if first:
        s.add(
            "IroManagerAuditCompleted",
            t.iro_manager,
            on=s.later(0, 6),
            findings="Overriding reasons sound",
        )
