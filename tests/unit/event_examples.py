"""One realistic, valid `data` payload per event type (DOMAIN.md §3), for any test to reuse.

Each holds only what was said: no field is given its default value, so encoding a decoded
example gives the example back. `envelope()` wraps a payload the way callers send it.
"""

from __future__ import annotations

import json
from typing import Any

SW = {"id": "sw-104", "role": "social_worker"}
TM = {"id": "tm-12", "role": "team_manager"}
CHAIR = {"id": "iro-7", "role": "cp_chair"}
ASWP = {"id": "aswp-3", "role": "aswp"}
LEAD = {"id": "hv-31", "role": "lead_professional"}
SM = {"id": "sm-2", "role": "service_manager"}
IROM = {"id": "irom-1", "role": "iro_manager"}

CIN_PLAN: dict[str, Any] = {
    "outcomes": ["Attendance at school is above 95% each half term"],
    "actions": [
        {"action": "Visit and see the child alone", "owner": SW, "every_weeks": 4},
        {"action": "Complete the parenting course", "owner": "Family Hub", "due": "2025-12-19"},
    ],
    "contingency": "If attendance falls below 90%, a strategy discussion within 2 working days",
    "first_meeting_date": "2025-11-11",
    "review_interval_weeks": 6,
    "visiting_interval_weeks": 4,
    "lead": SW,
}

EXAMPLES: dict[str, dict[str, Any]] = {
    "CaseOpened": {
        "child": {
            "ref": "CH1001",
            "birth_date": "2016-05-14",
            "gender": "F",
            "ethnicity": "WBRI",
            "upn_unknown": "UN3",
            "disabilities": ["NONE"],
        },
        "policy": "sefton",
        "referral": {"date": "2025-01-06", "source": "2A", "primary_need": "N1"},
    },
    "StrategyMeetingHeld": {"outcome": "s47", "participants": [SW, TM]},
    "AssessmentStarted": {},
    "AssessmentCompleted": {"factors": ["16A", "17A"], "child_seen": True, "outcome": "cin"},
    "InitialConferenceHeld": {
        "chair": CHAIR,
        "decision": "plan",
        "categories": ["neglect", "emotional"],
        "lead_social_worker": SW,
        "first_review_date": "2025-04-22",
        "dissent": [{"agency": "police", "reason": "Would have added physical abuse"}],
    },
    "CoreGroupMeetingHeld": {
        "chair": TM,
        "attendees": [SW, "school", "health visiting"],
        "next_meeting_date": "2025-03-11",
    },
    "ChildVisited": {
        "seen": True,
        "seen_alone": True,
        "bedroom_seen": False,
        "at_home": True,
        "visitor": SW,
    },
    "InitialConferenceConvened": {"conference_date": "2025-01-27"},
    "ReviewConferenceConvened": {"conference_date": "2025-04-22"},
    "AgencyReportReceived": {"agency": "school", "shared_with_family": True},
    "ReviewConferenceHeld": {
        "chair": CHAIR,
        "decision": "end_plan",
        "category_judgements": {"neglect": "no_longer_at_risk", "emotional": "no_longer_at_risk"},
        "social_worker_recommendation": "end_plan",
        "manager_attended": True,
        "overriding_reasons": "The parent who posed the risk has left the household",
        "temporary_arrangements": {"assessment_completed": True, "long_term_plan_agreed": True},
        "court_dependent": {"contingency_recommendation": "Reconvene if the order is refused"},
        "continuing_support": {"kind": "cin", "family_consent": True, "plan": CIN_PLAN},
        "views": {"child": "Wants the visits to carry on at school", "family": "Agrees"},
    },
    "ChildProtectionPlanEnded": {
        "reason": "transferred",
        "transfer": {
            "receiving_authority": "Wirral",
            "transfer_conference_date": "2025-06-10",
            "written_confirmation": True,
        },
    },
    "CaseClosed": {"reason": "turned_18", "professionals_informed": True},
    "AgenciesNotified": {"agencies": ["school", "GP", "police"]},
    "OutcomesRecorded": {},
    "ChildInNeedPlanRecorded": {"plan": CIN_PLAN},
    "ChildInNeedPlanCirculated": {"recipients": ["child", "family", "agencies"]},
    "ChildInNeedMeetingHeld": {
        "chair": CHAIR,
        "kind": "first",
        "next_meeting_date": "2025-12-23",
        "review_interval_weeks": 6,
        "plan": CIN_PLAN,
        "concerns": "Attendance dipped in November",
    },
    "ReflectiveDiscussionHeld": {
        "participants": [TM, SW, CHAIR],
        "recorded_by": TM,
        "chair_left_authority": False,
        "outcome": "Outcomes met; end the plan at the final review",
    },
    "FinalChildInNeedReviewHeld": {
        "chair": ASWP,
        "decision": "end_plan",
        "lead_professional": LEAD,
        "outstanding_outcomes": ["Attendance stays above 95% this term"],
        "actions": [{"action": "Monitor attendance", "owner": "school", "every_weeks": 2}],
        "review_interval_weeks": 8,
        "contingency": "The school refers to the front door if attendance drops below 90%",
        "professionals_informed": True,
    },
    "CaseReopened": {"referral": {"date": "2026-02-02", "source": "6", "primary_need": "N4"}},
    "ManagementAdviceSought": {"from": ["group_manager", "legal"]},
    "IroManagerAuditCompleted": {"findings": "Overriding reasons sound; early help in place"},
    "DissentRecorded": {
        "agency": "health",
        "about": "the decision to end the plan",
        "reason": "Concerns about the baby's weight",
    },
    "StaffAssigned": {"person": CHAIR, "team": "Child Protection North", "left_authority": True},
    "ChildDetailsRecorded": {"upn": "A123456789012", "disabilities": ["HEAR", "COMM"]},
    "ChildBorn": {"birth_date": "2025-02-14", "gender": "M"},
    "LegalStatusRecorded": {
        "status": "emergency_protection_order",
        "start_date": "2025-02-03",
        "end_date": "2025-02-10",
    },
    "RuleWaived": {
        "rule": "G-MANAGER",
        "reason": "Manager on sick leave; the service manager attended",
        "authorised_by": SM,
    },
    "EntryRetracted": {"seq": 7, "reason": "Recorded against the wrong child"},
}


def example(event_type: str) -> dict[str, Any]:
    """A fresh copy of the example payload, safe to change."""
    data: dict[str, Any] = json.loads(json.dumps(EXAMPLES[event_type]))
    return data


def envelope(event_type: str, data: Any = None, **overrides: Any) -> dict[str, Any]:
    """An envelope around `data` (by default the type's example); a fresh copy."""
    raw = {
        "case_id": "C1001",
        "type": event_type,
        "occurred_on": "2025-03-04",
        "actor": CHAIR,
        "data": EXAMPLES[event_type] if data is None else data,
        **overrides,
    }
    copied: dict[str, Any] = json.loads(json.dumps(raw))  # actor and data share no dict
    return copied
