"""The event vocabulary (DOMAIN.md §3): one strict msgspec Struct per event type, named as
the type string, and `EVENT_TYPES`, every type by that string.

Field names are the public contract: changing a type's fields bumps its `SCHEMA_VERSION`
and adds an upcaster. The envelope and decoding are in `cpworkflow.vocabulary.envelope`;
what is learned about the child later is in `child_facts`, what is recorded about the
case's handling in `handling`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import field

from cpworkflow.vocabulary.census_codes import AssessmentFactor
from cpworkflow.vocabulary.child_facts import ChildBorn, ChildDetailsRecorded, LegalStatusRecorded
from cpworkflow.vocabulary.handling import (
    DissentRecorded,
    EntryRetracted,
    IroManagerAuditCompleted,
    ManagementAdviceSought,
    RuleWaived,
    StaffAssigned,
)
from cpworkflow.vocabulary.people import Agency, Child, Person, Record, Referral, Text, Weeks
from cpworkflow.vocabulary.plans import (
    Action,
    Category,
    CinPlan,
    ContinuingSupport,
    CourtDependent,
    DissentEntry,
    EndReason,
    Judgement,
    TemporaryArrangements,
    Transfer,
    Views,
)

AtLeastOne = msgspec.Meta(min_length=1)


def _unique(categories: list[Category]) -> None:
    repeated = [c for i, c in enumerate(categories) if c in categories[:i]]
    if repeated:
        raise ValueError(f"`categories` {repeated[0]!r} is listed more than once")


class CaseOpened(Record):
    """A referral opens a case for one child, under a policy pack."""

    child: Child
    policy: Text = "default"
    referral: Referral | None = None


class StrategyMeetingHeld(Record):
    """A strategy meeting: section 47 enquiry, section 17 (child in need), or no action."""

    outcome: Literal["s47", "s17", "nfa"]
    participants: list[Person] = field(default_factory=list)
    professionals_informed: bool | None = None  # G-INFORMED: nfa closes the case


class AssessmentStarted(Record):
    """The child and family assessment began."""


class AssessmentCompleted(Record):
    """The assessment was completed, with the census factors it identified."""

    factors: list[AssessmentFactor] = field(default_factory=list)
    child_seen: bool | None = None  # seen during the assessment
    outcome: Literal["cin", "no_further_action", "early_help", "s47"] | None = None


class InitialConferenceHeld(Record):
    """The initial child protection conference: a plan, or no plan and other support."""

    chair: Person
    decision: Literal["plan", "no_plan"]
    categories: list[Category] = field(default_factory=list)
    lead_social_worker: Person | None = None
    first_review_date: dt.date | None = None
    visiting_interval_weeks: Weeks | None = None  # a plan: the conference may set it (001)
    pre_birth: bool | None = None  # G-PRE-BIRTH: only for a child not yet born
    continuing_support: ContinuingSupport | None = None
    professionals_informed: bool | None = None  # G-INFORMED, when no plan closes the case
    dissent: list[DissentEntry] = field(default_factory=list)

    def __post_init__(self) -> None:
        _unique(self.categories)
        if self.decision == "plan" and not self.categories:
            raise ValueError("`categories` a plan names at least one category of abuse")
        if self.decision == "plan" and self.lead_social_worker is None:
            raise ValueError("`lead_social_worker` a plan names the lead social worker")


class CoreGroupMeetingHeld(Record):
    """A core group meeting of the professionals working to the plan."""

    chair: Person
    attendees: list[Person | Agency] = field(default_factory=list)
    next_meeting_date: dt.date | None = None


class ChildVisited(Record):
    """A statutory visit: was the child seen, seen alone, their bedroom seen."""

    seen: bool
    seen_alone: bool | None = None
    seen_awake: bool | None = None  # a baby (under 1): seen awake stands for seen alone
    bedroom_seen: bool | None = None
    at_home: bool | None = None
    visitor: Person | None = None


class InitialConferenceConvened(Record):
    """An initial child protection conference is arranged for a date."""

    conference_date: dt.date


class ReviewConferenceConvened(Record):
    """A review child protection conference is called for a date."""

    conference_date: dt.date


class AgencyReportReceived(Record):
    """An agency's report for the coming conference (initial or review)."""

    agency: Agency
    shared_with_family: bool | None = None


