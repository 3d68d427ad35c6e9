"""A small test harness: run envelopes through decide/evolve in memory, the way the
service does, with no store. `Casebook` keeps the decided events so tests can replay them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from cpworkflow.errors import Refusal
from cpworkflow.lifecycle.case import Case
from cpworkflow.lifecycle.decide import Context, Decided, Refused, decide
from cpworkflow.lifecycle.fold import replay
from cpworkflow.policy.loading import load_policy
from cpworkflow.policy.pack import Policy
from cpworkflow.records import StoredEvent
from cpworkflow.vocabulary.envelope import parse_envelope

SW = {"id": "sw-1", "role": "social_worker"}
TM = {"id": "tm-1", "role": "team_manager"}
CHAIR = {"id": "chair-1", "role": "cp_chair"}
OTHER_CHAIR = {"id": "chair-2", "role": "cp_chair"}
ASWP = {"id": "aswp-1", "role": "aswp"}
SM = {"id": "sm-1", "role": "service_manager"}
IROM = {"id": "irom-1", "role": "iro_manager"}
LEAD = {"id": "lp-1", "role": "lead_professional"}


def smart_plan(first_meeting: str, **overrides: Any) -> dict[str, Any]:
    plan: dict[str, Any] = {
        "outcomes": ["School attendance above 95%"],
        "actions": [
            {"action": "Visit the child", "owner": SW, "every_weeks": 4},
            {"action": "Parenting course", "owner": "Family Hub", "due": "2025-12-19"},
        ],
        "contingency": "Strategy discussion if attendance falls below 90%",
        "first_meeting_date": first_meeting,
        "review_interval_weeks": 6,
        "visiting_interval_weeks": 4,
    }
    plan.update(overrides)
    return plan


@dataclass
class Casebook:
    """One case decided in memory. `today` defaults to each event's own date."""

    case_id: str = "C1"
    policy: str = "default"
    today: date | None = None
    case: Case = field(init=False)
    events: list[StoredEvent] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.case = Case(self.case_id)

    @property
    def pack(self) -> Policy:
        return load_policy(self.policy)

    def attempt(
        self, type_: str, on: str, actor: dict[str, str] | None = None, **data: Any
    ) -> Decided | Refused:
        envelope = parse_envelope(
            {
                "case_id": self.case_id,
                "type": type_,
                "occurred_on": on,
                "actor": actor or SW,
                "data": data,
            }
        )
        context = Context(
            today=self.today or date.fromisoformat(on), policy=self.pack, log=self.events
        )
        outcome = decide(self.case, envelope, context)
        if isinstance(outcome, Decided):
            self.case = outcome.case
            e = outcome.event
            self.events.append(
                StoredEvent(
                    case_id=e.case_id,
                    seq=outcome.case.version,
                    position=0,
                    type=e.type,
                    occurred_on=e.occurred_on,
                    recorded_at=datetime(2030, 1, 1, tzinfo=UTC),
                    actor=e.actor,
                    data=e.data,
                    schema_version=e.schema_version,
                    policy=e.policy,
                    policy_version=e.policy_version,
                    decision=e.decision,
                    key=e.key,
                    prev_hash="",
                    hash="",
                )
            )
        return outcome

    def record(self, type_: str, on: str, actor: dict[str, str] | None = None, **data: Any) -> Case:
        """Decide, insisting the event is accepted."""
        outcome = self.attempt(type_, on, actor, **data)
        assert isinstance(outcome, Decided), f"{type_} on {on} refused: {outcome}"
        return outcome.case

    def refusals(
        self, type_: str, on: str, actor: dict[str, str] | None = None, **data: Any
    ) -> dict[str, Refusal]:
        """Decide, insisting the event is refused; returns the refusals by rule id."""
        before = self.case
        outcome = self.attempt(type_, on, actor, **data)
        assert isinstance(outcome, Refused), f"{type_} on {on} was accepted"
        assert self.case == before, "a refusal changed the case"
        return {r.rule: r for r in outcome.refusals}

    def replayed(self) -> Case:
        return replay(self.events, self.case_id)

    # -- common openings ------------------------------------------------------------------

    def opened(self, on: str = "2025-01-06", **child: Any) -> Casebook:
        data: dict[str, Any] = {"child": {"ref": self.case_id, "birth_date": "2015-03-01", **child}}
        if self.policy != "default":
            data["policy"] = self.policy
        self.record("CaseOpened", on, SW, **data)
        return self

    def on_plan(
        self, on: str = "2025-01-20", categories: tuple[str, ...] = ("neglect",), **child: Any
    ) -> Casebook:
        """Opened, strategy s47 and an ICPC that makes a plan on `on`."""
        self.opened(**child)
        self.record("StrategyMeetingHeld", "2025-01-07", TM, outcome="s47")
        self.record(
            "InitialConferenceHeld",
            on,
            CHAIR,
            chair=CHAIR,
            decision="plan",
            categories=list(categories),
            lead_social_worker=SW,
        )
        return self

    def at_review(
        self,
        conference: str = "2025-04-15",
        convened: str = "2025-03-25",
        categories: tuple[str, ...] = ("neglect",),
        **child: Any,
    ) -> Casebook:
        """On a plan with an RCPC convened for `conference`."""
        self.on_plan(categories=categories, **child)
        self.record("ReviewConferenceConvened", convened, CHAIR, conference_date=conference)
        return self

    def stepped_down(self, on: str = "2025-04-15", first_meeting: str = "2025-05-06") -> Casebook:
        """The first RCPC (held on `on`) ended the plan into CiN support."""
        self.at_review(conference=on)
        self.record("ReviewConferenceHeld", on, CHAIR, **end_plan(first_meeting=first_meeting))
        return self

    def in_cin(self, on: str = "2025-05-06", next_meeting: str = "2025-06-17") -> Casebook:
        """Stepped down, and the first CiN meeting held on `on`, chaired by the CP chair."""
        self.stepped_down(first_meeting=on)
        self.record(
            "ChildInNeedMeetingHeld",
            on,
            CHAIR,
            chair=CHAIR,
            kind="first",
            next_meeting_date=next_meeting,
        )
        return self

    def at_final_review(self, on: str = "2025-06-10") -> Casebook:
        """In CiN, and a reflective discussion on `on` agreed the plan may end."""
        self.in_cin()
        self.record("ReflectiveDiscussionHeld", on, TM, **reflective())
        return self

    def closed(self, on: str = "2025-06-17") -> Casebook:
        """The final CiN review on `on` ended the CiN plan and closed the case."""
        self.at_final_review()
        self.record("FinalChildInNeedReviewHeld", on, TM, **final_review())
        return self


