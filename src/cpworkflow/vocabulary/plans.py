"""The structured parts of conference and meeting records: the child in need plan and its
actions, the continuing support after a plan, transfers, and what a conference heard.

Fields a guard judges (an outcome, a contingency plan, a timescale, consent) are optional
here, so that their absence is refused by that guard with its rule id, not as bad input.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from msgspec import field

from cpworkflow.vocabulary.people import Agency, Person, Record, Text, Weeks

_DATE_LIKE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Action(Record):
    """Who does what by when: a due date, or every N weeks. A vague `due` ("ongoing")
    decodes and G-SMART refuses it; a date-like `due` must be a real date."""

    action: Text
    owner: Person | Agency
    due: str | None = None
    every_weeks: Weeks | None = None

    def __post_init__(self) -> None:
        if self.due is not None and _DATE_LIKE.fullmatch(self.due):
            try:
                dt.date.fromisoformat(self.due)
            except ValueError:
                raise ValueError(f"`due` {self.due!r} is not a real date (YYYY-MM-DD)") from None


class CinPlan(Record):
    """A child in need plan (DOMAIN.md §3). G-SMART, G-CONTINGENCY and G-FIRST-CIN-DATE
    judge its contents."""

    outcomes: list[str] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    contingency: str = ""
    first_meeting_date: dt.date | None = None
    review_interval_weeks: Weeks | None = None
    visiting_interval_weeks: Weeks | None = None
    lead: Person | None = None


class CinSupport(Record, tag_field="kind", tag="cin"):
    """Support under a child in need plan; needs the family's consent (G-SUPPORT)."""

    family_consent: bool | None = None
    plan: CinPlan | None = None


class EarlyHelpSupport(Record, tag_field="kind", tag="early_help"):
    """Early help (accepted by packs that adopt 002), after a referral to the service."""

    referral_made: bool | None = None
    referral_date: dt.date | None = None


class UniversalSupport(Record, tag_field="kind", tag="universal"):
    """Universal services only: where the family declined, or with a reason."""

    family_declined: bool | None = None
    reason: str | None = None


# `continuing_support`: one of the three, chosen by its "kind".
ContinuingSupport = CinSupport | EarlyHelpSupport | UniversalSupport
SUPPORT_KINDS: tuple[str, ...] = ("cin", "early_help", "universal")

Category = Literal["neglect", "physical", "emotional", "sexual"]
Judgement = Literal["continuing_risk", "no_longer_at_risk"]
EndReason = Literal["transferred", "turned_18", "died", "left_uk"]


class Transfer(Record):
    """The receiving authority's part in a transfer; G-TRANSFER judges each field."""

    receiving_authority: str | None = None
    transfer_conference_date: dt.date | None = None
    written_confirmation: bool | None = None


class TemporaryArrangements(Record):
    """Safety rests on temporary arrangements; G-TEMPORARY judges both fields."""

    assessment_completed: bool | None = None
    long_term_plan_agreed: bool | None = None


class CourtDependent(Record):
    """Ending depends on a court order; G-COURT needs the contingency recommendation."""

    contingency_recommendation: str | None = None


class Views(Record):
    """The views of the child and of the family, as the conference heard them."""

    child: str | None = None
    family: str | None = None


class DissentEntry(Record):
    """An agency that disagreed with the conference's decision, and why."""

    agency: Agency
    reason: Text
