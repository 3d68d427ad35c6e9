"""Which rows each Annex A list holds at an inspection date, and what is in each cell
(docs/annex-a.md maps every column to the events it comes from).

A window is the six calendar months back from the inspection date, both ends included.
"In the last 12 months" counts the child's other referrals (List 3), enquiries and ICPCs
(List 5) in the twelve months before the current one: the current one is never counted.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from cpworkflow.policy.workingdays import add_months
from cpworkflow.reports import annex_a_codes as codes
from cpworkflow.reports.annex_a_fold import CaseFacts
from cpworkflow.reports.census_records import Episode
from cpworkflow.reports.census_rules import SEX_CODES
from cpworkflow.vocabulary.census_codes import ETHNICITIES

Cell = str | int


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    case_id: str
    seqs: tuple[int, ...]  # the events the row's cells came from


@dataclass(frozen=True)
class Window:
    start: date  # six months before the inspection
    end: date  # the inspection date

    @classmethod
    def before(cls, as_at: date) -> Window:
        return cls(add_months(as_at, -6), as_at)

    def overlaps(self, start: date, end: date | None) -> bool:
        return start <= self.end and (end is None or end >= self.start)


def _common(child: dict[str, object], as_at: date, disability: bool) -> list[Cell]:
    """Child Unique ID, Sex, Ethnicity, Date of Birth, Age (and the disability column)."""
    birth = child.get("birth_date")
    born = date.fromisoformat(str(birth)) if birth else None
    sex = SEX_CODES.get(str(child.get("gender")).lower(), "U") if born is not None else "U"
    ethnicity = str(child.get("ethnicity") or "NOBT")
    cells: list[Cell] = [
        str(child.get("ref", "")),
        codes.SEX[sex],
        codes.ETHNICITY[ethnicity if ethnicity in ETHNICITIES else "NOBT"],
        codes.day(born),
        codes.age(born, as_at),
    ]
    if cells[4] != "":
        cells[4] = int(cells[4])
    if disability:
        listed = child.get("disabilities")
        has = None if not isinstance(listed, list) else any(d != "NONE" for d in listed)
        cells.append(codes.yes_no(has))
    return cells


def _previous(when: date, days: Sequence[date]) -> int:
    """How many of `days` fall in the 12 months before `when` (not on `when` itself)."""
    return sum(add_months(when, -12) <= d < when for d in days)


def _episodes(child: Sequence[CaseFacts]) -> Iterator[tuple[CaseFacts, Episode]]:
    for case in child:
        for ep in case.census.episodes:
            yield case, ep


def referrals(child: Sequence[CaseFacts], window: Window) -> Iterator[Row]:
    """List 3: every referral received in the window, one row each."""
    dates = [ep.referral_date for _, ep in _episodes(child)]
    for case, ep in _episodes(child):
        if not window.start <= ep.referral_date <= window.end:
            continue
        seqs = list(ep.seqs)
        cells = _common(case.census.child, window.end, disability=False)
        cells += [
            codes.day(ep.referral_date),
            codes.REFERRAL_SOURCE[ep.source],
            codes.yes_no(ep.nfa),
            _previous(ep.referral_date, dates),
            *case.allocated(seqs),
        ]
        yield Row(tuple(cells), case.case_id, tuple(sorted(set(seqs))))


def assessments(child: Sequence[CaseFacts], window: Window) -> Iterator[Row]:
    """List 4: every assessment open at some point in the window, one row each."""
    for case, ep in _episodes(child):
        for a in ep.assessments:
            if not window.overlaps(a.started, a.authorised):
                continue
            seqs = list(a.seqs)
            support = None if a.outcome is None else a.outcome in ("cin", "s47")
            cells = _common(case.census.child, window.end, disability=True)
            cells += [
                codes.day(a.started),
                codes.yes_no(a.child_seen),
                codes.day(a.authorised),
                codes.yes_no(support),
                *case.allocated(seqs),
            ]
            yield Row(tuple(cells), case.case_id, tuple(sorted(set(seqs))))


def enquiries(child: Sequence[CaseFacts], window: Window) -> Iterator[Row]:
    """List 5: every section 47 enquiry open at some point in the window, open ones too."""
    s47s = [s for _, ep in _episodes(child) for s in ep.s47s]
    icpcs = [s.icpc for s in s47s if s.icpc] + [
        ep.icpc_alone for _, ep in _episodes(child) if ep.icpc_alone
    ]
    for case, ep in _episodes(child):
        for s in ep.s47s:
            if not window.overlaps(s.started, s.concluded):
                continue
            seqs = list(s.seqs)
            unnecessary = None if s.concluded is None else s.icpc_not_required
            cells = _common(case.census.child, window.end, disability=True)
            cells += [
                codes.day(s.started),
                codes.yes_no(unnecessary),
                codes.day(s.icpc),
                codes.yes_no(s.icpc_plan),
                _previous(s.started, [o.started for o in s47s]),
                _previous(s.started, icpcs),
                *case.allocated(seqs),
            ]
            yield Row(tuple(cells), case.case_id, tuple(sorted(set(seqs))))


def children_in_need(child: Sequence[CaseFacts], window: Window) -> Iterator[Row]:
    """List 6: one row per child open at the inspection or closed in the window (their
    latest such episode); a referral closed with no further action is not a child in need."""
    shown = [
        (case, ep)
        for case, ep in _episodes(child)
        if not ep.nfa and window.overlaps(ep.referral_date, ep.closed)
    ]
    if not shown:
        return
    case, ep = max(shown, key=lambda pair: pair[1].referral_date)
    seqs = list(ep.seqs)
    seen = case.last_seen(ep.referral_date, ep.closed or window.end)
    if seen is not None:
        seqs.append(seen.seq)
    cells = _common(case.census.child, window.end, disability=True)
    cells += [
        "b) Closed" if ep.closed else "a) Open",
        codes.day(ep.referral_date),
        ep.primary_need or "",
        codes.day(seen.on if seen else None),
        codes.day(ep.closed),
        ep.reason or "",
        *case.allocated(seqs),
    ]
    yield Row(tuple(cells), case.case_id, tuple(sorted(set(seqs))))


def protection(child: Sequence[CaseFacts], window: Window) -> Iterator[Row]:
    """List 7: one row per child on a plan at the inspection or whose plan ended in the
    window (their latest such plan)."""
    plans = [(case, p) for case, ep in _episodes(child) for p in ep.plans]
    shown = [(case, p) for case, p in plans if window.overlaps(p.started, p.ended)]
    if not shown:
        return
    case, plan = max(shown, key=lambda pair: pair[1].started)
    seqs = list(plan.seqs)
    visit = case.last_seen(plan.started, plan.ended or window.end)
    legal = [s for c in child for s in c.legal if window.overlaps(s.start, s.end)]
    seqs += [visit.seq] if visit else []
    seqs += [s.seq for s in legal]
    cells = _common(case.census.child, window.end, disability=True)
    cells += [
        codes.day(plan.started),
        codes.CATEGORY[plan.initial],
        codes.CATEGORY[plan.latest],
        codes.day(visit.on if visit else None),
        codes.yes_no(visit.seen_alone if visit else None),
        codes.day(max(plan.reviews, default=None)),
        codes.day(plan.ended),
        "Y" if legal else "N",
        sum(p.started < plan.started for _, p in plans),
        *case.allocated(seqs),
    ]
    yield Row(tuple(cells), case.case_id, tuple(sorted(set(seqs))))


BUILDERS = {3: referrals, 4: assessments, 5: enquiries, 6: children_in_need, 7: protection}
