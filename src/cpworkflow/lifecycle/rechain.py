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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from cpworkflow.lifecycle.case import Case, EventLike
from cpworkflow.lifecycle.machine import PERIOD_OF
from cpworkflow.lifecycle.obligation import Obligation, obligation_id
from cpworkflow.policy.pack import Policy, due_date
from cpworkflow.policy.workingdays import add_months

Json = dict[str, Any]
# Timescales that repeat: each satisfying fact meets the open one and opens the next.
RECURRING = ("T-CP-VISIT", "T-SEEN-ALONE", "T-CIN-VISIT", "T-CORE-GROUP")
# Obligations that belong to the conference about to be held: missed if still open then.
ENDED_BY_CONFERENCE = ("T-BEDROOM", "T-REPORTS", "T-LONG-PLAN", "T-CORE-GROUP-RCPC")
_PLAN_CIRCULATED_TO = frozenset({"child", "family", "agencies"})


@dataclass(frozen=True)
class Fact:
    """A stage-neutral fact as the re-derivation reads it."""

    seq: int
    type: str
    occurred_on: date
    data: Json


# The event types whose facts meet or open a timescale; `decide` re-derives for these.
FACT_TYPES = frozenset(
    {
        *("ChildVisited", "CoreGroupMeetingHeld", "AgencyReportReceived", "OutcomesRecorded"),
        *("ChildInNeedPlanRecorded", "ChildInNeedPlanCirculated", "ManagementAdviceSought"),
        *("IroManagerAuditCompleted", "AgenciesNotified", "AssessmentCompleted", "ChildBorn"),
    }
)
FACT_RULES = frozenset(
    {
        *RECURRING,
        *ENDED_BY_CONFERENCE,
        *("T-ICPC-REPORTS", "T-OUTCOMES", "T-CIN-PLAN", "T-CIN-COPIES", "T-TWO-YEARS"),
        *("T-IRO-AUDIT", "T-NOTIFY", "T-ASSESSMENT"),
    }
)
_MET_BY: dict[str, tuple[str, ...]] = {
    "CoreGroupMeetingHeld": ("T-CORE-GROUP", "T-CORE-GROUP-RCPC"),
    "AgencyReportReceived": ("T-REPORTS", "T-ICPC-REPORTS"),
    "OutcomesRecorded": ("T-OUTCOMES",),
    "ChildInNeedPlanCirculated": ("T-CIN-COPIES",),
    "IroManagerAuditCompleted": ("T-IRO-AUDIT",),
    "AgenciesNotified": ("T-NOTIFY",),
    "AssessmentCompleted": ("T-ASSESSMENT",),
}


def is_baby(case: Case, on: date) -> bool:
    """Under one year old on `on` (a baby seen awake counts as seen alone, 001)."""
    born = case.child.get("birth_date")
    if not isinstance(born, str):
        return False
    birth = date.fromisoformat(born)
    return birth <= on < add_months(birth, 12)


def _met_by(case: Case, fact: Fact) -> tuple[str, ...]:
    """The rules this fact meets (T-CIN-PLAN, which needs two facts, is judged apart)."""
    data, period = fact.data, PERIOD_OF.get(case.stage or "", "")
    if fact.type == "ManagementAdviceSought":
        gm = "group_manager" in data.get("from", ())
        return ("T-TWO-YEARS", "T-LONG-PLAN") if gm else ("T-TWO-YEARS",)
    if fact.type != "ChildVisited":
        return _MET_BY.get(fact.type, ())
    rules = ["T-BEDROOM"] if data.get("bedroom_seen") else []
    if data.get("seen") and period == "plan":
        rules.append("T-CP-VISIT")
        if data.get("seen_alone") or (data.get("seen_awake") and is_baby(case, fact.occurred_on)):
            rules.append("T-SEEN-ALONE")
    elif data.get("seen") and period == "cin":
        rules.append("T-CIN-VISIT")
    return tuple(rules)


def _opens(case: Case, fact: Fact) -> tuple[str, ...]:
    """The recurring rules whose next obligation this fact opens."""
    if fact.type == "ChildBorn":  # a pre-birth plan: seeing the child alone starts now
        plan = PERIOD_OF.get(case.stage or "") == "plan"
        return ("T-SEEN-ALONE",) if plan and case.pre_birth_plan else ()
    return tuple(r for r in _met_by(case, fact) if r in RECURRING)


def visit_due(policy: Policy, case: Case, rule: str, start: date) -> date | None:
    """When the next CP visit (or seen-alone visit) falls due after one on `start`: the
    interval the last conference set, else the pack's."""
    timescale = policy.timescale(rule)
    if timescale is None or "due" not in timescale.durations:
        return None
    if case.visiting_interval_weeks:
        return start + timedelta(weeks=case.visiting_interval_weeks)
    return due_date(policy.calendar(), start, timescale.durations["due"])


