"""The timescales (DOMAIN.md §5): which obligations the events that move a case (meetings,
conferences, the ends of plans) open, meet and lapse. What stage-neutral facts (visits,
core groups, reports, records) meet and open is re-derived by date in `rechain`.

Called only by `decide`, with the policy and calendar in hand; the result is written into
the event's decision, so replay applies it without judging again. A due date is computed
here once, when the obligation opens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from cpworkflow.lifecycle.case import Case
from cpworkflow.lifecycle.facts import ENDED_BY_CONFERENCE, cin_visit_due
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
    **dict.fromkeys(("T-ICPC", "T-ICPC-REPORTS"), frozenset({"referral"})),
    **dict.fromkeys(("T-FIRST-RCPC", "T-NEXT-RCPC", "T-CP-VISIT", "T-BEDROOM", "T-REPORTS"), _CP),
    **dict.fromkeys(("T-CORE-GROUP", "T-LONG-PLAN", "T-TWO-YEARS", "T-SEEN-ALONE"), _CP),
    "T-CORE-GROUP-RCPC": _CP,
    **dict.fromkeys(("T-FIRST-CIN", "T-CIN-PLAN", "T-CIN-COPIES", "T-CIN-REVIEW"), _CIN),
    "T-CIN-VISIT": _CIN,
    **dict.fromkeys(("T-OUTCOMES", "T-NOTIFY", "T-IRO-AUDIT"), frozenset(STAGES)),
}


class Effects:
    """Collects what one decision opens, meets and lapses."""

    def __init__(self, p: Proposal, seq: int) -> None:
        self.p, self.seq = p, seq
        self.opened: list[Json] = []
        self.met: list[Json] = []
        self.lapsed: list[Json] = []
        self.withdrawn: list[str] = []

    def duration(self, rule: str, name: str = "due") -> Duration | None:
        timescale = self.p.policy.timescale(rule)
        return None if timescale is None else timescale.durations.get(name)

    def open(
        self,
        rule: str,
        due: date | None = None,
        *,
        start: date | None = None,
        name: str = "due",
        since: Obligation | None = None,
    ) -> None:
        """Open `rule` due on `due` (or the named amount after `start`); `since`: it takes
        the place of an obligation opened earlier, and keeps when that one opened."""
        timescale = self.p.policy.timescale(rule)
        if timescale is None:  # not in this pack
            return
        if due is None:
            duration = timescale.durations.get(name)
            if duration is None:
                return
            due = due_date(self.p.policy.calendar(), start or self.p.occurred_on, duration)
        spec: Json = {
            "id": obligation_id(self.seq, rule),
            "rule": rule,
            "due": due.isoformat(),
            "owner_role": timescale.owner_for(name),
        }
        if since is not None:
            spec |= {"opened_seq": since.opened_seq, "opened_on": since.opened_on.isoformat()}
        self.opened.append(spec)

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
        out = {"opened": self.opened, "met": self.met, "lapsed": self.lapsed}
        return out | ({"withdrawn": self.withdrawn} if self.withdrawn else {})


def _step_down(fx: Effects) -> None:
    """A CP plan ended (or an ICPC made none) and CiN planning starts."""
    fx.open("T-CIN-PLAN")
    fx.open("T-FIRST-CIN")
    _next_cin_visit(fx)


def _next_cin_visit(fx: Effects) -> None:
    plan = fx.p.support.get("plan") or fx.p.data.get("plan") or fx.p.case.cin_plan
    due = cin_visit_due(fx.p.policy, plan, fx.p.occurred_on)
    if due is not None:
        fx.open("T-CIN-VISIT", due)


def _strategy(fx: Effects) -> None:
    outcome = fx.p.data.get("outcome")
    if outcome == "s47":
        fx.open("T-ASSESSMENT")
        if fx.p.stage_after == "referral":  # an enquiry outside a plan: an ICPC may follow
            fx.open("T-ICPC")
    elif outcome == "s17" and fx.p.stage_after == "step_down":
        # No conference: the planning meeting within 10 working days, the social worker's.
        fx.open("T-FIRST-CIN", name="s17")
        _next_cin_visit(fx)


def _initial(fx: Effects) -> None:
    p = fx.p
    fx.meet("T-ICPC")
    fx.lapse(fx.open_ones("T-ICPC-REPORTS"))
    if p.data.get("decision") == "plan":
        fx.open("T-FIRST-RCPC")
        fx.open("T-CORE-GROUP", name="first")
        weeks = p.data.get("visiting_interval_weeks")
        visit = p.occurred_on + timedelta(weeks=int(weeks)) if weeks else None
        fx.open("T-CP-VISIT", visit)
        if not p.data.get("pre_birth"):  # seen alone from birth on (ChildBorn)
            fx.open("T-SEEN-ALONE", visit)
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
    if fx.p.type == "InitialConferenceConvened":
        fx.open("T-ICPC-REPORTS", start=conference_date)
        return
    fx.open("T-REPORTS", start=conference_date)
    fx.open("T-CORE-GROUP-RCPC", start=conference_date)
    # Advice before the third RCPC is due the day before it, when it is called earlier.
    day_before = conference_date - timedelta(days=1)
    for ob in list(fx.open_ones("T-LONG-PLAN")):
        if day_before < ob.due:
            fx.withdrawn.append(ob.id)
            fx.open("T-LONG-PLAN", day_before, since=ob)


def _review(fx: Effects) -> None:
    p = fx.p
    fx.meet("T-FIRST-RCPC", "T-NEXT-RCPC")
    fx.lapse(fx.open_ones(*ENDED_BY_CONFERENCE))
    if p.data.get("decision") == "continue":
        fx.open("T-NEXT-RCPC")
        _bedroom(fx)
        if p.case.rcpcs_held == 1:  # the second RCPC continues: advice before the third
            next_review = p.data.get("next_review_date")
            third = [o["due"] for o in fx.opened if o["rule"] == "T-NEXT-RCPC"]
            due = next_review or (third[0] if third else None)
            if due:
                fx.open("T-LONG-PLAN", date.fromisoformat(due) - timedelta(days=1))
        return
    fx.open("T-OUTCOMES")
    fx.open("T-NOTIFY")
    if p.case.rcpcs_held == 0:
        fx.open("T-IRO-AUDIT")
    if p.stage_after == "step_down":
        _step_down(fx)


def _cin_meeting(fx: Effects) -> None:
    fx.meet("T-FIRST-CIN" if fx.p.data.get("kind") == "first" else "T-CIN-REVIEW")
    fx.open("T-CIN-COPIES")
    next_date = fx.p.data.get("next_meeting_date")
    if next_date:
        fx.open("T-CIN-REVIEW", date.fromisoformat(next_date))


def _final_review(fx: Effects) -> None:
    fx.meet("T-CIN-REVIEW")
    if fx.p.data.get("decision") != "continue":
        return
    next_date, weeks = fx.p.data.get("next_meeting_date"), fx.p.data.get("review_interval_weeks")
    if next_date:
        fx.open("T-CIN-REVIEW", date.fromisoformat(next_date))
    elif weeks:  # a final review decided before revision 2 set an interval only
        fx.open("T-CIN-REVIEW", fx.p.occurred_on + timedelta(weeks=int(weeks)))


# What the events that are not stage-neutral facts open and meet. The facts (visits, core
# groups, reports, records, advice, audits, notifications) are `rechain`'s.
ROUTES: dict[str, Callable[[Effects], None]] = {
    "StrategyMeetingHeld": _strategy,
    "InitialConferenceConvened": _convened,
    "InitialConferenceHeld": _initial,
    "ReviewConferenceConvened": _convened,
    "ReviewConferenceHeld": _review,
    "ChildProtectionPlanEnded": lambda fx: fx.open("T-NOTIFY"),
    "ChildInNeedMeetingHeld": _cin_meeting,
    "FinalChildInNeedReviewHeld": _final_review,
}


def effects(p: Proposal, seq: int) -> Json:
    """What the event at `seq` opens, meets and lapses, as it goes into the decision."""
    route = ROUTES.get(p.type)
    if route is None and p.stage_after is None:  # most events, every fact: nothing
        return {"opened": [], "met": [], "lapsed": []}  # (`Effects.json` of none)
    fx = Effects(p, seq)
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


def retraction_fallback(case: Case, target_seq: int, stage: str | None) -> Json:
    """Retracting an event of an earlier period, or one no timescale reads: reopen what it
    met, where that still applies, and withdraw what it opened, if still open. (A fact of
    the current period is re-derived by `rechain` instead.)"""
    obligations = list(case.obligations.values())
    reopened = [ob.id for ob in obligations if ob.met_seq == target_seq and stage in SCOPE[ob.rule]]
    withdrawn = [ob.id for ob in obligations if ob.opened_seq == target_seq and ob.is_open]
    return {"reopened": reopened, "withdrawn": withdrawn}
