"""The CIN census code lists the vocabulary speaks (`shared/reference/cin-census.xsd`).

Copied in the schema's order; `tests/unit/test_events_codes.py` checks them against the
lists `census_rules` exports. Values outside a list are bad input when an event is decoded.
"""

from __future__ import annotations

from typing import Literal, get_args

# sextype: male, female, unknown.
Gender = Literal["M", "F", "U"]

# ethnicitytype
Ethnicity = Literal[
    "WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND",
    "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
]  # fmt: skip

# referralsourcetype
ReferralSource = Literal[
    "1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F",
    "4", "5A", "5B", "5C", "5D", "6", "7", "8", "9", "10",
]  # fmt: skip

# primaryneedcodetype (N0: not stated)
PrimaryNeed = Literal["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9", "N0"]

# assessmentfactorstype (this copy of the schema keeps 18A and 19A; see its README)
AssessmentFactor = Literal[
    "1A", "1B", "1C", "2A", "2B", "2C", "3A", "3B", "3C", "4A", "4B", "4C", "5A", "5B",
    "5C", "6A", "6B", "6C", "7A", "8B", "8C", "8D", "8E", "8F", "9A", "10A", "11A", "12A",
    "13A", "14A", "15A", "16A", "17A", "18A", "18B", "18C", "19A", "19B", "19C", "20",
    "21", "22A", "23A", "24A",
]  # fmt: skip

# disabilitytype ("NONE" when the child has none; never listed with another code)
Disability = Literal[
    "NONE", "MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT", "DDA",
]  # fmt: skip

# unknownupntype: why a child has no UPN. The bundled 2025-26 schema lists UN1 to UN7 only
# (DOMAIN.md §3 says UN1-UN10): a code the census return could not carry is refused here.
UpnUnknown = Literal["UN1", "UN2", "UN3", "UN4", "UN5", "UN6", "UN7"]

# upntype: a letter, eleven digits, then a digit or a letter.
UPN_PATTERN = r"^[A-Za-z]\d{11}(\d|[A-Za-z])$"

GENDERS: tuple[str, ...] = get_args(Gender)
ETHNICITIES: tuple[str, ...] = get_args(Ethnicity)
REFERRAL_SOURCES: tuple[str, ...] = get_args(ReferralSource)
PRIMARY_NEEDS: tuple[str, ...] = get_args(PrimaryNeed)
ASSESSMENT_FACTORS: tuple[str, ...] = get_args(AssessmentFactor)
DISABILITIES: tuple[str, ...] = get_args(Disability)
UPN_UNKNOWN_REASONS: tuple[str, ...] = get_args(UpnUnknown)
