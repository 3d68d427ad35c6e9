"""What each stage-neutral fact does to the timescales (DOMAIN.md §5): which it meets, which
recurring one it opens the next obligation of, and when that one falls due. `rechain`
places the period's facts by date and applies these; nothing here keeps state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from cpworkflow.lifecycle.case import Case
from cpworkflow.lifecycle.machine import PERIOD_OF
from cpworkflow.lifecycle.obligation import Obligation
from cpworkflow.policy.pack import Policy, due_date
from cpworkflow.policy.workingdays import add_months

Json = dict[str, Any]

# Timescales that repeat: each satisfying fact meets the open one and opens the next.
RECURRING = ("T-CP-VISIT", "T-SEEN-ALONE", "T-CIN-VISIT", "T-CORE-GROUP")
# Obligations that belong to the conference about to be held: missed if still open then.
ENDED_BY_CONFERENCE = ("T-BEDROOM", "T-REPORTS", "T-LONG-PLAN", "T-CORE-GROUP-RCPC")
PLAN_CIRCULATED_TO = frozenset({"child", "family", "agencies"})


@dataclass(frozen=True)
class Fact:
    """A stage-neutral fact as the re-derivation reads it."""

    seq: int
    type: str
    occurred_on: date
    data: Mapping[str, Any]  # read, never changed


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
# Every timescale each fact can meet or open, whatever its data says (for `cpw events`).
TIMESCALES_OF: dict[str, tuple[str, ...]] = {
    **_MET_BY,
    "ChildVisited": ("T-CP-VISIT", "T-SEEN-ALONE", "T-CIN-VISIT", "T-BEDROOM"),
    "ChildInNeedPlanRecorded": ("T-CIN-PLAN",),
    "ChildInNeedPlanCirculated": ("T-CIN-COPIES", "T-CIN-PLAN"),
    "ManagementAdviceSought": ("T-TWO-YEARS", "T-LONG-PLAN"),
    "ChildBorn": ("T-SEEN-ALONE",),
}


def is_baby(case: Case, on: date) -> bool:
    """Under one year old on `on` (a baby seen awake counts as seen alone, 001)."""
    born = case.child.get("birth_date")
    if not isinstance(born, str):
        return False
    birth, first_birthday = _first_year(born)
    return birth <= on < first_birthday


@lru_cache(maxsize=4096)
def _first_year(born: str) -> tuple[date, date]:
    birth = date.fromisoformat(born)
    return birth, add_months(birth, 12)


def met_by(case: Case, fact: Fact) -> tuple[str, ...]:
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


def opens(case: Case, fact: Fact, met: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The recurring rules whose next obligation this fact opens (`met`: its `met_by`, when
    the caller has it already)."""
    if fact.type == "ChildBorn":  # a pre-birth plan: seeing the child alone starts now
        plan = PERIOD_OF.get(case.stage or "") == "plan"
        return ("T-SEEN-ALONE",) if plan and case.pre_birth_plan else ()
    return tuple(r for r in (met_by(case, fact) if met is None else met) if r in RECURRING)


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


def link(policy: Policy, case: Case, rule: str, fact: Fact) -> tuple[date, str] | None:
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


def window_end(case: Case, ob: Obligation) -> date | None:
    """The date after which no fact can meet it: the next conference, for what belongs to
    a conference; otherwise none within the period."""
    if ob.rule not in ENDED_BY_CONFERENCE:
        return None
    return next((on for seq, on in case.conferences if seq > ob.opened_seq), None)


def meets(ob: Obligation, fact: Fact, end: date | None) -> bool:
    """The open obligation `ob` is met by `fact` (`end`: its `window_end`)."""
    return ob.is_open and reaches(ob, fact, end)


def reaches(ob: Obligation, fact: Fact, end: date | None) -> bool:
    """`fact` would meet `ob` were it open: the fact is on or after the day it opened,
    within its window, and on the right side of its due date where that matters."""
    on = fact.occurred_on
    if ob.opened_on > on or (end is not None and on > end):
        return False
    if ob.rule == "T-CORE-GROUP-RCPC":
        return on <= ob.due  # a core group at least 14 days before the conference
    if ob.rule == "T-TWO-YEARS":
        return on >= ob.due  # the discussion once the plan is two years old
    return True
