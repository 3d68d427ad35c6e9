"""What a guard reads: the proposal (case, event, policy, today), and the small helpers
every guard uses to read a payload."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from cpworkflow.lifecycle.case import Case
from cpworkflow.policy.pack import Policy

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


def blank(value: object) -> bool:
    return not (isinstance(value, str) and value.strip())


def as_date(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
