"""The census records of one CIN episode, as `census_fold` builds them from a case log and
`census` writes them (one `CINdetails` each); Ofsted's Annex A reads them too. `seqs` are
the events each record came from (`cpw export --format annex-a --trace`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Assessment:
    started: date
    authorised: date | None = None
    factors: tuple[str, ...] = ()
    outcome: str | None = None  # AssessmentCompleted `outcome`, when recorded
    child_seen: bool | None = None  # AssessmentCompleted `child_seen`, when recorded
    seqs: list[int] = field(default_factory=list)


@dataclass
class Section47:
    started: date
    icpc: date | None = None
    concluded: date | None = None  # the ICPC, or the decision that none is needed
    icpc_not_required: bool = False
    icpc_plan: bool | None = None  # whether the ICPC made a plan
    seqs: list[int] = field(default_factory=list)


@dataclass
class CinPlan:
    started: date
    ended: date | None = None
    seqs: list[int] = field(default_factory=list)


@dataclass
class Plan:
    started: date
    initial: str
    latest: str
    reviews: list[date] = field(default_factory=list)
    ended: date | None = None
    previous: int = 0
    seqs: list[int] = field(default_factory=list)


@dataclass
class Episode:
    case_id: str
    referral_date: date
    source: str
    primary_need: str | None
    assessments: list[Assessment] = field(default_factory=list)
    s47s: list[Section47] = field(default_factory=list)
    cin_plans: list[CinPlan] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    icpc_alone: date | None = None  # an ICPC with no section 47 enquiry in this episode
    closed: date | None = None
    reason: str | None = None
    nfa: bool = False  # closed by a strategy meeting's nfa before any other activity
    seqs: list[int] = field(default_factory=list)  # the opening and the closing event

    def open_s47(self) -> Section47 | None:
        return next((s for s in reversed(self.s47s) if s.concluded is None), None)

    def open_plan(self) -> Plan | None:
        return next((p for p in reversed(self.plans) if p.ended is None), None)

    def open_cin_plan(self) -> CinPlan | None:
        return next((c for c in reversed(self.cin_plans) if c.ended is None), None)
