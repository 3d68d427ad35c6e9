"""The case: one child's case as it stands after some events, and what the fold reads of an
event. The fold itself (`evolve`, `replay`) is in `cpworkflow.lifecycle.fold`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from cpworkflow.lifecycle.obligation import Obligation

JsonObject = Mapping[str, Any]


class EventLike(Protocol):
    """What evolve reads of an event (a StoredEvent, or one decided but not yet stored)."""

    @property
    def case_id(self) -> str: ...
    @property
    def seq(self) -> int: ...
    @property
    def type(self) -> str: ...
    @property
    def occurred_on(self) -> date: ...
    @property
    def actor(self) -> JsonObject: ...
    @property
    def data(self) -> JsonObject: ...
    @property
    def decision(self) -> JsonObject: ...
    @property
    def policy(self) -> str: ...
    @property
    def policy_version(self) -> str: ...


@dataclass(frozen=True)
class Case:
    """One child's case as it stands after `version` events."""

    case_id: str
    stage: str | None = None
    version: int = 0
    policy: str = "default"
    policy_version: str = ""
    child: JsonObject = field(default_factory=dict)
    stage_since: date | None = None  # occurred_on of the event that began the stage
    previous_stage_since: date | None = None
    # The period (DOMAIN.md §2) the case is in: the seq and date of the event that began it,
    # and the date the period before it began (a closed case takes late records of it).
    period_seq: int = 0
    period_since: date | None = None
    previous_period_since: date | None = None
    last_occurred_on: date | None = None
    categories: tuple[str, ...] = ()
    plan_started_on: date | None = None
    plan_ended_on: date | None = None
    rcpcs_convened: int = 0  # during the current plan
    rcpcs_held: int = 0
    core_groups_held: int = 0
    step_down_by_conference: bool = False
    cin_reviews_held: int = 0  # CiN review meetings since the step-down
    cin_plan_recorded: tuple[int, ...] = ()  # seqs since the step-down
    cin_plan_circulated: tuple[int, ...] = ()
    cin_plans: tuple[tuple[int, JsonObject], ...] = ()  # (seq, plan), latest last
    assignments: tuple[tuple[int, JsonObject, bool], ...] = ()  # (seq, person, left)
    conference_chair: JsonObject | None = None
    conferences: tuple[tuple[int, date], ...] = ()  # (seq, date) of each conference held
    visiting_interval_weeks: int | None = None  # set by the last conference, if it did
    pre_birth_plan: bool = False  # the plan was made before the child was born
    child_history: tuple[tuple[int, JsonObject], ...] = ()  # (seq, details), latest last
    obligations: Mapping[str, Obligation] = field(default_factory=dict)
    pending_waivers: Mapping[str, int] = field(default_factory=dict)  # rule -> RuleWaived seq
    retracted: frozenset[int] = frozenset()
    unretractable: frozenset[int] = frozenset()

    def but(self, **changes: Any) -> Case:
        """This case with some fields changed: a copy of the instance dictionary (in C),
        where a field-by-field `dataclasses.replace` of ~30 fields is many times slower.
        The fold itself changes the fields of a case of its own in place instead."""
        unknown = changes.keys() - self.__dict__.keys()
        if unknown:
            raise TypeError(f"Case has no field {sorted(unknown)[0]!r}")
        new = object.__new__(Case)
        new.__dict__.update(self.__dict__)
        new.__dict__.update(changes)
        return new

    @property
    def cin_plan(self) -> JsonObject | None:
        return self.cin_plans[-1][1] if self.cin_plans else None

    def people(self) -> dict[str, JsonObject]:
        """The person holding each role now: the latest assignment wins (a conference
        assigns its chair), and a holder who has left the authority holds it no more."""
        held: dict[str, JsonObject] = {}
        for _, person, left in self.assignments:
            role = str(person["role"])
            if not left:
                held[role] = person
            elif held.get(role, {}).get("id") == person.get("id"):
                del held[role]
        return held

    def has_left(self, person: JsonObject) -> bool:
        """This person was recorded as having left the authority after last assigned."""
        left = False
        for _, who, gone in self.assignments:
            if who.get("id") == person.get("id") and who.get("role") == person.get("role"):
                left = gone
        return left

    def chair_left_authority(self) -> bool:
        """The case's CP chair (the latest assigned) has since left the authority."""
        chair, left = None, False
        for _, person, gone in self.assignments:
            if person.get("role") == "cp_chair" and not gone:
                chair, left = person.get("id"), False
            elif person.get("role") == "cp_chair" and person.get("id") == chair:
                left = True
        return left

    def open_obligations(self) -> list[Obligation]:
        return [o for o in self.obligations.values() if o.is_open]
