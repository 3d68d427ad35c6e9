"""The CIN census code lists, and how our vocabulary maps onto them (docs/census.md).

The code lists are the vocabulary's (`census_codes`, copied from the schema in
`shared/reference/cin-census.xsd`); a test checks them against that file. A value outside
a list is refused here, naming the case and the census field, so the export never writes a
document the schema rejects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from cpworkflow.errors import BadInputError
from cpworkflow.reports.census_records import Episode
from cpworkflow.vocabulary import census_codes

REFERRAL_SOURCES = frozenset(census_codes.REFERRAL_SOURCES)
PRIMARY_NEEDS = frozenset(census_codes.PRIMARY_NEEDS)
ETHNICITIES = frozenset(census_codes.ETHNICITIES)
ASSESSMENT_FACTORS = frozenset(census_codes.ASSESSMENT_FACTORS)
UPN = re.compile(census_codes.UPN_PATTERN)
DISABILITIES = frozenset(census_codes.DISABILITIES)
UPN_UNKNOWN = frozenset(census_codes.UPN_UNKNOWN_REASONS)
LA_CODE = re.compile(r"\d{3}")
COLLECTION_YEARS = range(2000, 2101)  # a collection year is written in full: 2026 is 2025-26

# The census's own "not known" values, used when a required item is absent from the log.
SOURCE_UNKNOWN = "10"
ETHNICITY_NOT_OBTAINED = "NOBT"
SEX_UNKNOWN = "U"

# InitialConferenceHeld / ReviewConferenceHeld categories -> census category of abuse.
CATEGORY_CODES = {"neglect": "NEG", "physical": "PHY", "emotional": "EMO", "sexual": "SAB"}
MULTIPLE_CATEGORIES = "MUL"

# child.gender -> Sex (the census field is sex; unborn children are always U, rule 8750).
SEX_CODES: Mapping[str, str] = {
    "m": "M",
    "male": "M",
    "f": "F",
    "female": "F",
    "u": "U",
    "unknown": "U",
    "not_known": "U",
    "not_stated": "U",
}

# ReasonForClosure. RC8 and RC9 are only for a case closed after an assessment with no
# section 47, plan or CIN plan (DfE rules); everything else that ends the help is RC7.
RC_DIED = "RC2"
RC_TRANSFERRED = "RC5"
RC_CEASED = "RC7"
RC_NFA_AFTER_ASSESSMENT = "RC8"
RC_EARLY_HELP_AFTER_ASSESSMENT = "RC9"
CLOSURE_BY_REASON: Mapping[str, str] = {
    "transferred": RC_TRANSFERRED,  # to another local authority (G-TRANSFER)
    "died": RC_DIED,
    "turned_18": RC_CEASED,  # RC6 only if adult social care took the case: not recorded
    "left_uk": RC_CEASED,
}


def new_episode(case_id: str, data: Mapping[str, Any], occurred_on: date) -> Episode:
    """The episode a CaseOpened or CaseReopened starts, from its `referral` (census codes)."""
    referral = data.get("referral") or {}
    source, need = referral.get("source"), referral.get("primary_need")
    return Episode(
        case_id=case_id,
        referral_date=referral_date(case_id, data, occurred_on),
        source=SOURCE_UNKNOWN
        if source is None
        else coded(case_id, "ReferralSource", source, REFERRAL_SOURCES),
        primary_need=None
        if need is None
        else coded(case_id, "PrimaryNeedCode", need, PRIMARY_NEEDS),
    )


def referral_date(case_id: str, data: Mapping[str, Any], occurred_on: date) -> date:
    referral = data.get("referral") or {}
    if referral.get("date") is None:
        return occurred_on
    return iso_date(case_id, "CINreferralDate", referral["date"])


def refuse(case_id: str, element: str, message: str) -> BadInputError:
    """The error for a log the census cannot be made from: names the case and the field."""
    error = BadInputError(f"case {case_id}: {message}")
    error.field = element
    return error


def coded(case_id: str, element: str, value: Any, allowed: frozenset[str]) -> str:
    """A census code from the log, checked against the schema's list (case-insensitive)."""
    code = str(value).strip().upper() if isinstance(value, str | int) else ""
    if code not in allowed:
        raise refuse(case_id, element, f"{value!r} is not a census {element} code")
    return code


