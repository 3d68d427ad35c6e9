"""Who the child is, for the census: identifiers and characteristics from the latest of
CaseOpened `child`, ChildDetailsRecorded and ChildBorn (`census_fold`), checked against
the census's lists and the DfE's rules a child's details can break."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from cpworkflow.reports.census_records import Episode
from cpworkflow.reports.census_rules import (
    DISABILITIES,
    ETHNICITIES,
    ETHNICITY_NOT_OBTAINED,
    SEX_CODES,
    SEX_UNKNOWN,
    UPN,
    UPN_UNKNOWN,
    coded,
    iso_date,
    referral_nfa,
    refuse,
)


@dataclass(frozen=True)
class Identity:
    upn: str | None
    former_upn: str | None
    upn_unknown: str | None
    birth: date | None
    expected: date | None
    sex: str
    ethnicity: str
    disabilities: tuple[str, ...]


def identify(case_id: str, child: Mapping[str, Any]) -> Identity:
    """The child's identifiers and characteristics: CaseOpened `child`, updated by
    ChildDetailsRecorded and ChildBorn (census_fold)."""
    birth, expected = child.get("birth_date"), child.get("expected_birth_date")
    if birth is None and expected is None:
        raise refuse(
            case_id,
            "PersonBirthDate",
            "the census needs the child's birth date (PersonBirthDate) or expected birth "
            "date (ExpectedPersonBirthDate)",
        )
    ethnicity, unknown = child.get("ethnicity"), child.get("upn_unknown")
    upn = _upn(case_id, "UPN", "upn", child.get("upn"))
    return Identity(
        upn=upn,
        former_upn=_upn(case_id, "FormerUPN", "former_upn", child.get("former_upn")),
        # a UPN known makes its "unknown" reason moot: it is left out
        upn_unknown=None
        if upn is not None or unknown is None
        else coded(case_id, "UPNunknown", unknown, UPN_UNKNOWN),
        birth=None if birth is None else iso_date(case_id, "PersonBirthDate", birth),
        expected=None
        if birth is not None or expected is None
        else iso_date(case_id, "ExpectedPersonBirthDate", expected),
        sex=sex_code(case_id, child.get("gender"), unborn=birth is None),
        ethnicity=ETHNICITY_NOT_OBTAINED
        if ethnicity is None
        else coded(case_id, "Ethnicity", ethnicity, ETHNICITIES),
        disabilities=disability_codes(case_id, child.get("disabilities")),
    )


def _upn(case_id: str, element: str, name: str, upn: Any) -> str | None:
    if upn is None:
        return None
    if not UPN.fullmatch(str(upn)):
        raise refuse(case_id, element, f"child.{name} {upn!r} is not a valid UPN")
    code = str(upn).upper()
    if code[1:].isdigit() and code[0] != _check_letter(code[1:]):
        raise refuse(
            case_id,
            element,
            f"child.{name} {upn!r} has the wrong check letter (DfE rule 1510: it would be "
            f"{_check_letter(code[1:])})",
        )
    return code


def _check_letter(digits: str) -> str:
    """The UPN's first character from its twelve digits (weights 2 to 13, modulo 23)."""
    total = sum(int(d) * w for d, w in zip(digits, range(2, 14), strict=True)) % 23
    return "ABCDEFGHJKLMNPQRTUVWXYZ"[total]


def disability_codes(case_id: str, disabilities: Any) -> tuple[str, ...]:
    """Census disability codes, de-duplicated; NONE stands alone (DfE rule 8790)."""
    if not isinstance(disabilities, list):
        return ()
    codes = tuple(
        dict.fromkeys(coded(case_id, "Disability", d, DISABILITIES) for d in disabilities)
    )
    if "NONE" in codes and len(codes) > 1:
        raise refuse(case_id, "Disability", "NONE is given with other disability codes")
    return codes


def sex_code(case_id: str, gender: Any, *, unborn: bool) -> str:
    if unborn or gender is None:
        return SEX_UNKNOWN
    code = SEX_CODES.get(str(gender).strip().lower())
    if code is None:
        raise refuse(case_id, "Sex", f"child.gender {gender!r} has no census Sex code")
    return code


def needs_disabilities(
    child: Identity, shown: Iterable[Episode], period: tuple[date, date]
) -> bool:
    """DfE rule 8540: a born child with an episode that is not an NFA referral needs at
    least one Disability code (NONE when the child has none)."""
    return child.birth is not None and any(not referral_nfa(ep, period) for ep in shown)
