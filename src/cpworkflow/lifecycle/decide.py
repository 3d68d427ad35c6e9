"""decide: an envelope and the case → the event to append, or every rule that refuses it.

Guards, the policy, the calendar and today are consulted here and only here. Everything
the decision computed (stage after, obligations, waivers used, the pack and its version)
is written into the event, and the case after it is the same `evolve` that replay uses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from cpworkflow.errors import Refusal
from cpworkflow.lifecycle.case import Case, EventLike
from cpworkflow.lifecycle.facts import FACT_TYPES, Fact
from cpworkflow.lifecycle.fold import evolve
from cpworkflow.lifecycle.guards import CHECKS, ENGINE_CHECKS, GUARDS_FOR, Proposal
from cpworkflow.lifecycle.machine import NOT_ALLOWED, allowed_events, next_stage
from cpworkflow.lifecycle.obligations import effects, retraction_fallback
from cpworkflow.lifecycle.rechain import (
    Chain,
    carry,
    keep,
    record_fact,
    rederive,
    retracts_in_period,
)
from cpworkflow.policy.pack import Policy
from cpworkflow.policy.rulebook import GUARDS
from cpworkflow.records import NewEvent
from cpworkflow.vocabulary.envelope import SCHEMA_VERSION, Envelope, to_json_data


@dataclass(frozen=True)
class Context:
    """What a decision may consult besides the case: today, the policy in force, and the
    case's log so far (late facts and retractions are placed among the period's facts by
    date; retractions read the type of the event they retract)."""

    today: date
    policy: Policy
    log: Sequence[EventLike] = field(default_factory=tuple)

    def type_of(self, seq: int) -> str | None:
        return self.log[seq - 1].type if 1 <= seq <= len(self.log) else None


class Decided(NamedTuple):
    """An event decided (a named tuple: one is made per decision, and only read)."""

    event: NewEvent
    case: Case  # the case after the event
    applied: EventLike  # the event with its seq, as the next decision reads it in the log


@dataclass(frozen=True)
class Refused:
    refusals: tuple[Refusal, ...]


class _Pending(NamedTuple):
    """A decided event with its seq, as evolve reads it before the store has it (a named
    tuple: one is made per decision, and reading its fields is all that is done with it)."""

    case_id: str
    seq: int
    type: str
    occurred_on: date
    actor: dict[str, Any]
    data: dict[str, Any]
    decision: dict[str, Any]
    policy: str
    policy_version: str


def refusal(rule_id: str, reasons: list[str], policy: Policy | None = None) -> Refusal:
    source = GUARDS[rule_id].source
    if policy is not None:
        source = policy.guard_sources.get(rule_id, source)
    return Refusal(rule_id, "; ".join(reasons), source)


def _stage_refusal(case: Case, envelope: Envelope, data: dict[str, Any]) -> Refusal:
    if envelope.type == "CaseOpened":
        return refusal("G-STAGE", [f"case {case.case_id} already exists (stage {case.stage})"])
    detail = ""
    for key in ("outcome", "decision", "kind"):
        if key in data:
            detail = f" with {key} {data[key]}"
    allowed = ", ".join(allowed_events(case.stage))
    return refusal(
        "G-STAGE",
        [f"{envelope.type}{detail} is not allowed in stage {case.stage}; allowed there: {allowed}"],
    )


def _waiver(p: Proposal) -> list[str]:
    reasons = []
    waivers = p.policy.waiver_roles
    if p.actor.get("role") not in waivers:
        reasons.append(f"a {p.actor.get('role')} may not waive a rule")
    if (p.data.get("authorised_by") or {}).get("role") not in waivers:
        reasons.append("the waiver is not authorised by a role allowed to waive")
    target = GUARDS.get(str(p.data.get("rule")))
    if target is None or not target.waivable:
        reasons.append(f"{p.data.get('rule')} is not a guard that can be waived")
    return reasons


def _retract(p: Proposal, type_of: Callable[[int], str | None]) -> list[str]:
    seq, case = int(p.data["seq"]), p.case
    target = type_of(seq) if 1 <= seq <= case.version else None
    if target is None:
        return [f"there is no event {seq} on this case"]
    if seq in case.retracted:
        return [f"event {seq} is already retracted"]
    if seq in case.unretractable:
        return [
            f"event {seq} ({target}) changed the stage or is a rule event; it cannot be retracted"
        ]
    return []


def _proposal(
    case: Case,
    type_: str,
    occurred_on: date,
    actor: dict[str, Any],
    data: dict[str, Any],
    stage_after: str | None,
    policy: Policy,
    today: date,
) -> Proposal:
    """`Proposal(...)` of these fields, the same object (tests/unit/test_decide_parts.py
    holds the two equal): its attributes put in its `__dict__` at once, rather than one
    by one through `object.__setattr__` as the frozen dataclass's `__init__` does (some
    seven times slower, on every decision)."""
    p = object.__new__(Proposal)
    p.__dict__.update(
        case=case,
        type=type_,
        occurred_on=occurred_on,
        actor=actor,
        data=data,
        stage_after=stage_after,
        policy=policy,
        today=today,
    )
    return p


class _UnfrozenEvent:
    """NewEvent's slots, in its order, writable: see `_new_event`."""

    __slots__ = NewEvent.__slots__
    case_id: str
    type: str
    occurred_on: date
    actor: dict[str, Any]
    data: dict[str, Any]
    schema_version: int
    policy: str
    policy_version: str
    decision: dict[str, Any]
    key: str | None


