"""One case log folded into CIN census episodes (docs/census.md, "Who is in the return").

Each CaseOpened / CaseReopened starts an episode; the fold applies the recorded facts up to
the reference date (as the log is known now: retracted events are skipped) and never
judges them. What the child is (ref, birth, UPN, disabilities, ...) is the latest of
CaseOpened's `child`, ChildDetailsRecorded and ChildBorn. Writing the XML is `census`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from cpworkflow.records import StoredEvent
from cpworkflow.reports import census_rules as rules
from cpworkflow.reports.census_records import Assessment, CinPlan, Episode, Plan, Section47

PLAN_STAGES = ("cp_plan", "review")
# ChildDetailsRecorded fields that describe the child (the latest value wins).
CHILD_DETAILS = ("upn", "upn_unknown", "disabilities", "gender", "ethnicity", "former_upn")


class CaseFold:
    """One case log folded into census episodes. Applies facts; never judges them."""

    def __init__(self, case_id: str, reference_date: date) -> None:
        self.case_id = case_id
        self.reference_date = reference_date
        self.child: dict[str, Any] = {}
        self.episodes: list[Episode] = []
        self.died_on: date | None = None

    @property
    def episode(self) -> Episode:
        if not self.episodes:
            raise rules.refuse(self.case_id, "CINdetails", "the log does not start with CaseOpened")
        return self.episodes[-1]

    def opened(self, event: StoredEvent, before: str | None) -> None:
        if event.type == "CaseOpened":
            self.child = dict(event.data.get("child") or {})
        self.episodes.append(rules.new_episode(self.case_id, event.data, event.occurred_on))
        self.episode.seqs.append(event.seq)

    def details(self, event: StoredEvent) -> None:
        """ChildDetailsRecorded: what was learned about the child, whenever it was learned."""
        learned = {k: event.data[k] for k in CHILD_DETAILS if k in event.data}
        if "upn" in learned:  # a UPN, or the reason there is none: the latest of the two
            self.child.pop("upn_unknown", None)
        if "upn_unknown" in learned:
            self.child.pop("upn", None)
        self.child.update(learned)

    def born(self, event: StoredEvent) -> None:
        """ChildBorn, once the birth is on or before the reference date."""
        born_on = rules.iso_date(self.case_id, "PersonBirthDate", event.data.get("birth_date"))
        if born_on <= self.reference_date:
            self.child["birth_date"] = born_on.isoformat()
            if event.data.get("gender") is not None:
                self.child["gender"] = event.data["gender"]

    def strategy(self, event: StoredEvent, before: str | None) -> None:
        ep, on = self.episode, event.occurred_on
        open_s47 = ep.open_s47()
        if event.data.get("outcome") == "s47":
            if before in PLAN_STAGES:  # a new concern during a plan: the RCPC deals with it
                ep.s47s.append(Section47(on, concluded=on, icpc_not_required=True))
            elif open_s47 is None:  # a reconvened strategy meeting continues the enquiry
                ep.s47s.append(Section47(on))
            ep.s47s[-1].seqs.append(event.seq)
        elif open_s47 is not None:
            open_s47.concluded, open_s47.icpc_not_required = on, True
            open_s47.seqs.append(event.seq)

    def assessment_started(self, event: StoredEvent, before: str | None) -> None:
        self.episode.assessments.append(Assessment(event.occurred_on, seqs=[event.seq]))

    def assessment_completed(self, event: StoredEvent, before: str | None) -> None:
        ongoing = [a for a in self.episode.assessments if a.authorised is None]
        if not ongoing:
            raise rules.refuse(
                self.case_id,
                "AssessmentActualStartDate",
                f"the census needs the start date of the assessment completed on "
                f"{event.occurred_on} (AssessmentActualStartDate): no AssessmentStarted "
                "before it",
            )
        ongoing[0].authorised = event.occurred_on
        ongoing[0].factors = rules.factor_codes(self.case_id, event.data.get("factors"))
        ongoing[0].outcome = event.data.get("outcome")
        ongoing[0].child_seen = event.data.get("child_seen")
        ongoing[0].seqs.append(event.seq)

    def initial_conference(self, event: StoredEvent, before: str | None) -> None:
        ep, on = self.episode, event.occurred_on
        s47 = ep.open_s47()
        made_plan = event.data.get("decision") == "plan"
        if s47 is not None:
            s47.icpc = s47.concluded = on
            s47.icpc_plan = made_plan
            s47.seqs.append(event.seq)
        else:
            ep.icpc_alone = on
        if made_plan:
            code = rules.category_code(
                self.case_id, "InitialCategoryOfAbuse", event.data.get("categories")
            )
            ep.plans.append(Plan(on, initial=code, latest=code, seqs=[event.seq]))
            cin_plan = ep.open_cin_plan()
            if cin_plan is not None:
                cin_plan.ended = on
                cin_plan.seqs.append(event.seq)

    def review_conference(self, event: StoredEvent, before: str | None) -> None:
        plan = self.episode.open_plan()
        if plan is None:
            return
        plan.reviews.append(event.occurred_on)
        plan.seqs.append(event.seq)
        if event.data.get("categories"):
            plan.latest = rules.category_code(
                self.case_id, "LatestCategoryOfAbuse", event.data["categories"]
            )
        if event.data.get("decision") == "end_plan":
            plan.ended = event.occurred_on

    def plan_ended(self, event: StoredEvent, before: str | None) -> None:
        plan = self.episode.open_plan()
        if plan is not None:
            plan.ended = event.occurred_on
            plan.seqs.append(event.seq)

    def stepped_down(self, event: StoredEvent) -> None:
        """Into CiN planning (s17, or a conference that chose CiN support)."""
        if self.episode.open_cin_plan() is None:
            self.episode.cin_plans.append(CinPlan(event.occurred_on, seqs=[event.seq]))

    def closed(self, event: StoredEvent) -> None:
        ep, on = self.episode, event.occurred_on
        ep.closed = on
        ep.seqs.append(event.seq)
        for open_item in (ep.open_cin_plan(), ep.open_plan()):
            if open_item is not None:
                open_item.ended = on
                open_item.seqs.append(event.seq)
        s47 = ep.open_s47()
        if s47 is not None:
            s47.concluded, s47.icpc_not_required = on, True
            s47.seqs.append(event.seq)
        ep.reason, ep.nfa = rules.closure(self.case_id, ep, event.type, event.data.get("reason"))
        if ep.reason == rules.RC_DIED:
            self.died_on = on


_Handler = Callable[[CaseFold, StoredEvent, "str | None"], None]
_HANDLERS: Mapping[str, _Handler] = {
    "CaseOpened": CaseFold.opened,
    "CaseReopened": CaseFold.opened,
    "StrategyMeetingHeld": CaseFold.strategy,
    "AssessmentStarted": CaseFold.assessment_started,
    "AssessmentCompleted": CaseFold.assessment_completed,
    "InitialConferenceHeld": CaseFold.initial_conference,
    "ReviewConferenceHeld": CaseFold.review_conference,
    "ChildProtectionPlanEnded": CaseFold.plan_ended,
}


def fold(log: Sequence[StoredEvent], reference_date: date) -> CaseFold:
    """Fold one log as known now, keeping what happened on or before the reference date.
    Raises BadInputError (naming the case and the census field) for a log the census
    cannot be made from."""
    events = sorted(log, key=lambda e: e.seq)
    case = CaseFold(events[0].case_id, reference_date)
    retracted = {e.data.get("seq") for e in events if e.type == "EntryRetracted"}
    stage: str | None = None
    for event in events:
        before, stage = stage, event.decision.get("stage_after")
        if not isinstance(stage, str):
            raise rules.refuse(case.case_id, "CINdetails", f"seq {event.seq} has no stage_after")
        if event.seq in retracted:
            continue
        if event.type == "ChildDetailsRecorded":  # true of the child, whenever learned
            case.details(event)
            continue
        if event.type == "ChildBorn":  # counts from the birth, whenever recorded
            case.born(event)
            continue
        when = event.occurred_on
        if event.type in ("CaseOpened", "CaseReopened"):  # the referral may predate the record
            when = min(when, rules.referral_date(case.case_id, event.data, when))
        if when > reference_date:
            continue
        handler = _HANDLERS.get(event.type)
        if handler is not None:
            handler(case, event, before)
        if stage == "step_down" and before != "step_down":
            case.stepped_down(event)
        elif stage == "closed" and before != "closed":
            case.closed(event)
    return case
