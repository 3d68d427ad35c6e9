"""Late recording and retractions (DOMAIN.md §5): what the stage-neutral facts of a period
meet and open, re-derived in the order they happened.

Records are often typed days after the fact, and some are retracted. Whenever a fact is
recorded (on time or late) or a fact of the current period is retracted, `decide` asks
what the period's fact-driven obligations should be with the facts placed by `occurred_on`
(ties by seq), and writes the difference into the event's decision: which obligations are
met (and by which fact), reopened, lapsed, withdrawn and opened (by which fact, with the
due date). Evolve applies that and never re-derives. A recurring timescale chains from the
latest *occurred* satisfying fact; a fact meets what was open on its date; an obligation
that belongs to the coming conference stays missed if no fact met it by then.

`rederive` answers by re-deriving the whole period: it is the definition. Most facts are
recorded in date order, though, and re-deriving on each one makes a case quadratic in its
facts, so `record_fact` takes a shorter way when it may: a `Chain` (below) left by the last
derivation of the same case object says what a re-derivation would start the new fact
from, and a fact dated on or after every fact of the period is applied to that alone, in
O(open obligations), with the decision `rederive` would write. A fact that lands before a
later one, a retraction, or a case the chain does not vouch for is re-derived in full.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any, NamedTuple

from cpworkflow.lifecycle.case import Case, EventLike
from cpworkflow.lifecycle.facts import (
    ENDED_BY_CONFERENCE,
    FACT_RULES,
    FACT_TYPES,
    PLAN_CIRCULATED_TO,
    RECURRING,
    Fact,
    link,
    meets,
    met_by,
    opens,
    reaches,
    window_end,
)
from cpworkflow.lifecycle.machine import PERIOD_OF
from cpworkflow.lifecycle.obligation import Obligation, made, obligation_id
from cpworkflow.policy.pack import Policy

Json = dict[str, Any]


class _Derivation:
    def __init__(self, case: Case, policy: Policy, facts: Sequence[Fact], reset: set[int]):
        self.case, self.policy, self.facts, self.reset = case, policy, facts, reset
        self.calendar = policy.calendar()
        self.current: dict[str, Obligation] = {}
        self.work: dict[str, Obligation] = {}
        # The open obligations of `work`, by rule: a fact can meet only these, so a long
        # period's many met obligations are not looked at again for every fact.
        self.open_ids: dict[str, set[str]] = {}
        for ob in case.obligations.values():
            if ob.rule not in FACT_RULES:
                continue
            if ob.opened_seq in reset:  # opened by a fact of the period: derived again
                self.current[ob.id] = ob
                continue
            rescuable = ob.rule in ENDED_BY_CONFERENCE and ob.opened_seq >= case.period_seq
            if ob.is_open or ob.met_seq in reset or (rescuable and ob.met_on is None):
                self.current[ob.id] = ob
                self._put(ob.reopen())
        self.active = {ob.rule for ob in case.obligations.values() if ob.rule in RECURRING}
        self.recorded, self.circulated = False, set[str]()

    def run(self) -> None:
        for fact in self.facts:
            met = met_by(self.case, fact)
            for rule in met:
                self._meet(rule, fact)
            if fact.type == "ChildInNeedPlanRecorded":
                self.recorded = True
            if fact.type == "ChildInNeedPlanCirculated":
                self.circulated |= set(fact.data.get("recipients", ()))
            if self.recorded and self.circulated >= PLAN_CIRCULATED_TO:
                self._meet("T-CIN-PLAN", fact)
            for rule in opens(self.case, fact, met):
                self._open(rule, fact)
        # Meeting, lapsing and reopening never add to `work`, so the order in which they
        # are applied changes nothing the decision says.
        for ob in [self.work[i] for ids in self.open_ids.values() for i in ids]:
            end = window_end(self.case, ob)
            if end is not None:
                self._put(ob.lapse(end))

    def _put(self, ob: Obligation) -> None:
        self.work[ob.id] = ob
        open_ids = self.open_ids.setdefault(ob.rule, set())
        if ob.is_open:
            open_ids.add(ob.id)
        else:
            open_ids.discard(ob.id)

    def _meet(self, rule: str, fact: Fact) -> None:
        ids = self.open_ids.get(rule)
        if not ids:
            return
        for ob_id in list(ids):
            ob = self.work[ob_id]
            if meets(ob, fact, window_end(self.case, ob)):
                late = self.calendar.working_days_between(ob.due, fact.occurred_on)
                self._put(ob.meet(fact.occurred_on, fact.seq, late))

    def _open(self, rule: str, fact: Fact) -> None:
        seen_alone_starts = rule == "T-SEEN-ALONE" and fact.type == "ChildBorn"
        if rule not in self.active and not seen_alone_starts:
            return  # no chain of this rule in the period (e.g. the pack does not keep it)
        ob_id = obligation_id(fact.seq, rule)
        existing = self.current.get(ob_id)
        if existing is not None:  # its due date was stored when it opened: kept
            self._put(existing.reopen())
            return
        opened = link(self.policy, self.case, rule, fact)
        if opened is not None:
            due, owner = opened
            self._put(made(ob_id, rule, due, owner, fact.seq, fact.occurred_on))

    def decision(self, seq: int) -> Json:
        opened, reopened, met, lapsed = [], [], [], []
        for ob_id, new in self.work.items():
            old = self.current.get(ob_id)
            if old is None:
                spec: Json = {"id": ob_id, "rule": new.rule, "due": new.due.isoformat()}
                spec["owner_role"] = new.owner_role
                if new.opened_seq != seq:
                    spec |= {"opened_seq": new.opened_seq, "opened_on": new.opened_on.isoformat()}
                opened.append(spec)
            elif _state(old) == _state(new):
                continue
            elif old.met_on is not None or old.lapsed_on is not None:
                reopened.append(ob_id)
            if new.met_on is not None:
                entry: Json = {"id": ob_id, "on": new.met_on.isoformat()}
                entry["late_by_working_days"] = new.late_by_working_days
                if new.met_seq != seq:
                    entry["seq"] = new.met_seq
                met.append(entry)
            elif new.lapsed_on is not None:
                lapsed.append({"id": ob_id, "on": new.lapsed_on.isoformat()})
        withdrawn = [ob_id for ob_id in self.current if ob_id not in self.work]
        out = {"opened": opened, "met": met, "lapsed": lapsed}
        return (
            out
            | ({"reopened": reopened} if reopened else {})
            | ({"withdrawn": withdrawn} if withdrawn else {})
        )

    def chain(self) -> Chain | None:
        """What the next derivation of the case after this decision would start from,
        once it has placed these facts (see `Chain`)."""
        if not self.facts:
            return None
        last = self.facts[-1]
        pending: dict[str, list[str]] = {}
        from_facts = set()
        for ob in self.work.values():
            if ob.met_on is not None:
                continue
            # Lapsed here means lapsed at its conference (`run` lapses nothing else). One
            # opened before the period is not looked at again; nor, by a fact in date
            # order, is one whose conference came before the latest fact.
            lapsed = ob.lapsed_on
            if lapsed is not None and (
                ob.opened_seq < self.case.period_seq or lapsed < last.occurred_on
            ):
                continue
            pending.setdefault(ob.rule, []).append(ob.id)
            if ob.opened_seq in self.reset:
                from_facts.add(ob.id)
        return Chain(
            policy=self.policy,
            inputs=chain_inputs(self.case),
            conferences=self.case.conferences,
            active=frozenset(self.active),
            last=last.occurred_on,
            recorded=self.recorded,
            circulated=frozenset(self.circulated),
            pending={rule: tuple(ids) for rule, ids in pending.items()},
            from_facts=frozenset(from_facts),
        )


def _state(ob: Obligation) -> tuple[object, ...]:
    return (ob.met_on, ob.met_seq, ob.late_by_working_days, ob.lapsed_on)


def period_facts(case: Case, log: Iterable[EventLike]) -> list[Fact]:
    """The facts recorded in the current period and not retracted."""
    period, retracted = case.period_seq, case.retracted
    return [
        Fact(e.seq, e.type, e.occurred_on, e.data)
        for e in log
        if e.seq > period and e.type in FACT_TYPES and e.seq not in retracted
    ]


def _derive(
    case: Case, log: Iterable[EventLike], policy: Policy, new: Fact | None, drop: int | None
) -> _Derivation:
    facts = period_facts(case, log)
    reset = {f.seq for f in facts} | ({drop} if drop is not None else set())
    if drop is not None:
        facts = [f for f in facts if f.seq != drop]
    if new is not None:
        facts.append(new)
        reset.add(new.seq)
    facts.sort(key=lambda f: (f.occurred_on, f.seq))
    derivation = _Derivation(case, policy, facts, reset)
    derivation.run()
    return derivation


def rederive(
    case: Case,
    log: Iterable[EventLike],
    policy: Policy,
    *,
    seq: int,
    new: Fact | None = None,
    drop: int | None = None,
) -> Json:
    """The decision entries of the event at `seq`: recording `new`, or retracting `drop`,
    by re-deriving the whole period (the definition `record_fact` keeps to)."""
    return _derive(case, log, policy, new, drop).decision(seq)


def retracts_in_period(case: Case, target_seq: int, target_type: str | None) -> bool:
    """A retraction re-derives when the retracted fact belongs to the current period."""
    return target_type in FACT_TYPES and target_seq > case.period_seq


# -- the shorter way for a fact in date order ------------------------------------------------


class Chain(NamedTuple):
    """What re-deriving a case's period would start its next fact from, kept beside the
    case object it describes.

    A case whose fact obligations are what re-deriving its period gives them (they are,
    after a decision that re-derived it, while what the derivation reads of the case has
    not changed) re-derives to itself; so for a fact dated on or after every fact of the
    period, re-deriving is applying that fact to the case: meeting what it reaches among
    the obligations still unmet (`pending`: those open, and those lapsed at a conference
    dated on or after `last`, which an earlier-dated fact could still rescue), and opening
    the next of its recurring rules. `from_facts` names the pending obligations opened by a
    fact of the period: the derivation puts those after the others, in date order, and the
    decision lists what it changed in that order.

    A named tuple, not a frozen dataclass: one is made for nearly every fact and event.
    """

    policy: Policy
    inputs: tuple[object, ...]  # `chain_inputs` of the case the derivation read
    conferences: tuple[tuple[int, date], ...]  # and its conferences held
    active: frozenset[str]  # the recurring rules the case has obligations of
    last: date  # the date of the latest fact of the period
    recorded: bool  # a CiN plan recorded among the period's facts
    circulated: frozenset[str]  # to whom the period's facts say the plan went
    pending: Mapping[str, tuple[str, ...]]  # rule -> ids
    from_facts: frozenset[str]


def chain_inputs(case: Case) -> tuple[object, ...]:
    """What a derivation reads of the case, besides its obligations and conferences (each
    closes what belonged to it), that could make an earlier fact meet or open something
    else: the period and its facts, the birth date (a baby seen awake) and a pre-birth
    plan (the birth starts seeing the child alone). The visiting intervals and the CiN
    plan set only the due dates of obligations yet to open, so they are not here."""
    return (
        PERIOD_OF.get(case.stage or ""),
        case.period_seq,
        case.retracted,
        case.child.get("birth_date"),
        case.pre_birth_plan,
    )


# The chain of each case object that has one, by id; an entry goes with its case.
_CHAINS: dict[int, tuple[weakref.ref[Case], Chain]] = {}
_incremental = True


def _chain_of(case: Case) -> Chain | None:
    entry = _CHAINS.get(id(case))
    if entry is None or entry[0]() is not case:
        return None
    return entry[1]


def _keep(case: Case, chain: Chain) -> None:
    key = id(case)

    def forget(ref: weakref.ref[Case]) -> None:
        entry = _CHAINS.get(key)
        if entry is not None and entry[0] is ref:
            _CHAINS.pop(key, None)

    try:
        ref = weakref.ref(case, forget)
    except TypeError:  # a case that takes no weak references keeps no chain: derived in full
        return
    _CHAINS[key] = (ref, chain)


@contextmanager
def full_rederivation() -> Iterator[None]:
    """Within this block every fact re-derives its period in full (the oracle the shorter
    way is tested against)."""
    global _incremental
    before, _incremental = _incremental, False
    try:
        yield
    finally:
        _incremental = before


def record_fact(
    case: Case, log: Sequence[EventLike], policy: Policy, *, seq: int, new: Fact
) -> tuple[Json, Chain | None]:
    """The decision entries of recording `new` at `seq` (what `rederive` gives), and the
    chain for the case after it, for `keep`."""
    chain = _chain_of(case) if _incremental else None
    if (
        chain is not None
        and chain.policy is policy
        and new.seq == seq
        and len(log) == case.version
        and new.occurred_on >= chain.last
    ):
        return _step(case, policy, chain, new)
    derivation = _derive(case, log, policy, new, None)
    return derivation.decision(seq), derivation.chain()


def _step(case: Case, policy: Policy, chain: Chain, fact: Fact) -> tuple[Json, Chain | None]:
    """`rederive` for a fact in date order on a case its chain vouches for."""
    obligations, on = case.obligations, fact.occurred_on
    met_rules = met_by(case, fact)
    rules = list(met_rules)
    recorded = chain.recorded or fact.type == "ChildInNeedPlanRecorded"
    circulated = chain.circulated
    if fact.type == "ChildInNeedPlanCirculated":
        circulated = circulated | set(fact.data.get("recipients", ()))
    if recorded and circulated >= PLAN_CIRCULATED_TO:
        rules.append("T-CIN-PLAN")
    met = [
        ob
        for rule in rules
        for ob in (obligations[i] for i in chain.pending.get(rule, ()))
        if reaches(ob, fact, window_end(case, ob))
    ]
    opened = []
    for rule in opens(case, fact, met_rules):
        if rule not in chain.active and not (rule == "T-SEEN-ALONE" and fact.type == "ChildBorn"):
            continue
        linked = link(policy, case, rule, fact)
        if linked is not None:
            due, owner = linked
            opened.append(made(obligation_id(fact.seq, rule), rule, due, owner, fact.seq, on))
    if len(met) > 1:
        met = _in_derivation_order(case, chain, met)
    calendar, day = policy.calendar(), on.isoformat()
    out: Json = {
        "opened": [
            {"id": ob.id, "rule": ob.rule, "due": ob.due.isoformat(), "owner_role": ob.owner_role}
            for ob in opened
        ],
        "met": [
            {
                "id": ob.id,
                "on": day,
                "late_by_working_days": calendar.working_days_between(ob.due, on),
            }
            for ob in met
        ],
        "lapsed": [],
    }
    rescued = [ob.id for ob in met if ob.lapsed_on is not None]
    if rescued:
        out["reopened"] = rescued
    if any(ob.rule not in chain.active for ob in opened):
        return out, None  # a rule new to the case: earlier facts might open it now
    pending = dict(chain.pending)
    met_ids = {ob.id for ob in met}
    for rule in {ob.rule for ob in met}:
        pending[rule] = tuple(i for i in pending[rule] if i not in met_ids)
    for ob in opened:
        pending[ob.rule] = (*pending.get(ob.rule, ()), ob.id)
    return out, Chain(
        policy=policy,
        inputs=chain.inputs,
        conferences=chain.conferences,
        active=chain.active,
        last=on,
        recorded=recorded,
        circulated=circulated,
        pending=pending,
        from_facts=(chain.from_facts - met_ids) | {ob.id for ob in opened},
    )


def _in_derivation_order(case: Case, chain: Chain, obs: list[Obligation]) -> list[Obligation]:
    """In the order re-deriving puts them: first those not opened by a fact of the period,
    in the case's order; then the others by their opening fact's date and seq, and the
    rules of one fact in the order the fact opens them."""
    earlier = {ob.id: ob for ob in obs if ob.id not in chain.from_facts}
    by_facts = sorted(
        (ob for ob in obs if ob.id in chain.from_facts),
        key=lambda ob: (ob.opened_on, ob.opened_seq, RECURRING.index(ob.rule)),
    )
    if len(earlier) > 1:
        return [earlier[i] for i in case.obligations if i in earlier] + by_facts
    return [*earlier.values(), *by_facts]


def keep(after: Case, chain: Chain | None, decision: Mapping[str, Any]) -> None:
    """After a fact's decision is applied: keep its chain for the case after, if that case
    still reads as the derivation read the one before (the same inputs, and obligations of
    the same recurring rules)."""
    if chain is None or chain_inputs(after) != chain.inputs:
        return
    if after.conferences != chain.conferences:
        return
    new_rule = any(spec["rule"] not in chain.active for spec in decision.get("opened", ()))
    if decision.get("withdrawn") or new_rule:
        active = {ob.rule for ob in after.obligations.values() if ob.rule in RECURRING}
        if active != chain.active:
            return
    _keep(after, chain)


def carry(before: Case, after: Case, event_type: str, decision: Mapping[str, Any]) -> None:
    """After an event that re-derived nothing (a meeting, a conference, an assignment):
    the chain of the case before holds for the case after if re-deriving the period on
    the case after would still give what it has.

    It does when the event left the facts' obligations alone, or touched them only as
    no fact of the period can see: opening one after the latest fact's date (of a
    recurring rule the case already has), lapsing an open one at the conference it
    belongs to, or holding a conference after the latest fact's date that closes no
    obligation it leaves open. Anything else (meeting, reopening or withdrawing one, a new
    period, a birth, a retraction) leaves the next fact to re-derive in full.
    """
    chain = _chain_of(before)
    if chain is None or event_type in FACT_TYPES or chain_inputs(after) != chain.inputs:
        return
    old, new = chain.conferences, after.conferences
    held = new != old  # a conference held, after the period's latest fact
    if held and (new[: len(old)] != old or any(on <= chain.last for _, on in new[len(old) :])):
        return
    for key in ("met", "reopened", "withdrawn"):
        for entry in decision.get(key, ()):
            ob = before.obligations.get(entry["id"] if key == "met" else entry)
            if ob is None or ob.rule in FACT_RULES:
                return
    pending = dict(chain.pending)
    for spec in decision.get("opened", ()):
        if spec["rule"] not in FACT_RULES:
            continue
        ob = after.obligations.get(spec["id"])
        if ob is None or not ob.is_open or ob.opened_seq != after.version:
            return
        if ob.opened_on <= chain.last or (ob.rule in RECURRING and ob.rule not in chain.active):
            return
        pending[ob.rule] = (*pending.get(ob.rule, ()), ob.id)
    for entry in decision.get("lapsed", ()):
        was = before.obligations.get(entry["id"])
        if was is None:
            return
        if was.rule not in FACT_RULES:
            continue
        ob = after.obligations[was.id]
        if not was.is_open or ob.lapsed_on is None or ob.lapsed_on != window_end(after, ob):
            return
        if ob.opened_seq < after.period_seq:  # not rescuable: out of the next derivation
            pending[ob.rule] = tuple(i for i in pending.get(ob.rule, ()) if i != ob.id)
    if held:  # what belongs to a conference and is still open must have none after it
        for rule in ENDED_BY_CONFERENCE:
            for ob_id in pending.get(rule, ()):
                ob = after.obligations[ob_id]
                if ob.is_open and window_end(after, ob) is not None:
                    return
    _keep(after, chain._replace(conferences=new, pending=pending))
