"""The timescales (DOMAIN.md §5): which obligations an event opens, meets and lapses.

Called only by `decide`, with the policy and calendar in hand; the result is written into
the event's decision, so replay applies it without judging again. A due date is computed
here once, when the obligation opens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from cpworkflow.lifecycle.case import Case
from cpworkflow.lifecycle.machine import OPEN_STAGES, STAGES
from cpworkflow.lifecycle.obligation import Obligation, obligation_id
from cpworkflow.lifecycle.proposal import Proposal
from cpworkflow.policy.pack import due_date
from cpworkflow.policy.schema import Duration

Json = dict[str, Any]
_CP = frozenset({"cp_plan", "review"})
_CIN = frozenset({"step_down", "cin", "final_review"})
# The stages in which an open obligation still applies; leaving them lapses it.
SCOPE: dict[str, frozenset[str]] = {
    "T-ASSESSMENT": frozenset(OPEN_STAGES),
    **dict.fromkeys(("T-FIRST-RCPC", "T-NEXT-RCPC", "T-CP-VISIT", "T-BEDROOM", "T-REPORTS"), _CP),
    **dict.fromkeys(("T-CORE-GROUP", "T-LONG-PLAN", "T-TWO-YEARS"), _CP),
    **dict.fromkeys(("T-FIRST-CIN", "T-CIN-PLAN", "T-CIN-COPIES", "T-CIN-REVIEW"), _CIN),
    "T-CIN-VISIT": _CIN,
    **dict.fromkeys(("T-OUTCOMES", "T-NOTIFY", "T-IRO-AUDIT"), frozenset(STAGES)),
}
# Obligations that belong to the conference about to be held: missed if still open then.
ENDED_BY_CONFERENCE = ("T-BEDROOM", "T-REPORTS", "T-LONG-PLAN")


class Effects:
    """Collects what one decision opens, meets and lapses."""

    def __init__(self, p: Proposal, seq: int) -> None:
        self.p, self.seq = p, seq
        self.opened: list[Json] = []
        self.met: list[Json] = []
        self.lapsed: list[Json] = []

    def duration(self, rule: str, name: str = "due") -> Duration | None:
        timescale = self.p.policy.timescale(rule)
        return None if timescale is None else timescale.durations.get(name)

    def open(
        self, rule: str, due: date | None = None, *, start: date | None = None, name: str = "due"
    ) -> None:
        timescale = self.p.policy.timescale(rule)
        if timescale is None:  # not in this pack
            return
        if due is None:
            duration = timescale.durations.get(name)
            if duration is None:
                return
            due = due_date(self.p.policy.calendar(), start or self.p.occurred_on, duration)
        self.opened.append(
            {
                "id": obligation_id(self.seq, rule),
                "rule": rule,
                "due": due.isoformat(),
                "owner_role": timescale.owner_for(name),
            }
        )

    def open_ones(self, *rules: str) -> Iterable[Obligation]:
        done = {m["id"] for m in self.met}
        for ob in self.p.case.obligations.values():
            fits = ob.rule in rules and ob.is_open and ob.id not in done
            if fits and ob.opened_on <= self.p.occurred_on:
                yield ob

    def meet(self, *rules: str, on: date | None = None) -> None:
        on = on or self.p.occurred_on
        calendar = self.p.policy.calendar()
        for ob in list(self.open_ones(*rules)):
            late = calendar.working_days_between(ob.due, on)
            self.met.append({"id": ob.id, "on": on.isoformat(), "late_by_working_days": late})

    def lapse(self, obligations: Iterable[Obligation]) -> None:
        on = self.p.occurred_on.isoformat()
        self.lapsed += [{"id": ob.id, "on": on} for ob in obligations]

    def json(self) -> Json:
        return {"opened": self.opened, "met": self.met, "lapsed": self.lapsed}


def _step_down(fx: Effects) -> None:
    """A CP plan ended (or an ICPC made none) and CiN planning starts."""
    fx.open("T-CIN-PLAN")
    fx.open("T-FIRST-CIN")
    _next_cin_visit(fx)


def _next_cin_visit(fx: Effects) -> None:
    cap = fx.duration("T-CIN-VISIT", "max")
    if cap is None:
        return
    plan = fx.p.support.get("plan") or fx.p.data.get("plan") or fx.p.case.cin_plan or {}
    weeks = plan.get("visiting_interval_weeks")
    latest = due_date(fx.p.policy.calendar(), fx.p.occurred_on, cap)
    planned = fx.p.occurred_on + timedelta(weeks=int(weeks)) if weeks else latest
    fx.open("T-CIN-VISIT", min(planned, latest))


def _strategy(fx: Effects) -> None:
    outcome = fx.p.data.get("outcome")
    if outcome == "s47":
        fx.open("T-ASSESSMENT")
    elif outcome == "s17" and fx.p.stage_after == "step_down":
        fx.open("T-FIRST-CIN")
        _next_cin_visit(fx)


def _initial(fx: Effects) -> None:
    p = fx.p
    if p.data.get("decision") == "plan":
        fx.open("T-FIRST-RCPC")
        fx.open("T-CORE-GROUP", name="first")
        fx.open("T-CP-VISIT")
        fx.open("T-TWO-YEARS")
        _bedroom(fx)
    elif p.stage_after == "step_down":
        fx.open("T-OUTCOMES")
        _step_down(fx)


def _bedroom(fx: Effects) -> None:
    """Once between conferences: due by the date the next conference is due."""
    conference = [o for o in fx.opened if o["rule"] in ("T-FIRST-RCPC", "T-NEXT-RCPC")]
    if conference:
        fx.open("T-BEDROOM", date.fromisoformat(conference[0]["due"]))


def _convened(fx: Effects) -> None:
    conference_date = date.fromisoformat(fx.p.data["conference_date"])
    fx.open("T-REPORTS", start=conference_date)
    if fx.p.case.rcpcs_held == 2:  # about thirteen months in: the third RCPC
        fx.open("T-LONG-PLAN", conference_date - timedelta(days=1))


def _review(fx: Effects) -> None:
    p = fx.p
    fx.meet("T-FIRST-RCPC", "T-NEXT-RCPC")
    fx.lapse(fx.open_ones(*ENDED_BY_CONFERENCE))
    if p.data.get("decision") == "continue":
        fx.open("T-NEXT-RCPC")
        _bedroom(fx)
        return
    fx.open("T-OUTCOMES")
    fx.open("T-NOTIFY")
    if p.case.rcpcs_held == 0:
        fx.open("T-IRO-AUDIT")
    if p.stage_after == "step_down":
        _step_down(fx)


def _core_group(fx: Effects) -> None:
    fx.meet("T-CORE-GROUP")
    fx.open("T-CORE-GROUP", name="second" if fx.p.case.core_groups_held == 0 else "then")


def _visit(fx: Effects) -> None:
    data, stage = fx.p.data, fx.p.case.stage
    if data.get("bedroom_seen"):
        fx.meet("T-BEDROOM")
    if not data.get("seen"):
        return
    if stage in _CP and data.get("seen_alone"):
        fx.meet("T-CP-VISIT")
        fx.open("T-CP-VISIT")
    elif stage in _CIN:
        fx.meet("T-CIN-VISIT")
        _next_cin_visit(fx)


def _cin_plan_records(fx: Effects) -> None:
    case, kind = fx.p.case, fx.p.type
    recorded = bool(case.cin_plan_recorded) or kind == "ChildInNeedPlanRecorded"
    circulated = bool(case.cin_plan_circulated) or kind == "ChildInNeedPlanCirculated"
    if recorded and circulated:
        fx.meet("T-CIN-PLAN")
    if kind == "ChildInNeedPlanCirculated":
        fx.meet("T-CIN-COPIES")


def _cin_meeting(fx: Effects) -> None:
    fx.meet("T-FIRST-CIN" if fx.p.data.get("kind") == "first" else "T-CIN-REVIEW")
    fx.open("T-CIN-COPIES")
    next_date = fx.p.data.get("next_meeting_date")
    if next_date:
        fx.open("T-CIN-REVIEW", date.fromisoformat(next_date))


def _final_review(fx: Effects) -> None:
    fx.meet("T-CIN-REVIEW")
    weeks = fx.p.data.get("review_interval_weeks")
    if fx.p.data.get("decision") == "continue" and weeks:
        fx.open("T-CIN-REVIEW", fx.p.occurred_on + timedelta(weeks=int(weeks)))


def _advice(fx: Effects) -> None:
    if "group_manager" in fx.p.data.get("from", ()):
        fx.meet("T-LONG-PLAN")
    # Past two years on a plan, the discussion of other ways to protect the child.
    for ob in list(fx.open_ones("T-TWO-YEARS")):
        if fx.p.occurred_on >= ob.due:
            fx.meet("T-TWO-YEARS")


ROUTES: dict[str, Callable[[Effects], None]] = {
    "StrategyMeetingHeld": _strategy,
    "AssessmentCompleted": lambda fx: fx.meet("T-ASSESSMENT"),
    "InitialConferenceHeld": _initial,
    "ReviewConferenceConvened": _convened,
    "ReviewConferenceHeld": _review,
    "ChildProtectionPlanEnded": lambda fx: fx.open("T-NOTIFY"),
    "CoreGroupMeetingHeld": _core_group,
    "ChildVisited": _visit,
    "AgencyReportReceived": lambda fx: fx.meet("T-REPORTS"),
    "OutcomesRecorded": lambda fx: fx.meet("T-OUTCOMES"),
    "ChildInNeedPlanRecorded": _cin_plan_records,
    "ChildInNeedPlanCirculated": _cin_plan_records,
    "ChildInNeedMeetingHeld": _cin_meeting,
    "FinalChildInNeedReviewHeld": _final_review,
    "ManagementAdviceSought": _advice,
    "IroManagerAuditCompleted": lambda fx: fx.meet("T-IRO-AUDIT"),
    "AgenciesNotified": lambda fx: fx.meet("T-NOTIFY"),
}


def effects(p: Proposal, seq: int) -> Json:
    """What the event at `seq` opens, meets and lapses, as it goes into the decision."""
    fx = Effects(p, seq)
    route = ROUTES.get(p.type)
    if route is not None:
        route(fx)
    if p.stage_after is not None:
        met = {m["id"] for m in fx.met} | {lp["id"] for lp in fx.lapsed}
        out_of_scope = [
            ob
            for ob in p.case.obligations.values()
            if ob.is_open and ob.id not in met and p.stage_after not in SCOPE[ob.rule]
        ]
        fx.lapse(out_of_scope)
    return fx.json()


# T-CIN-PLAN is met by the later of a record and a circulation of the CiN plan, so
# retracting the earlier half undoes it too (unless another record of that half remains).
_PLAN_HALVES = {
    "ChildInNeedPlanRecorded": "cin_plan_recorded",
    "ChildInNeedPlanCirculated": "cin_plan_circulated",
}


def retraction_effects(
    case: Case, target_seq: int, target_type: str | None, stage: str | None
) -> Json:
    """Undo what a retracted event did to obligations: reopen what it met, withdraw what
    it opened (if still open). The retracted event stays in the log."""
    obligations = list(case.obligations.values())
    half = _PLAN_HALVES.get(target_type or "")
    last_of_its_half = half is not None and not [s for s in getattr(case, half) if s != target_seq]

    def undone(ob: Obligation) -> bool:
        if ob.met_seq == target_seq:
            return True
        joint = last_of_its_half and ob.rule == "T-CIN-PLAN" and ob.met_seq is not None
        return joint and ob.opened_seq < target_seq < (ob.met_seq or 0)

    reopened = [ob.id for ob in obligations if undone(ob) and stage in SCOPE[ob.rule]]
    withdrawn = [ob.id for ob in obligations if ob.opened_seq == target_seq and ob.is_open]
    return {"reopened": reopened, "withdrawn": withdrawn}