def _new_event(
    case_id: str,
    type_: str,
    occurred_on: date,
    actor: dict[str, Any],
    data: dict[str, Any],
    schema_version: int,
    policy: str,
    policy_version: str,
    decision: dict[str, Any],
    key: str | None,
) -> NewEvent:
    """`NewEvent(...)` of these fields, the same in every way (type, fields, frozen), made
    as `obligation.made` makes an Obligation: filled as an `_UnfrozenEvent`, whose layout
    is NewEvent's, then given NewEvent's class; the frozen dataclass's `__init__` sets
    each field through `object.__setattr__`, on every decision (test_decide_parts.py)."""
    event = _UnfrozenEvent()
    event.case_id = case_id
    event.type = type_
    event.occurred_on = occurred_on
    event.actor = actor
    event.data = data
    event.schema_version = schema_version
    event.policy = policy
    event.policy_version = policy_version
    event.decision = decision
    event.key = key
    event.__class__ = NewEvent  # type: ignore[assignment]
    return event  # type: ignore[return-value]


def decide(case: Case, envelope: Envelope, context: Context) -> Decided | Refused:
    """Judge one envelope against the case. Refusals are data; nothing is written."""
    data = to_json_data(envelope.data)
    dest = next_stage(case.stage, envelope.type, data)
    p = _proposal(
        case,
        envelope.type,
        envelope.occurred_on,
        to_json_data(envelope.actor),
        data,
        None if dest is NOT_ALLOWED or dest is None else str(dest),
        context.policy,
        context.today,
    )
    failed: dict[str, list[str]] = {}
    if dest is NOT_ALLOWED:
        failed["G-STAGE"] = []
    for rule_id, check in ENGINE_CHECKS.items():
        failed[rule_id] = check(p)
    if dest is not NOT_ALLOWED:
        for rule_id in GUARDS_FOR.get(envelope.type, ()):
            failed[rule_id] = CHECKS[rule_id](p)
        if envelope.type == "RuleWaived":
            failed["G-WAIVER"] = _waiver(p)
        if envelope.type == "EntryRetracted":
            failed["G-RETRACT"] = _retract(p, context.type_of)
    if dest is not NOT_ALLOWED and not case.pending_waivers and not any(failed.values()):
        # Nothing refused and no waiver to use or spend (almost every event): what the
        # lines below give then, without building it.
        return _decided(case, envelope, p, dest, ([], {}), context)
    waived = sorted(r for r, why in failed.items() if why and r in case.pending_waivers)
    # A waiver is spent by the next event its rule judges, whether or not it was needed;
    # events the rule does not judge neither use nor spend it (DOMAIN.md §3 RuleWaived).
    spent = {r: s for r, s in case.pending_waivers.items() if r in failed and r != "G-STAGE"}
    refusals = [
        _stage_refusal(case, envelope, data) if r == "G-STAGE" else refusal(r, why, p.policy)
        for r, why in failed.items()
        if (why or r == "G-STAGE") and r not in waived
    ]
    if refusals:
        return Refused(tuple(refusals))
    return _decided(case, envelope, p, dest, (waived, spent), context)


def _decided(
    case: Case,
    envelope: Envelope,
    p: Proposal,
    dest: object,
    waivers: tuple[list[str], dict[str, int]],
    context: Context,
) -> Decided:
    seq = case.version + 1
    stage_after = case.stage if dest is None else str(dest)
    decision: dict[str, Any] = {"stage_after": stage_after, **effects(p, seq)}
    waived, spent = waivers
    if waived:
        decision["waived"] = waived
    if case.pending_waivers and envelope.type != "RuleWaived":
        decision["waivers_spent"] = spent  # rule -> the RuleWaived seq it spends
    chain: Chain | None = None
    fact_recorded = envelope.type in FACT_TYPES and dest is None
    if fact_recorded:
        fact = Fact(seq, envelope.type, envelope.occurred_on, p.data)
        entries, chain = record_fact(case, context.log, context.policy, seq=seq, new=fact)
        decision.update(entries)
    if envelope.type == "EntryRetracted":
        target, target_type = int(p.data["seq"]), context.type_of(int(p.data["seq"]))
        decision["retracted_type"] = target_type
        if retracts_in_period(case, target, target_type):
            decision |= rederive(case, context.log, context.policy, seq=seq, drop=target)
        else:
            decision |= retraction_fallback(case, target, stage_after)
    event = _new_event(
        case.case_id,
        envelope.type,
        envelope.occurred_on,
        dict(p.actor),
        dict(p.data),
        SCHEMA_VERSION[envelope.type],
        context.policy.id,
        context.policy.version,
        decision,
        envelope.key,
    )
    pending = _Pending(
        case.case_id,
        seq,
        event.type,
        event.occurred_on,
        dict(event.actor),
        event.data,
        decision,
        event.policy,
        event.policy_version,
    )
    after = evolve(case, pending)
    # What the next fact's re-chaining may start from (`rechain.Chain`); a retraction
    # changes what the period's facts are, so the next fact re-derives in full.
    if fact_recorded:
        keep(after, chain, decision)
    elif envelope.type != "EntryRetracted":
        carry(case, after, envelope.type, decision)
    return Decided(event=event, case=after, applied=pending)