# -- valid payloads, to be spoiled one field at a time --------------------------------------


def cin_support(first_meeting: str = "2025-05-06", **plan: Any) -> dict[str, Any]:
    return {"kind": "cin", "family_consent": True, "plan": smart_plan(first_meeting, **plan)}


def end_plan(
    categories: tuple[str, ...] = ("neglect",), first_meeting: str = "2025-05-06", **overrides: Any
) -> dict[str, Any]:
    """An RCPC that ends the plan into a CiN plan, passing every guard (even at the first
    review, it gives overriding reasons)."""
    data: dict[str, Any] = {
        "chair": CHAIR,
        "decision": "end_plan",
        "category_judgements": dict.fromkeys(categories, "no_longer_at_risk"),
        "overriding_reasons": "Sustained change evidenced by the updated assessment",
        "continuing_support": cin_support(first_meeting),
        # G-INFORMED: needed where the ending closes the case, harmless where it steps down
        "professionals_informed": True,
    }
    data.update(overrides)
    return data


def reflective(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"participants": [TM, SW, CHAIR], "recorded_by": TM}
    data.update(overrides)
    return data


def final_review(**overrides: Any) -> dict[str, Any]:
    """A final CiN review that ends the CiN plan, naming everything 000 §5 asks for."""
    data: dict[str, Any] = {
        "chair": TM,
        "decision": "end_plan",
        "lead_professional": LEAD,
        "outstanding_outcomes": ["Attendance stays above 95%"],
        "actions": [{"action": "Termly check-in", "owner": "School", "every_weeks": 12}],
        "review_interval_weeks": 12,
        "contingency": "Re-refer to the front door if attendance falls",
        "professionals_informed": True,
    }
    data.update(overrides)
    return data


def cin_meeting(kind: str = "first", chair: dict[str, str] = CHAIR, **data: Any) -> dict[str, Any]:
    """A CiN meeting that sets its next meeting date (six weeks after 2025-05-06 by default)."""
    return {"chair": chair, "kind": kind, "next_meeting_date": "2025-06-17", **data}


def assert_refusal(refusals: dict[str, Refusal], rule: str, *words: str, source: str) -> None:
    """The rule refused, its one-sentence reason names each word, and it cites `source`."""
    assert rule in refusals, f"{rule} not among {sorted(refusals)}"
    for word in words:
        assert word in refusals[rule].reason, refusals[rule].reason
    assert refusals[rule].source == source, refusals[rule].source
