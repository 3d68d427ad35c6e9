"""The sample cases behind `eventstore/samples/`: realistic, anonymous case histories that
walk the lifecycle. `python scripts/make_samples.py` records them through the engine (every
guard applies) and exports them; the exported files are frozen and committed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

Envelope = dict[str, Any]

SW = {"id": "sw-104", "role": "social_worker"}
TM = {"id": "tm-12", "role": "team_manager"}
CHAIR = {"id": "iro-7", "role": "cp_chair"}
ASWP = {"id": "aswp-3", "role": "aswp"}
LEAD = {"id": "hv-31", "role": "lead_professional"}
IRO_MANAGER = {"id": "irom-1", "role": "iro_manager"}


def ev(case: str, type_: str, on: str | date, actor: dict[str, str], **data: Any) -> Envelope:
    return {
        "case_id": case,
        "type": type_,
        "occurred_on": on if isinstance(on, str) else on.isoformat(),
        "actor": actor,
        "data": data,
    }


def visits(case: str, start: str, end: str, every_days: int, **extra: Any) -> list[Envelope]:
    out, day = [], date.fromisoformat(start)
    while day <= date.fromisoformat(end):
        out.append(ev(case, "ChildVisited", day, SW, seen=True, seen_alone=True, **extra))
        day += timedelta(days=every_days)
    return out


def cin_plan(first_meeting: str, interval: int = 6) -> dict[str, Any]:
    return {
        "outcomes": [
            "Attendance at school is above 95% each half term",
            "Home conditions meet the agreed standard at every visit",
        ],
        "actions": [
            {"action": "Visit and see the child alone", "owner": SW, "every_weeks": 4},
            {"action": "Complete the parenting course", "owner": "Family Hub", "due": "2026-01-30"},
            {
                "action": "Report attendance to the core network",
                "owner": "school",
                "every_weeks": 2,
            },
        ],
        "contingency": "If attendance falls below 90% or home conditions deteriorate, the "
        "social worker convenes a strategy discussion within 2 working days.",
        "first_meeting_date": first_meeting,
        "review_interval_weeks": interval,
        "visiting_interval_weeks": 4,
    }


def c1001() -> list[Envelope]:
    """Referral, a plan for neglect and emotional abuse, step-down to CiN, and closure."""
    c = "C1001"
    log = [
        ev(
            c,
            "CaseOpened",
            "2025-01-06",
            SW,
            child={"ref": c, "birth_date": "2016-05-14", "gender": "F", "ethnicity": "WBRI"},
            referral={"date": "2025-01-06", "source": "2A", "primary_need": "N1"},
        ),
        ev(c, "StrategyMeetingHeld", "2025-01-07", TM, outcome="s47", participants=[SW, TM]),
        ev(c, "AssessmentStarted", "2025-01-08", SW),
        ev(c, "AssessmentCompleted", "2025-01-27", SW, factors=["16A", "17A"]),
        ev(
            c,
            "InitialConferenceHeld",
            "2025-01-28",
            CHAIR,
            chair=CHAIR,
            decision="plan",
            categories=["neglect", "emotional"],
            lead_social_worker=SW,
            first_review_date="2025-04-22",
        ),
        ev(
            c,
            "CoreGroupMeetingHeld",
            "2025-02-04",
            TM,
            chair=TM,
            attendees=[SW, "school", "health visiting"],
            next_meeting_date="2025-03-11",
        ),
        ev(c, "ChildVisited", "2025-02-07", SW, seen=True, seen_alone=True, bedroom_seen=True),
        *visits(c, "2025-02-20", "2025-04-14", 13),
        ev(c, "CoreGroupMeetingHeld", "2025-03-11", SW, chair=SW, next_meeting_date="2025-05-08"),
        ev(c, "ReviewConferenceConvened", "2025-03-31", CHAIR, conference_date="2025-04-22"),
        ev(c, "AgencyReportReceived", "2025-04-10", SW, agency="school", shared_with_family=True),
        ev(
            c,
            "ReviewConferenceHeld",
            "2025-04-22",
            CHAIR,
            chair=CHAIR,
            decision="continue",
            category_judgements={"neglect": "continuing_risk", "emotional": "no_longer_at_risk"},
            categories=["neglect"],
            next_review_date="2025-10-21",
            social_worker_recommendation="continue",
        ),
        ev(c, "OutcomesRecorded", "2025-04-24", CHAIR),
        # Visit due 2025-05-06 at the latest; this one is late (early May bank holiday).
        *visits(c, "2025-05-08", "2025-10-16", 13, bedroom_seen=True),
        ev(c, "CoreGroupMeetingHeld", "2025-05-08", SW, chair=SW),
        ev(c, "CoreGroupMeetingHeld", "2025-07-03", SW, chair=SW),
        ev(c, "CoreGroupMeetingHeld", "2025-08-28", SW, chair=SW),
        ev(c, "ReviewConferenceConvened", "2025-09-30", CHAIR, conference_date="2025-10-21"),
        ev(c, "AgencyReportReceived", "2025-10-13", SW, agency="health", shared_with_family=True),
        ev(
            c,
            "ReviewConferenceHeld",
            "2025-10-21",
            CHAIR,
            chair=CHAIR,
            decision="end_plan",
            category_judgements={"neglect": "no_longer_at_risk"},
            social_worker_recommendation="end_plan",
            manager_attended=True,
            continuing_support={
                "kind": "cin",
                "family_consent": True,
                "plan": cin_plan("2025-11-11"),
            },
            views={"child": "Wants the visits to carry on at school", "family": "Agrees"},
        ),
        ev(c, "OutcomesRecorded", "2025-10-24", CHAIR),
        ev(c, "ChildInNeedPlanRecorded", "2025-10-30", SW, plan=cin_plan("2025-11-11")),
        ev(
            c,
            "ChildInNeedPlanCirculated",
            "2025-10-31",
            SW,
            recipients=["child", "family", "agencies"],
        ),
        ev(c, "ChildVisited", "2025-11-05", SW, seen=True, seen_alone=True),
        ev(
            c,
            "ChildInNeedMeetingHeld",
            "2025-11-11",
            CHAIR,
            chair=CHAIR,
            kind="first",
            next_meeting_date="2025-12-23",
            review_interval_weeks=6,
        ),
        ev(
            c,
            "ChildInNeedPlanCirculated",
            "2025-11-14",
            SW,
            recipients=["child", "family", "agencies"],
        ),
        ev(c, "ChildVisited", "2025-12-02", SW, seen=True),
        ev(
            c,
            "ChildInNeedMeetingHeld",
            "2025-12-23",
            TM,
            chair=TM,
            kind="review",
            next_meeting_date="2026-02-03",
        ),
        ev(
            c,
            "ChildInNeedPlanCirculated",
            "2025-12-29",
            SW,
            recipients=["child", "family", "agencies"],
        ),
        ev(c, "ChildVisited", "2025-12-30", SW, seen=True),
        ev(c, "ChildVisited", "2026-01-26", SW, seen=True),
        ev(
            c,
            "ChildInNeedMeetingHeld",
            "2026-02-03",
            TM,
            chair=TM,
            kind="review",
            next_meeting_date="2026-03-17",
        ),
        ev(
            c,
            "ChildInNeedPlanCirculated",
            "2026-02-05",
            SW,
            recipients=["child", "family", "agencies"],
        ),
        ev(c, "ChildVisited", "2026-02-23", SW, seen=True),
        ev(
            c,
            "ReflectiveDiscussionHeld",
            "2026-03-10",
            TM,
            participants=[TM, SW, CHAIR],
            recorded_by=TM,
            outcome="Outcomes met; end the CiN plan at the final review",
        ),
        ev(
            c,
            "FinalChildInNeedReviewHeld",
            "2026-03-17",
            ASWP,
            chair=ASWP,
            decision="end_plan",
            lead_professional=LEAD,
            outstanding_outcomes=["Attendance stays above 95% this term"],
            actions=[{"action": "Monitor attendance", "owner": "school", "every_weeks": 2}],
            review_interval_weeks=8,
            contingency="The school refers to the front door if attendance drops below 90%.",
            professionals_informed=True,
        ),
    ]
    return sorted(log, key=_order)


def c1002() -> list[Envelope]:
    """Sefton: no plan at the ICPC, CiN support, meetings four-weekly; some work overdue."""
    c = "C1002"
    return [
        ev(
            c,
            "CaseOpened",
            "2025-09-01",
            SW,
            policy="sefton",
            child={"ref": c, "birth_date": "2019-11-02", "gender": "M", "ethnicity": "MWBC"},
            referral={"date": "2025-09-01", "source": "6", "primary_need": "N4"},
        ),
        ev(c, "StrategyMeetingHeld", "2025-09-02", TM, outcome="s47"),
        ev(c, "AssessmentStarted", "2025-09-03", SW),
        ev(
            c,
            "InitialConferenceHeld",
            "2025-09-22",
            CHAIR,
            chair=CHAIR,
            decision="no_plan",
            continuing_support={
                "kind": "cin",
                "family_consent": True,
                "plan": cin_plan("2025-10-06", interval=4),
            },
            dissent=[
                {"agency": "police", "reason": "Would have supported a plan for physical abuse"}
            ],
        ),
        ev(c, "OutcomesRecorded", "2025-09-24", CHAIR),
        ev(c, "ChildInNeedPlanRecorded", "2025-09-30", SW),
        ev(
            c,
            "ChildInNeedMeetingHeld",
            "2025-10-06",
            CHAIR,
            chair=CHAIR,
            kind="first",
            next_meeting_date="2025-11-03",
        ),
        ev(c, "ChildVisited", "2025-10-20", SW, seen=True),
    ]


def c1003() -> list[Envelope]:
    """Lancashire: a plan ended at the first review with early help; a waiver; a retraction."""
    c = "C1003"
    return [
        ev(
            c,
            "CaseOpened",
            "2025-02-03",
            SW,
            policy="lancashire",
            child={"ref": c, "birth_date": "2012-08-20", "gender": "F", "ethnicity": "AIND"},
            referral={"date": "2025-02-03", "source": "3A", "primary_need": "N1"},
        ),
        ev(c, "StrategyMeetingHeld", "2025-02-04", TM, outcome="s47"),
        ev(c, "AssessmentStarted", "2025-02-05", SW),
        ev(c, "AssessmentCompleted", "2025-03-10", SW, factors=["3A"]),
        ev(
            c,
            "InitialConferenceHeld",
            "2025-03-11",
            CHAIR,
            chair=CHAIR,
            decision="plan",
            categories=["emotional"],
            lead_social_worker=SW,
        ),
        ev(c, "CoreGroupMeetingHeld", "2025-03-20", TM, chair=TM),
        ev(c, "ChildVisited", "2025-03-21", SW, seen=True, seen_alone=True, bedroom_seen=True),
        ev(c, "ChildVisited", "2025-03-28", SW, seen=True, seen_alone=False),
        ev(c, "EntryRetracted", "2025-03-31", SW, seq=8, reason="Recorded against the wrong child"),
        ev(c, "ChildVisited", "2025-04-03", SW, seen=True, seen_alone=True),
        ev(c, "ReviewConferenceConvened", "2025-04-07", CHAIR, conference_date="2025-05-06"),
        ev(c, "ChildVisited", "2025-04-16", SW, seen=True, seen_alone=True),
        ev(c, "AgencyReportReceived", "2025-04-25", SW, agency="CAMHS"),
        ev(c, "ChildVisited", "2025-04-30", SW, seen=True, seen_alone=True),
        ev(
            c,
            "RuleWaived",
            "2025-05-06",
            TM,
            rule="G-MANAGER",
            reason="Manager on sick leave; the service manager attended in her place",
            authorised_by={"id": "sm-2", "role": "service_manager"},
        ),
        ev(
            c,
            "ReviewConferenceHeld",
            "2025-05-06",
            CHAIR,
            chair=CHAIR,
            decision="end_plan",
            category_judgements={"emotional": "no_longer_at_risk"},
            social_worker_recommendation="end_plan",
            manager_attended=False,
            overriding_reasons="The parent who posed the risk has left the household and a "
            "non-molestation order is in force",
            continuing_support={
                "kind": "early_help",
                "referral_made": True,
                "referral_date": "2025-04-28",
            },
        ),
        ev(c, "OutcomesRecorded", "2025-05-09", CHAIR),
        ev(
            c,
            "IroManagerAuditCompleted",
            "2025-06-20",
            IRO_MANAGER,
            findings="Overriding reasons sound; early help in place",
        ),
    ]


def c1004() -> list[Envelope]:
    """A referral closed after the strategy meeting: no further action."""
    c = "C1004"
    return [
        ev(
            c,
            "CaseOpened",
            "2025-06-02",
            SW,
            child={"ref": c, "birth_date": "2020-01-15", "gender": "M", "ethnicity": "WOTH"},
            referral={"date": "2025-06-02", "source": "1A", "primary_need": "N9"},
        ),
        ev(c, "StrategyMeetingHeld", "2025-06-03", TM, outcome="nfa"),
    ]


def _order(e: Envelope) -> tuple[str, int]:
    # Stable order by date; the conference outcome follows the visits of the same day.
    return (e["occurred_on"], 0 if e["type"] != "OutcomesRecorded" else 1)


CASES = {"C1001": c1001, "C1002": c1002, "C1003": c1003, "C1004": c1004}
