"""Ofsted's Annex A: each list's column headers and the value formats (docs/annex-a.md
says which version of the headers this is and where it comes from).

Dates are dd/mm/yyyy; categories are lettered (`a) Yes`); a cell the log cannot fill is
empty. The census codes the log speaks map onto the lettered values here, in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from cpworkflow.vocabulary import census_codes

COMMON = ("Child Unique ID", "Sex", "Ethnicity", "Date of Birth", "Age of Child (Years)")
DISABILITY = "Does the Child have a Disability"
ALLOCATED = ("Allocated Team", "Allocated Worker")
TRACE = ("Case ID", "Source Event Seqs")  # --trace: not Ofsted's, added at the right

HEADERS: Mapping[int, tuple[str, ...]] = {
    3: (
        *COMMON,
        "Date of referral",
        "Referral Source",
        "Referral NFA?",
        "Number of Referrals in Last 12 Months",
        *ALLOCATED,
    ),
    4: (
        *COMMON,
        DISABILITY,
        "Continuous Assessment Start Date",
        "Child Seen During Continuous Assessment",
        "Continuous Assessment Date of Authorisation",
        "Was the child assessed as requiring LA children's social care support?",
        *ALLOCATED,
    ),
    5: (
        *COMMON,
        DISABILITY,
        "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Date of Initial Child Protection Conference",
        "Did the Initial Child Protection Conference Result in a Child Protection Plan",
        "Number of Section 47 Enquiries in the last 12 months",
        "Number of ICPCs in the last 12 months",
        *ALLOCATED,
    ),
    6: (
        *COMMON,
        DISABILITY,
        "Case Status",
        "CIN Start Date",
        "Primary Need Code",
        "Date Child Was Last Seen",
        "CIN Closure Date",
        "Reason for Closure",
        *ALLOCATED,
    ),
    7: (
        *COMMON,
        DISABILITY,
        "Child Protection Plan Start Date",
        "Initial Category of Abuse",
        "Latest Category of Abuse",
        "Date of the Last Statutory Visit",
        "Was the Child Seen Alone?",
        "Date of latest review conference",
        "Child Protection Plan End Date",
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last "
        "Six Months (Y/N)",
        "Number of Previous Child Protection Plans",
        *ALLOCATED,
    ),
}
TITLES: Mapping[int, str] = {
    3: "List 3 - Referrals",
    4: "List 4 - Assessments",
    5: "List 5 - Section 47 and ICPC",  # a sheet name holds at most 31 characters
    6: "List 6 - Children in need",
    7: "List 7 - Child protection",
}

YES, NO = "a) Yes", "b) No"
SEX: Mapping[str, str] = {"M": "a) Male", "F": "b) Female", "U": "c) Not stated/recorded"}
# The census's ethnicity list in its own order, lettered a) to t).
ETHNICITY: Mapping[str, str] = {
    code: f"{chr(ord('a') + i)}) {code}" for i, code in enumerate(census_codes.ETHNICITIES)
}
_SOURCES = (
    ("1A", "Individual"), ("1B", "Individual"), ("1C", "Individual"), ("1D", "Individual"),
    ("2A", "Schools"), ("2B", "Education services"), ("3A", "Health services"),
    ("3B", "Health services"), ("3C", "Health services"), ("3D", "Health services"),
    ("3E", "Health services"), ("3F", "Health services"), ("4", "Housing"),
    ("5A", "LA services"), ("5B", "LA services"), ("5C", "LA services"),
    ("5D", "LA services"), ("6", "Police"), ("7", "Other legal agency"), ("8", "Other"),
    ("9", "Anonymous"), ("10", "Unknown"),
)  # fmt: skip
_LETTERS = "abcdefghijklmnop"  # 5D is p1), after 5C's p); then q) to u)
REFERRAL_SOURCE: Mapping[str, str] = {
    code: f"{letter}) {code}: {name}"
    for (code, name), letter in zip(
        _SOURCES, [*_LETTERS, "p1", "q", "r", "s", "t", "u"], strict=True
    )
}
CATEGORY: Mapping[str, str] = {
    "NEG": "a) Neglect",
    "PHY": "b) Physical abuse",
    "EMO": "c) Emotional abuse",
    "SAB": "d) Sexual abuse",
    "MUL": "e) Multiple",
}


def day(value: date | None) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y")


def yes_no(value: bool | None) -> str:
    return "" if value is None else (YES if value else NO)


def age(birth: date | None, on: date) -> str:
    """Whole years at the inspection date; empty for a child not yet born."""
    if birth is None or birth > on:
        return ""
    return str(on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day)))
