"""One simulated case as it is written: a date that moves forward, the envelopes recorded
on the way, and the vocabulary they must fit.

The vocabulary is read, not assumed: a field revision 2 of DOMAIN.md adds (and a type it
adds) is written only when `EVENT_TYPES` knows it, so the generator follows the vocabulary
as it grows. Any other field is always written, and a wrong one is refused on import.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import msgspec

from cpworkflow.vocabulary.envelope import EVENT_TYPES
from cpworkflow.workload.people import CaseTeam, Person

Envelope = dict[str, Any]

# Fields (and types) of DOMAIN.md §3 revision 2: written when the vocabulary has them.
REVISION_2_TYPES = {
    "InitialConferenceConvened",
    "ChildBorn",
    "ChildDetailsRecorded",
    "LegalStatusRecorded",
}
REVISION_2_FIELDS = {
    "StrategyMeetingHeld": {"professionals_informed"},
    "AssessmentCompleted": {"child_seen", "outcome"},
    "InitialConferenceHeld": {"visiting_interval_weeks", "professionals_informed"},
    "ChildVisited": {"seen_awake", "at_home"},
    "ReviewConferenceHeld": {"visiting_interval_weeks", "professionals_informed"},
    "ChildProtectionPlanEnded": {"professionals_informed"},
    "FinalChildInNeedReviewHeld": {"next_meeting_date"},
    "StaffAssigned": {"team"},
}


def _known_fields(type_: str) -> set[str]:
    return {f.encode_name for f in msgspec.structs.fields(EVENT_TYPES[type_])}


class Story:
    """A case being written. `on` is the date the next event happens; `until` is the last
    day the simulation reaches (a case still open then stays open)."""

    def __init__(
        self, rng: random.Random, case_id: str, pack: str, start: date, until: date, team: CaseTeam
    ) -> None:
        self.rng, self.case_id, self.pack = rng, case_id, pack
        self.on, self.until, self.team = start, until, team
        self.envelopes: list[Envelope] = []
        self.stage = "referral"
        self.by_conference = False  # the current CiN period followed a conference
        self.first_meeting = start  # of the CiN period being set up
        self.retracts: dict[int, Envelope] = {}  # id(EntryRetracted envelope) -> target

    @property
    def ended(self) -> bool:
        return self.on > self.until

    def later(self, low: int, high: int | None = None) -> date:
        """Move on by low..high days; returns the new date."""
        self.on += timedelta(days=low if high is None else self.rng.randint(low, high))
        return self.on

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def add(self, type_: str, actor: Person, on: date | None = None, **data: Any) -> Envelope:
        """Write one envelope dated `on` (default: the story's date). Envelopes are put in
        date order when the story is finished, as a case worker records them."""
        if type_ not in EVENT_TYPES and type_ not in REVISION_2_TYPES:
            raise ValueError(f"the simulator wrote an unknown event type {type_!r}")
        newer = REVISION_2_FIELDS.get(type_, set()) - _known_fields(type_)
        envelope = {
            "case_id": self.case_id,
            "type": type_,
            "occurred_on": (on or self.on).isoformat(),
            "actor": actor,
            "data": {k: _json(v) for k, v in data.items() if k not in newer},
        }
        self.envelopes.append(envelope)
        return envelope

    def retract(self, target: Envelope, actor: Person, reason: str) -> None:
        """An EntryRetracted of `target` on the same day; its seq is known once finished."""
        self.add(
            "EntryRetracted", actor, on=date.fromisoformat(target["occurred_on"]), reason=reason
        )
        self.retracts[id(self.envelopes[-1])] = target

    def finish(self) -> list[Envelope]:
        """The case's envelopes in date order (stable), up to `until`; types the vocabulary
        does not have yet are left out."""
        ordered = sorted(
            (e for e in self.envelopes if e["type"] in EVENT_TYPES),
            key=lambda e: str(e["occurred_on"]),
        )
        kept = [e for e in ordered if str(e["occurred_on"]) <= self.until.isoformat()]
        seqs = {id(e): seq for seq, e in enumerate(kept, start=1)}
        for envelope in kept:
            target = self.retracts.get(id(envelope))
            if target is not None:
                envelope["data"]["seq"] = seqs[id(target)]
        return kept

    @property
    def review_weeks(self) -> int:
        """CiN reviews: six-weekly, four-weekly in Sefton (the packs' default intervals)."""
        return 4 if self.pack == "sefton" else 6

    def cin_support(self, held: date) -> dict[str, Any]:
        """Continuing support under a CiN plan, with consent; the first meeting within the
        20 working days G-FIRST-CIN-DATE allows."""
        first = held + timedelta(days=self.rng.randint(10, 18))
        return {
            "kind": "cin",
            "family_consent": True,
            "plan": self.cin_plan(first, self.review_weeks),
        }

    def cin_plan(self, first_meeting: date, review_weeks: int) -> dict[str, Any]:
        """A SMART child in need plan (G-SMART: outcomes, owned and timed actions, a
        visiting interval of at most 4 weeks; G-CONTINGENCY)."""
        sw = self.team.social_worker
        return {
            "outcomes": self.rng.sample(OUTCOMES, 2),
            "actions": [
                {"action": "Visit and see the child alone", "owner": sw, "every_weeks": 4},
                {
                    "action": self.rng.choice(ACTIONS),
                    "owner": self.rng.choice(["Family Hub", "school", "health visiting"]),
                    "due": (first_meeting + timedelta(weeks=8)).isoformat(),
                },
            ],
            "contingency": "If the agreed outcomes are not met or concerns rise, the social "
            "worker holds a strategy discussion within 2 working days.",
            "first_meeting_date": first_meeting.isoformat(),
            "review_interval_weeks": review_weeks,
            "visiting_interval_weeks": self.rng.choice([2, 3, 4]),
            "lead": sw,
        }


OUTCOMES = [
    "Attendance at school is above 95% each half term",
    "Home conditions meet the agreed standard at every visit",
    "The child attends every health appointment",
    "The parent completes the parenting programme",
    "The child says they feel safe at home",
    "No police call-outs to the home for three months",
]
ACTIONS = [
    "Complete the parenting programme",
    "Arrange the dental appointment",
    "Refer to the young carers service",
    "Review the housing application",
]


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value