class ReviewConferenceHeld(Record):
    """The review conference: the plan continues, or ends (guards judge the ending)."""

    chair: Person
    decision: Literal["continue", "end_plan"]
    category_judgements: dict[Category, Judgement] = field(default_factory=dict)
    social_worker_recommendation: Literal["continue", "end_plan"] | None = None
    manager_attended: bool | None = None
    categories: list[Category] = field(default_factory=list)
    next_review_date: dt.date | None = None
    overriding_reasons: str | None = None
    temporary_arrangements: TemporaryArrangements | None = None
    court_dependent: CourtDependent | None = None
    continuing_support: ContinuingSupport | None = None
    visiting_interval_weeks: Weeks | None = None  # continue: the conference may set it (001)
    professionals_informed: bool | None = None  # G-INFORMED, when the ending closes the case
    views: Views | None = None
    dissent: list[DissentEntry] = field(default_factory=list)

    def __post_init__(self) -> None:
        _unique(self.categories)


class ChildProtectionPlanEnded(Record):
    """A plan ended outside a conference: transfer, 18th birthday, death, left the UK."""

    reason: EndReason
    transfer: Transfer | None = None
    professionals_informed: bool | None = None


class CaseClosed(Record):
    """A case closed outside the final CiN review, for the same four reasons."""

    reason: EndReason
    transfer: Transfer | None = None
    professionals_informed: bool | None = None


class AgenciesNotified(Record):
    """The agencies involved were told that the plan has ended."""

    agencies: Annotated[list[Agency], AtLeastOne]


class OutcomesRecorded(Record):
    """The chair recorded the conference outcomes on the child's file."""


class ChildInNeedPlanRecorded(Record):
    """The social worker put the child in need plan on the case system."""

    plan: CinPlan | None = None


class ChildInNeedPlanCirculated(Record):
    """Copies of the child in need plan went to the child, the family and agencies."""

    recipients: Annotated[list[Literal["child", "family", "agencies"]], AtLeastOne]


class ChildInNeedMeetingHeld(Record):
    """A child in need meeting: the first after step-down, or a review."""

    chair: Person
    kind: Literal["first", "review"]
    next_meeting_date: dt.date | None = None
    review_interval_weeks: Weeks | None = None
    plan: CinPlan | None = None
    concerns: str | None = None


class ReflectiveDiscussionHeld(Record):
    """The reflective discussion that agrees the child in need plan may end."""

    participants: list[Person] = field(default_factory=list)
    recorded_by: Person | None = None
    chair_left_authority: bool | None = None
    outcome: str | None = None


class FinalChildInNeedReviewHeld(Record):
    """The final child in need review: the plan ends (to a lead professional) or goes on."""

    chair: Person
    decision: Literal["end_plan", "continue"]
    lead_professional: Person | None = None
    outstanding_outcomes: list[str] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    review_interval_weeks: Weeks | None = None
    contingency: str = ""
    professionals_informed: bool | None = None
    next_meeting_date: dt.date | None = None  # G-NEXT-MEETING, when the plan continues


class CaseReopened(Record):
    """A closed case is reopened by a new referral."""

    referral: Referral | None = None


# Every event type by its type string, in the order of the DOMAIN.md table.
EVENT_TYPES: dict[str, type[msgspec.Struct]] = {
    cls.__name__: cls
    for cls in (
        *(CaseOpened, StrategyMeetingHeld, AssessmentStarted, AssessmentCompleted),
        *(InitialConferenceHeld, CoreGroupMeetingHeld, ChildVisited, InitialConferenceConvened),
        ReviewConferenceConvened,
        *(AgencyReportReceived, ReviewConferenceHeld, ChildProtectionPlanEnded, CaseClosed),
        *(AgenciesNotified, OutcomesRecorded, ChildInNeedPlanRecorded),
        *(ChildInNeedPlanCirculated, ChildInNeedMeetingHeld, ReflectiveDiscussionHeld),
        *(FinalChildInNeedReviewHeld, CaseReopened, ManagementAdviceSought),
        *(IroManagerAuditCompleted, DissentRecorded, StaffAssigned, ChildDetailsRecorded),
        *(ChildBorn, LegalStatusRecorded, RuleWaived, EntryRetracted),
    )
}
# The current schema version of each type's data, stored with every event.
SCHEMA_VERSION: dict[str, int] = dict.fromkeys(EVENT_TYPES, 1)
