"""The CIN census return (`cpw export --format cin-census`): a pure function of the logs.

Each case log is folded into census episodes (one per CaseOpened / CaseReopened), the
episodes open at some point in the census year are kept, and the `Message` document is
written in the element order of `shared/reference/cin-census.xsd`. The mapping and every
choice behind it are in docs/census.md; the code lists are in `census_rules`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from cpworkflow import __version__
from cpworkflow.errors import BadInputError
from cpworkflow.records import StoredEvent
from cpworkflow.reports import census_rules as rules

Period = tuple[date, date]
PLAN_STAGES = ("cp_plan", "review")


class _CaseFold:
    """One case log folded into census episodes. Applies facts; never judges them."""

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        self.child: Mapping[str, Any] = {}
        self.episodes: list[rules.Episode] = []
        self.died_on: date | None = None

    @property
    def episode(self) -> rules.Episode:
        if not self.episodes:
            raise rules.refuse(self.case_id, "CINdetails", "the log does not start with CaseOpened")
        return self.episodes[-1]

    def opened(self, event: StoredEvent, before: str | None) -> None:
        if event.type == "CaseOpened":
            self.child = event.data.get("child") or {}
        self.episodes.append(rules.new_episode(self.case_id, event.data, event.occurred_on))

    def strategy(self, event: StoredEvent, before: str | None) -> None:
        ep, on = self.episode, event.occurred_on
        open_s47 = ep.open_s47()
        if event.data.get("outcome") == "s47":
            if before in PLAN_STAGES:  # a new concern during a plan: the RCPC deals with it
                ep.s47s.append(rules.Section47(on, concluded=on, icpc_not_required=True))
            elif open_s47 is None:  # a reconvened strategy meeting continues the enquiry
                ep.s47s.append(rules.Section47(on))
        elif open_s47 is not None:
            open_s47.concluded, open_s47.icpc_not_required = on, True

    def assessment_started(self, event: StoredEvent, before: str | None) -> None:
        self.episode.assessments.append(rules.Assessment(event.occurred_on))

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

    def initial_conference(self, event: StoredEvent, before: str | None) -> None:
        ep, on = self.episode, event.occurred_on
        s47 = ep.open_s47()
        if s47 is not None:
            s47.icpc = s47.concluded = on
        else:
            ep.icpc_alone = on
        if event.data.get("decision") == "plan":
            code = rules.category_code(
                self.case_id, "InitialCategoryOfAbuse", event.data.get("categories")
            )
            ep.plans.append(rules.Plan(on, initial=code, latest=code))
            cin_plan = ep.open_cin_plan()
            if cin_plan is not None:
                cin_plan.ended = on

    def review_conference(self, event: StoredEvent, before: str | None) -> None:
        plan = self.episode.open_plan()
        if plan is None:
            return
        plan.reviews.append(event.occurred_on)
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

    def stepped_down(self, on: date) -> None:
        """Into CiN planning (s17, or a conference that chose CiN support)."""
        if self.episode.open_cin_plan() is None:
            self.episode.cin_plans.append(rules.CinPlan(on))

    def closed(self, event: StoredEvent) -> None:
        ep, on = self.episode, event.occurred_on
        ep.closed = on
        for open_item in (ep.open_cin_plan(), ep.open_plan()):
            if open_item is not None:
                open_item.ended = on
        s47 = ep.open_s47()
        if s47 is not None:
            s47.concluded, s47.icpc_not_required = on, True
        ep.reason, ep.nfa = rules.closure(self.case_id, ep, event.type, event.data.get("reason"))
        if ep.reason == rules.RC_DIED:
            self.died_on = on


_Handler = Callable[[_CaseFold, StoredEvent, "str | None"], None]
_HANDLERS: Mapping[str, _Handler] = {
    "CaseOpened": _CaseFold.opened,
    "CaseReopened": _CaseFold.opened,
    "StrategyMeetingHeld": _CaseFold.strategy,
    "AssessmentStarted": _CaseFold.assessment_started,
    "AssessmentCompleted": _CaseFold.assessment_completed,
    "InitialConferenceHeld": _CaseFold.initial_conference,
    "ReviewConferenceHeld": _CaseFold.review_conference,
    "ChildProtectionPlanEnded": _CaseFold.plan_ended,
}


def _fold(log: Sequence[StoredEvent], reference_date: date) -> _CaseFold:
    """Fold one log as known now, keeping what happened on or before the reference date."""
    events = sorted(log, key=lambda e: e.seq)
    fold = _CaseFold(events[0].case_id)
    retracted = {e.data.get("seq") for e in events if e.type == "EntryRetracted"}
    stage: str | None = None
    for event in events:
        before, stage = stage, event.decision.get("stage_after")
        if not isinstance(stage, str):
            raise rules.refuse(fold.case_id, "CINdetails", f"seq {event.seq} has no stage_after")
        when = event.occurred_on
        if event.type in ("CaseOpened", "CaseReopened"):  # the referral may predate the record
            when = min(when, rules.referral_date(fold.case_id, event.data, when))
        if event.seq in retracted or when > reference_date:
            continue
        handler = _HANDLERS.get(event.type)
        if handler is not None:
            handler(fold, event, before)
        if stage == "step_down" and before != "step_down":
            fold.stepped_down(event.occurred_on)
        elif stage == "closed" and before != "closed":
            fold.closed(event)
    return fold


def census_xml(
    logs: Iterable[Sequence[StoredEvent]],
    *,
    year: int,
    la_code: str = "000",
    reference_date: date | None = None,
    generated_at: datetime | None = None,
) -> bytes:
    """The CIN census `Message` for the year ending 31 March `year` (2026 is 2025-26).

    One stored log per case. A child is in the return when one of its CIN episodes was
    open at some point from 1 April `year - 1` to the reference date (default 31 March
    `year`); only what happened by the reference date counts. `generated_at` becomes the
    header's DateTime (omitted when not given, so the output is a function of the input).
    Raises BadInputError, naming the case and the census field, when the log lacks a
    required item that the census has no "not known" value for.
    """
    if not rules.LA_CODE.fullmatch(la_code):
        raise BadInputError(
            f"{la_code!r} is not a three-digit local authority code", field="la_code"
        )
    reference_date = reference_date or date(year, 3, 31)
    period = (date(year - 1, 4, 1), reference_date)
    by_child: dict[str, list[_CaseFold]] = {}
    for log in logs:
        fold = _fold(log, reference_date) if log else None
        if fold is None or not fold.episodes:
            continue
        ref = fold.child.get("ref")
        if not isinstance(ref, str) or not ref:
            raise rules.refuse(fold.case_id, "LAchildID", "the census needs the child's ref")
        by_child.setdefault(ref, []).append(fold)
    message = ET.Element("Message")
    _header(message, year, reference_date, la_code, generated_at)
    children = ET.SubElement(message, "Children")
    for ref in sorted(by_child):
        _child(children, ref, by_child[ref], period)
    if len(children) == 0:
        raise BadInputError(
            f"no child's CIN episode was open between {period[0]} and {period[1]}; the "
            "census needs at least one child",
            field="--year",
        )
    ET.indent(message, space="  ")
    body: bytes = ET.tostring(message, encoding="utf-8")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


def _header(
    message: ET.Element, year: int, reference_date: date, la_code: str, at: datetime | None
) -> None:
    header = ET.SubElement(message, "Header")
    details = ET.SubElement(header, "CollectionDetails")
    _text(details, "Collection", "CIN")
    _text(details, "Year", f"{year:04d}")
    _date(details, "ReferenceDate", reference_date)
    source = ET.SubElement(header, "Source")
    _text(source, "SourceLevel", "L")
    _text(source, "LEA", la_code)
    _text(source, "SoftwareCode", "cpworkflow")
    _text(source, "Release", __version__)
    _text(source, "DateTime", None if at is None else at.isoformat(timespec="seconds"))


def _child(parent: ET.Element, ref: str, folds: list[_CaseFold], period: Period) -> None:
    folds = sorted(folds, key=lambda f: f.case_id)
    episodes = sorted((ep for f in folds for ep in f.episodes), key=lambda ep: ep.referral_date)
    plans = sorted((p for ep in episodes for p in ep.plans), key=lambda p: p.started)
    for previous, plan in enumerate(plans):
        plan.previous = previous
    shown = [ep for ep in episodes if rules.overlaps(ep.referral_date, ep.closed, period)]
    if not shown:
        return
    identity = rules.identity(folds[0].case_id, folds[0].child)
    for other in folds[1:]:
        if rules.identity(other.case_id, other.child) != identity:
            raise rules.refuse(
                other.case_id,
                "ChildIdentifiers",
                f"case {folds[0].case_id} is the same child ({ref}) with other details",
            )
    child = ET.SubElement(parent, "Child")
    ids = ET.SubElement(child, "ChildIdentifiers")
    _text(ids, "LAchildID", ref)
    _text(ids, "UPN", identity.upn)
    _date(ids, "PersonBirthDate", identity.birth)
    _date(ids, "ExpectedPersonBirthDate", identity.expected)
    _text(ids, "Sex", identity.sex)
    _date(ids, "PersonDeathDate", max((f.died_on for f in folds if f.died_on), default=None))
    characteristics = ET.SubElement(child, "ChildCharacteristics")
    _text(characteristics, "Ethnicity", identity.ethnicity)
    for episode in shown:
        _cin_details(child, episode, period)


def _cin_details(parent: ET.Element, ep: rules.Episode, period: Period) -> None:
    details = ET.SubElement(parent, "CINdetails")
    _date(details, "CINreferralDate", ep.referral_date)
    _text(details, "ReferralSource", ep.source)
    _text(details, "PrimaryNeedCode", ep.primary_need)
    _date(details, "CINclosureDate", ep.closed)
    _text(details, "ReasonForClosure", ep.reason)
    _date(details, "DateOfInitialCPC", ep.icpc_alone)
    for a in ep.assessments:
        if rules.overlaps(a.started, a.authorised, period):
            assessment = ET.SubElement(details, "Assessments")
            _date(assessment, "AssessmentActualStartDate", a.started)
            _date(assessment, "AssessmentAuthorisationDate", a.authorised)
            if a.factors:
                factors = ET.SubElement(assessment, "FactorsIdentifiedAtAssessment")
                for code in a.factors:
                    _text(factors, "AssessmentFactors", code)
    for c in ep.cin_plans:
        if rules.overlaps(c.started, c.ended, period):
            cin_plan = ET.SubElement(details, "CINPlanDates")
            _date(cin_plan, "CINPlanStartDate", c.started)
            _date(cin_plan, "CINPlanEndDate", c.ended)
    for s in ep.s47s:
        if rules.overlaps(s.started, s.concluded, period):
            s47 = ET.SubElement(details, "Section47")
            _date(s47, "S47ActualStartDate", s.started)
            _date(s47, "DateOfInitialCPC", s.icpc)
            _text(s47, "ICPCnotRequired", "1" if s.icpc_not_required else "0")
    # NFA referrals belong to the year they were made in (DfE rule 8569).
    _text(details, "ReferralNFA", "1" if ep.nfa and ep.referral_date >= period[0] else "0")
    for p in ep.plans:
        if rules.overlaps(p.started, p.ended, period):
            plan = ET.SubElement(details, "ChildProtectionPlans")
            _date(plan, "CPPstartDate", p.started)
            _date(plan, "CPPendDate", p.ended)
            _text(plan, "InitialCategoryOfAbuse", p.initial)
            _text(plan, "LatestCategoryOfAbuse", p.latest)
            _text(plan, "NumberOfPreviousCPP", str(p.previous))
            reviews = rules.within(p.reviews, period)
            if reviews:
                held = ET.SubElement(plan, "Reviews")
                for day in reviews:
                    _date(held, "CPPreviewDate", day)


def _text(parent: ET.Element, tag: str, value: str | None) -> None:
    """A child element with text; nothing when the value is absent (optional items)."""
    if value is not None:
        ET.SubElement(parent, tag).text = value


def _date(parent: ET.Element, tag: str, value: date | None) -> None:
    _text(parent, tag, None if value is None else value.isoformat())