def cin_visit_due(policy: Policy, plan: Mapping[str, Any] | None, start: date) -> date | None:
    """The CiN plan's visiting interval after `start`, never beyond the pack's cap (G-SMART
    refuses a longer interval on a plan decided now; an older plan is held to the cap)."""
    timescale = policy.timescale("T-CIN-VISIT")
    cap = None if timescale is None else timescale.durations.get("max")
    if cap is None:
        return None
    latest = due_date(policy.calendar(), start, cap)
    weeks = (plan or {}).get("visiting_interval_weeks")
    return min(start + timedelta(weeks=int(weeks)), latest) if weeks else latest


def _link(policy: Policy, case: Case, rule: str, fact: Fact) -> tuple[date, str] | None:
    """Due date and owner of the obligation a fact opens for a recurring rule."""
    timescale = policy.timescale(rule)
    if timescale is None:
        return None
    start, name = fact.occurred_on, "due"
    if rule == "T-CIN-VISIT":
        due = cin_visit_due(policy, case.cin_plan, start)
    elif rule == "T-CORE-GROUP":
        reviewed = any(seq > case.period_seq and on <= start for seq, on in case.conferences)
        name = "then" if reviewed else "second"  # 6-weekly until the first RCPC, then 2-monthly
        duration = timescale.durations.get(name)
        due = None if duration is None else due_date(policy.calendar(), start, duration)
    else:
        due = visit_due(policy, case, rule, start)
    return None if due is None else (due, timescale.owner_for(name))


def _window_end(case: Case, ob: Obligation) -> date | None:
    """The date after which no fact can meet it: the next conference, for what belongs to
    a conference; otherwise none within the period."""
    if ob.rule not in ENDED_BY_CONFERENCE:
        return None
    return next((on for seq, on in case.conferences if seq > ob.opened_seq), None)


def _meets(ob: Obligation, fact: Fact, end: date | None) -> bool:
    on = fact.occurred_on
    if not ob.is_open or ob.opened_on > on or (end is not None and on > end):
        return False
    if ob.rule == "T-CORE-GROUP-RCPC":
        return on <= ob.due  # a core group at least 14 days before the conference
    if ob.rule == "T-TWO-YEARS":
        return on >= ob.due  # the discussion once the plan is two years old
    return True


class _Derivation:
    def __init__(self, case: Case, policy: Policy, facts: Sequence[Fact], reset: set[int]):
        self.case, self.policy, self.facts = case, policy, facts
        self.calendar = policy.calendar()
        self.current: dict[str, Obligation] = {}
        self.work: dict[str, Obligation] = {}
        for ob in case.obligations.values():
            if ob.rule not in FACT_RULES:
                continue
            if ob.opened_seq in reset:  # opened by a fact of the period: derived again
                self.current[ob.id] = ob
                continue
            rescuable = ob.rule in ENDED_BY_CONFERENCE and ob.opened_seq >= case.period_seq
            if ob.is_open or ob.met_seq in reset or (rescuable and ob.met_on is None):
                self.current[ob.id] = ob
                self.work[ob.id] = ob.reopen()
        self.active = {ob.rule for ob in case.obligations.values() if ob.rule in RECURRING}

    def run(self) -> None:
        recorded, circulated = False, set[str]()
        for fact in self.facts:
            for rule in _met_by(self.case, fact):
                self._meet(rule, fact)
            if fact.type == "ChildInNeedPlanRecorded":
                recorded = True
            if fact.type == "ChildInNeedPlanCirculated":
                circulated |= set(fact.data.get("recipients", ()))
            if recorded and circulated >= _PLAN_CIRCULATED_TO:
                self._meet("T-CIN-PLAN", fact)
            for rule in _opens(self.case, fact):
                self._open(rule, fact)
        for ob_id, ob in list(self.work.items()):
            end = _window_end(self.case, ob)
            if ob.is_open and end is not None:
                self.work[ob_id] = ob.lapse(end)

    def _meet(self, rule: str, fact: Fact) -> None:
        for ob_id, ob in list(self.work.items()):
            if ob.rule == rule and _meets(ob, fact, _window_end(self.case, ob)):
                late = self.calendar.working_days_between(ob.due, fact.occurred_on)
                self.work[ob_id] = ob.meet(fact.occurred_on, fact.seq, late)

    def _open(self, rule: str, fact: Fact) -> None:
        seen_alone_starts = rule == "T-SEEN-ALONE" and fact.type == "ChildBorn"
        if rule not in self.active and not seen_alone_starts:
            return  # no chain of this rule in the period (e.g. the pack does not keep it)
        ob_id = obligation_id(fact.seq, rule)
        existing = self.current.get(ob_id)
        if existing is not None:  # its due date was stored when it opened: kept
            self.work[ob_id] = existing.reopen()
            return
        link = _link(self.policy, self.case, rule, fact)
        if link is not None:
            due, owner = link
            self.work[ob_id] = Obligation(ob_id, rule, due, owner, fact.seq, fact.occurred_on)

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
