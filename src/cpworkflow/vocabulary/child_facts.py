"""What is learned about the child after the case opened (DOMAIN.md §3, revision 2): census
details, the birth of a child known before birth, and emergency legal status. None of them
changes the stage; the latest value of a detail wins and earlier values stay in the log.
The CIN census and Ofsted's Annex A read them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from cpworkflow.vocabulary.census_codes import (
    UPN_PATTERN,
    Disability,
    Ethnicity,
    Gender,
    UpnUnknown,
)
from cpworkflow.vocabulary.people import Record, check_disabilities

Upn = Annotated[str, msgspec.Meta(pattern=UPN_PATTERN)]


class ChildDetailsRecorded(Record):
    """Census details learned about the child since the case opened; the latest wins."""

    upn: Upn | None = None
    upn_unknown: UpnUnknown | None = None
    disabilities: list[Disability] | None = None
    gender: Gender | None = None
    ethnicity: Ethnicity | None = None
    former_upn: Upn | None = None

    def __post_init__(self) -> None:
        given = [f for f in self.__struct_fields__ if getattr(self, f) is not None]
        if not given:
            raise ValueError(
                "`upn` record at least one detail (upn, upn_unknown, disabilities, gender, "
                "ethnicity, former_upn)"
            )
        if self.upn is not None and self.upn_unknown is not None:
            raise ValueError("`upn_unknown` give upn or upn_unknown, not both")
        check_disabilities(self.disabilities)


class ChildBorn(Record):
    """A child known before birth is born: the birth date is set, the expected one kept."""

    birth_date: dt.date
    gender: Gender | None = None


class LegalStatusRecorded(Record):
    """Police protection or an emergency protection order, from a date (Annex A List 7)."""

    status: Literal["police_protection", "emergency_protection_order"]
    start_date: dt.date
    end_date: dt.date | None = None

    def __post_init__(self) -> None:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError(f"`end_date` {self.end_date} is before the start {self.start_date}")
