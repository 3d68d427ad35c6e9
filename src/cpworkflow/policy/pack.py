"""A policy pack (DOMAIN.md §6): the numbers, G-SUPPORT choices, G-ROLE table and
timescales of one authority, as the engine reads them, and the due date of a timescale.
Reading packs from their TOML files is `cpworkflow.policy.loading`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from cpworkflow.policy.schema import Duration, SupportRule, Timescale
from cpworkflow.policy.workingdays import WorkingCalendar, add_months


@cache
def _calendar(nation: str, closure: tuple[date, ...]) -> WorkingCalendar:
    return WorkingCalendar(nation, closure)


@dataclass(frozen=True)
class Policy:
    id: str
    version: str
    title: str
    nation: str
    closure_days: tuple[date, ...]
    first_cin_max_working_days: int
    cin_review_max: Duration
    cin_review_default_weeks: int
    third_review_chair: bool
    first_review_needs_overriding_reasons: bool
    support: Mapping[str, SupportRule]
    waiver_roles: frozenset[str]
    roles: Mapping[str, frozenset[str]]
    timescales: Mapping[str, Timescale]
    guard_sources: Mapping[str, str]
    sources: tuple[str, ...] = ()
    extends: str | None = None
    la_code: str | None = None  # the authority's three-digit LA code (the CIN census's LEA)

    def __hash__(self) -> int:
        return hash((self.id, self.version, self.nation, self.closure_days))

    def calendar(self) -> WorkingCalendar:
        return _calendar(self.nation, self.closure_days)

    def may_record(self, event_type: str, role: str) -> bool:
        return role in self.roles.get(event_type, frozenset())

    def timescale(self, rule: str) -> Timescale | None:
        """The rule's timescale, or None where this pack does not enforce it."""
        found = self.timescales.get(rule)
        return found if found is not None and found.enabled else None


def due_date(cal: WorkingCalendar, start: date, d: Duration) -> date:
    """The date `d` after (for working_days_before and days_before: before) `start`."""
    if d.unit == "working_days":
        return cal.add(start, d.amount)
    if d.unit == "working_days_before":
        return cal.add(start, -d.amount)
    if d.unit == "days_before":
        return start - timedelta(days=d.amount)
    if d.unit in ("days", "weeks"):
        return start + timedelta(days=d.amount * (7 if d.unit == "weeks" else 1))
    return add_months(start, d.amount * (12 if d.unit == "years" else 1))