def category_code(case_id: str, element: str, categories: Any) -> str:
    """One census category of abuse for a list of categories: several are MUL."""
    if not isinstance(categories, list) or not categories:
        raise refuse(case_id, element, f"the census needs the plan's categories ({element})")
    codes = set()
    for category in categories:
        if category not in CATEGORY_CODES:
            raise refuse(case_id, element, f"{category!r} is not a category of abuse")
        codes.add(CATEGORY_CODES[category])
    return codes.pop() if len(codes) == 1 else MULTIPLE_CATEGORIES


def closure(case_id: str, ep: Episode, event_type: str, reason: Any) -> tuple[str, bool]:
    """ReasonForClosure for the event that closed the episode, and whether it closed a
    referral with no further action (ReferralNFA: nothing else happened in the episode)."""
    if event_type in ("CaseClosed", "ChildProtectionPlanEnded"):
        if reason not in CLOSURE_BY_REASON:
            raise refuse(case_id, "ReasonForClosure", f"closure reason {reason!r} is not known")
        return CLOSURE_BY_REASON[reason], False
    if event_type == "StrategyMeetingHeld":  # outcome nfa
        more = ep.s47s or ep.plans or ep.cin_plans or ep.icpc_alone is not None
        if not more and ep.assessments:
            outcomes = [a.outcome for a in ep.assessments if a.authorised is not None]
            if outcomes and outcomes[-1] == "early_help":
                return RC_EARLY_HELP_AFTER_ASSESSMENT, False
            return RC_NFA_AFTER_ASSESSMENT, False
        if not more:
            return RC_CEASED, True
    return RC_CEASED, False


def iso_date(case_id: str, element: str, value: Any) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise refuse(case_id, element, f"{value!r} is not a date (YYYY-MM-DD)") from None


def factor_codes(case_id: str, factors: Any) -> tuple[str, ...]:
    """AssessmentCompleted factors: census codes, de-duplicated, in the order given."""
    if not isinstance(factors, list):
        return ()
    codes = (coded(case_id, "AssessmentFactors", f, ASSESSMENT_FACTORS) for f in factors)
    return tuple(dict.fromkeys(codes))


def check_collection_year(year: int) -> None:
    if year not in COLLECTION_YEARS:
        raise BadInputError(
            f"{year} is not a collection year: give the year the census ends in, in full "
            f"({COLLECTION_YEARS.start}-{COLLECTION_YEARS.stop - 1}; 2026 is 2025-26)",
            field="--year",
        )


def referral_nfa(ep: Episode, period: tuple[date, date]) -> bool:
    """ReferralNFA: closed by a strategy nfa with nothing else in the episode, and referred
    in the census year (DfE rule 8569: an NFA referral belongs to the year it was made in)."""
    return ep.nfa and ep.referral_date >= period[0]


def unfinished_assessment(ep: Episode, period: tuple[date, date]) -> str | None:
    """Why an episode's assessments cannot be returned: one never completed although the
    episode closed (DfE rule 8867), or still open from before the year (rule 8736)."""
    for a in ep.assessments:
        if a.authorised is not None or not overlaps(a.started, None, period):
            continue
        if ep.closed is not None:
            return (
                f"the assessment started on {a.started} was never completed, yet the "
                f"episode closed on {ep.closed} (DfE rule 8867): record AssessmentCompleted"
            )
        if a.started < period[0]:
            return (
                f"the assessment started on {a.started}, before the census year, is still "
                "not completed (DfE rule 8736): record AssessmentCompleted"
            )
    return None


def overlaps(start: date, end: date | None, period: tuple[date, date]) -> bool:
    """Open at some point in the period (both ends inclusive)."""
    return start <= period[1] and (end is None or end >= period[0])


def within(days: Iterable[date], period: tuple[date, date]) -> list[date]:
    return sorted(d for d in days if period[0] <= d <= period[1])
