"""The case: the fold of its event log. `evolve` applies one stored fact; `replay` folds a log.

Evolve never judges: guards, the policy, the calendar and today are consulted only by
`decide`. What a decision computed (stage after, obligations opened, met and lapsed) is
read back from the event's `decision`. The stage is re-derived from THE transition table
and checked against the recorded one; a step the table does not allow is corruption.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from cpworkflow.errors import IntegrityError
from cpworkflow.lifecycle.case_data import apply_data
from cpworkflow.lifecycle.machine import NOT_ALLOWED, changes_stage, next_stage
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
    obligations: Mapping[str, Obligation] = field(default_factory=dict)
    pending_waivers: Mapping[str, int] = field(default_factory=dict)  # rule -> RuleWaived seq
    retracted: frozenset[int] = frozenset()
    unretractable: frozenset[int] = frozenset()

    def but(self, **changes: Any) -> Case:
        """This case with some fields changed. Evolve makes a new case per event, so this is
        on replay's hot path: a field-by-field `dataclasses.replace` of ~30 fields cost two
        thirds of replay time; copying the instance dictionary does the same job in C."""
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


def replay(events: Iterable[EventLike], case_id: str | None = None, *, view: bool = False) -> Case:
    """Fold a stored log into the case. Raises IntegrityError if the log is not legal.

    `view=True` folds a selection of the log (what had happened by a date): seq may skip,
    and a late record that reached the log after a later stage change is applied as a fact.
    """
    case: Case | None = Case(case_id) if case_id is not None else None
    for event in events:
        if case is None:
            case = Case(event.case_id)
        case = evolve(case, event, view=view)
    if case is None:
        raise ValueError("replay of an empty log needs a case_id")
    return case


def evolve(case: Case, event: EventLike, *, view: bool = False) -> Case:
    """Apply one stored fact. Never consults the policy, the calendar or the clock."""
    if event.seq != case.version + 1 and not view:
        raise IntegrityError(case.case_id, event.seq, f"expected seq {case.version + 1}")
    dest = next_stage(case.stage, event.type, event.data)
    if dest is NOT_ALLOWED and view and not changes_stage(event.type):
        dest = None
    if dest is NOT_ALLOWED:
        raise IntegrityError(
            case.case_id, event.seq, f"{event.type} is not allowed from stage {case.stage}"
        )
    new_stage = case.stage if dest is None else str(dest)
    recorded = event.decision.get("stage_after")
    if recorded != new_stage and not view:
        raise IntegrityError(
            case.case_id,
            event.seq,
            f"recorded stage {recorded!r} but the table gives {new_stage!r}",
        )
    changes: dict[str, Any] = {
        "version": event.seq,
        "policy_version": event.policy_version,
        "last_occurred_on": max(filter(None, (case.last_occurred_on, event.occurred_on))),
    }
    if dest is not None:
        changes["stage"] = new_stage
        changes["previous_stage_since"] = case.stage_since
        changes["stage_since"] = event.occurred_on
        changes["unretractable"] = case.unretractable | {event.seq}
    if event.type in ("RuleWaived", "EntryRetracted"):
        changes["unretractable"] = changes.get("unretractable", case.unretractable) | {event.seq}
    case = case.but(**changes)
    case = apply_data(case, event)
    return _apply_decision(case, event, view)


def _apply_decision(case: Case, event: EventLike, view: bool) -> Case:
    decision = event.decision
    obligations = dict(case.obligations)
    for spec in decision.get("opened", ()):
        ob = Obligation.from_json(spec, opened_seq=event.seq, opened_on=event.occurred_on)
        obligations[ob.id] = ob
    for met in decision.get("met", ()):
        if _known(obligations, met["id"], case, event, view):
            obligations[met["id"]] = obligations[met["id"]].meet(
                date.fromisoformat(met["on"]), event.seq, int(met["late_by_working_days"])
            )
    for lapsed in decision.get("lapsed", ()):
        if _known(obligations, lapsed["id"], case, event, view):
            obligations[lapsed["id"]] = obligations[lapsed["id"]].lapse(event.occurred_on)
    for ob_id in decision.get("reopened", ()):
        if _known(obligations, ob_id, case, event, view):
            obligations[ob_id] = obligations[ob_id].reopen()
    for ob_id in decision.get("withdrawn", ()):
        obligations.pop(ob_id, None)
    waivers = dict(case.pending_waivers)
    if event.type == "RuleWaived":
        waivers[str(event.data["rule"])] = event.seq
    else:
        waivers = {}
    return case.but(obligations=obligations, pending_waivers=waivers)


def _known(
    obligations: Mapping[str, Obligation], ob_id: str, case: Case, event: EventLike, view: bool
) -> bool:
    """In a full log every obligation a decision names exists; in a view it may not yet."""
    if ob_id in obligations:
        return True
    if view:
        return False
    raise IntegrityError(case.case_id, event.seq, f"the decision names unknown obligation {ob_id}")
