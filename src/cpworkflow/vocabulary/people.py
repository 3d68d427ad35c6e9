"""Who appears in event data: people by role (DOMAIN.md §1), agencies by name, and the
child by the authority's reference and census codes. Also the strict base of every struct
in event data, and the small constrained types the vocabulary shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Literal, get_args

import msgspec

from cpworkflow.vocabulary import ids
from cpworkflow.vocabulary.census_codes import (
    UPN_PATTERN,
    Disability,
    Ethnicity,
    Gender,
    PrimaryNeed,
    ReferralSource,
    UpnUnknown,
)


class Record(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True, kw_only=True):
    """Base of every struct in event data: unknown fields are refused, and encoding keeps
    only what was said (a field left at its default is omitted)."""


Text = Annotated[str, msgspec.Meta(min_length=1)]
# A number of weeks; capped at ten years so that date arithmetic on it cannot overflow.
Weeks = Annotated[int, msgspec.Meta(ge=1, le=520)]
# An agency (school, police, "Family Hub", ...) is named by plain text.
Agency = Text

Role = Literal[
    "social_worker",
    "team_manager",
    "cp_chair",
    "iro_manager",
    "service_manager",
    "group_manager",
    "aswp",
    "lead_professional",
    "auditor",
]
ROLES: tuple[str, ...] = get_args(Role)


class Person(Record):
    """`{"id": "...", "role": "<role id>"}`: a member of staff, never a family member."""

    id: Text
    role: Role

    def __post_init__(self) -> None:
        ids.require(self.id, "id")


class Child(Record):
    """The child, by the authority's reference; no names. Codes are census codes."""

    ref: Text
    birth_date: dt.date | None = None
    expected_birth_date: dt.date | None = None
    gender: Gender | None = None
    ethnicity: Ethnicity | None = None
    upn: Annotated[str, msgspec.Meta(pattern=UPN_PATTERN)] | None = None
    upn_unknown: UpnUnknown | None = None  # why there is no UPN (census UN codes)
    disabilities: list[Disability] | None = None  # ["NONE"] when the child has none

    def __post_init__(self) -> None:
        if self.birth_date is not None and self.expected_birth_date is not None:
            raise ValueError(
                "`expected_birth_date` give birth_date or expected_birth_date, not both"
            )
        if self.upn is not None and self.upn_unknown is not None:
            raise ValueError("`upn_unknown` give upn or upn_unknown, not both")
        check_disabilities(self.disabilities)


def check_disabilities(codes: Sequence[str] | None) -> None:
    """Census disabilities: no code twice, and NONE only on its own."""
    if codes is None:
        return
    if len(set(codes)) != len(codes):
        raise ValueError("`disabilities` a code is listed more than once")
    if "NONE" in codes and len(codes) > 1:
        raise ValueError("`disabilities` NONE means no disability: list it alone")


class Referral(Record):
    """The referral that opens (or reopens) a case, in census codes."""

    date: dt.date
    source: ReferralSource
    primary_need: PrimaryNeed
