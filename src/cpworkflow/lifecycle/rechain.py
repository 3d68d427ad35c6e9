"""Late recording and retractions (DOMAIN.md §5): what the stage-neutral facts of a period
meet and open, re-derived in the order they happened.

Records are often typed days after the fact, and some are retracted. Whenever a fact is
recorded (on time or late) or a fact of the current period is retracted, `decide` asks
`rederive` what the period's fact-driven obligations should be with the facts placed by
`occurred_on` (ties by seq), and writes the difference into the event's decision: which
obligations are met (and by which fact), reopened, lapsed, withdrawn and opened (by which
fact, with the due date). Evolve applies that and never re-derives. A recurring timescale
chains from the latest *occurred* satisfying fact; a fact meets what was open on its date;
an obligation that belongs to the coming conference stays missed if no fact met it by then.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

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
    window_end,
)
from cpworkflow.lifecycle.obligation import Obligation, obligation_id
from cpworkflow.policy.pack import Policy

Json = dict[str, Any]


class _Derivation:
    def __init__(self, case: Case, policy: Policy, facts: Sequence[Fact], reset: set[int]):
        self.case, self.policy, self.facts = case, policy, facts
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

    def run(self) -> None:
        recorded, circulated = False, set[str]()
        for fact in self.facts:
            for rule in met_by(self.case, fact):
                self._meet(rule, fact)
            if fact.type == "ChildInNeedPlanRecorded":
                recorded = True
            if fact.type == "ChildInNeedPlanCirculated":
                circulated |= set(fact.data.get("recipients", ()))
            if recorded and circulated >= PLAN_CIRCULATED_TO:
                self._meet("T-CIN-PLAN", fact)
            for rule in opens(self.case, fact):
                self._open(rule, fact)
        for ob in [self.work[i] for ids in self.open_ids.values() for i in sorted(ids)]:
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
        for ob_id in sorted(self.open_ids.get(rule, ())):
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
            self._put(Obligation(ob_id, rule, due, owner, fact.seq, fact.occurred_on))

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


def _state(ob: Obligation) -> tuple[object, ...]:
    return (ob.met_on, ob.met_seq, ob.late_by_working_days, ob.lapsed_on)


def period_facts(case: Case, log: Iterable[EventLike]) -> list[Fact]:
    """The facts recorded in the current period and not retracted."""
    return [
        Fact(e.seq, e.type, e.occurred_on, dict(e.data))
        for e in log
        if e.seq > case.period_seq and e.type in FACT_TYPES and e.seq not in case.retracted
    ]


def rederive(
    case: Case,
    log: Iterable[EventLike],
    policy: Policy,
    *,
    seq: int,
    new: Fact | None = None,
    drop: int | None = None,
) -> Json:
    """The decision entries of the event at `seq`: recording `new`, or retracting `drop`."""
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
    return derivation.decision(seq)


def retracts_in_period(case: Case, target_seq: int, target_type: str | None) -> bool:
    """A retraction re-derives when the retracted fact belongs to the current period."""
    return target_type in FACT_TYPES and target_seq > case.period_seq
