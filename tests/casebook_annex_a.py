"""The Annex A case book: one child per path, decided through the real vocabulary and
guards (tests/caseload.py), and every row Ofsted's lists 3-7 should hold for them at the
inspection date, written out by hand from the dates below.

Inspection Monday 2 March 2026; the six-month window is 2 September 2025 to 2 March 2026,
both days included. Every case opens with a referral from a school (2A, need N1) and
assigns sw-1 in the Assessment Team North (seq 2); an ICPC's lead social worker is the
allocated worker from then on (the ICPC's seq). A1 was also referred on 7 April 2025
(case A0, the same child): the only referral of the book in the 12 months before another.
"""

from __future__ import annotations

from datetime import date

from caseload import (
    Path,
    assessment_only,
    cin_closed,
    cin_open,
    icpc_no_plan,
    plan_ended,
    plan_open,
    referral_nfa,
    s47_without_icpc,
)
from cpworkflow.records import StoredEvent

AS_AT = date(2026, 3, 2)
TEAM, WORKER = "Assessment Team North", "sw-1"


def _child(birth: str, sex: str, ethnicity: str, disabilities: list[str] | None) -> dict:
    child: dict = {"birth_date": birth, "gender": sex, "ethnicity": ethnicity}
    if disabilities is not None:
        child["disabilities"] = disabilities
    return child


A1 = _child("2015-05-14", "F", "WBRI", ["NONE"])


def book() -> list[list[StoredEvent]]:
    """The case book's logs, one per case."""
    paths: list[Path] = [
        referral_nfa("A0", date(2025, 4, 7), {**A1, "ref": "A1"}),  # a year-old referral
        referral_nfa("A1", date(2025, 11, 3), A1),  # referral, no further action
        assessment_only(
            "A2", date(2025, 10, 6), _child("2012-03-02", "M", "BAFR", ["AUT", "COMM"])
        ),
        s47_without_icpc("A3", date(2025, 12, 1), _child("2019-03-03", "F", "MWBC", ["NONE"])),
        icpc_no_plan("A4", date(2026, 1, 5), _child("2010-11-30", "M", "APKN", ["LD"])),
        plan_ended("A5", date(2025, 6, 2), _child("2017-06-01", "F", "WOTH", ["NONE"])),
        plan_open("A6", date(2025, 11, 10), _child("2024-01-15", "M", "CHNE", None)),
        cin_open("A7", date(2025, 7, 7), _child("2011-08-20", "F", "BCRB", ["VIS"])),
        cin_closed("A8", date(2025, 9, 1), _child("2014-12-25", "M", "WIRI", ["NONE"])),
    ]
    return [p.events for p in paths]


# What each child is in every list: Child Unique ID, Sex, Ethnicity, Date of Birth, Age.
C1 = ("A1", "b) Female", "a) WBRI", "14/05/2015", 10)
C2 = ("A2", "a) Male", "o) BAFR", "02/03/2012", 14)  # 14 on the inspection day itself
C3 = ("A3", "b) Female", "f) MWBC", "03/03/2019", 6)  # 7 the day after
C4 = ("A4", "a) Male", "k) APKN", "30/11/2010", 15)
C5 = ("A5", "b) Female", "d) WOTH", "01/06/2017", 8)
C6 = ("A6", "a) Male", "q) CHNE", "15/01/2024", 2)
C7 = ("A7", "b) Female", "n) BCRB", "20/08/2011", 14)
C8 = ("A8", "a) Male", "b) WIRI", "25/12/2014", 11)
YES, NO, SCHOOLS = "a) Yes", "b) No", "e) 2A: Schools"
STAFF = (TEAM, WORKER)

# Each expected row: its cells, then (case id, source event seqs) for --trace.
LIST_3 = [  # referrals received in the window (A0, A5, A7, A8 were referred before it)
    ((*C1, "03/11/2025", SCHOOLS, YES, 1, *STAFF), ("A1", "1 2 3")),
    ((*C2, "06/10/2025", SCHOOLS, NO, 0, *STAFF), ("A2", "1 2 5")),
    ((*C3, "01/12/2025", SCHOOLS, NO, 0, *STAFF), ("A3", "1 2")),
    ((*C4, "05/01/2026", SCHOOLS, NO, 0, *STAFF), ("A4", "1 2 6")),
    ((*C6, "10/11/2025", SCHOOLS, NO, 0, *STAFF), ("A6", "1 7")),
]
LIST_4 = [  # assessments open in the window (A5's and A7's ended before it)
    ((*C2, YES, "07/10/2025", YES, "28/10/2025", NO, *STAFF), ("A2", "2 3 4")),
    ((*C3, NO, "02/12/2025", YES, "16/12/2025", YES, *STAFF), ("A3", "2 4 5")),
    ((*C4, YES, "06/01/2026", YES, "19/01/2026", YES, *STAFF), ("A4", "2 4 5")),
    ((*C6, "", "11/11/2025", YES, "24/11/2025", YES, *STAFF), ("A6", "4 5 7")),
    ((*C8, NO, "02/09/2025", YES, "16/09/2025", YES, *STAFF), ("A8", "2 3 4")),
]
LIST_5 = [  # section 47 enquiries open in the window (A5's reached its ICPC in June)
    ((*C3, NO, "02/12/2025", YES, "", "", 0, 0, *STAFF), ("A3", "2 3 6")),
    ((*C4, YES, "06/01/2026", NO, "20/01/2026", NO, 0, 0, *STAFF), ("A4", "2 3 6")),
    ((*C6, "", "11/11/2025", NO, "25/11/2025", YES, 0, 0, *STAFF), ("A6", "3 7")),
]
OPEN, CLOSED = "a) Open", "b) Closed"
LIST_6 = [  # open at the inspection or closed in the window; NFA referrals are not
    ((*C2, YES, CLOSED, "06/10/2025", "N1", "", "29/10/2025", "RC8", *STAFF), ("A2", "1 2 5")),
    ((*C3, NO, OPEN, "01/12/2025", "N1", "", "", "", *STAFF), ("A3", "1 2")),
    ((*C4, YES, CLOSED, "05/01/2026", "N1", "", "20/01/2026", "RC7", *STAFF), ("A4", "1 2 6")),
    (
        (*C5, NO, CLOSED, "02/06/2025", "N1", "19/08/2025", "04/11/2025", "RC7", *STAFF),
        ("A5", "1 6 11 16"),
    ),
    ((*C6, "", OPEN, "10/11/2025", "N1", "16/12/2025", "", "", *STAFF), ("A6", "1 7 9")),
    ((*C7, YES, OPEN, "07/07/2025", "N1", "06/08/2025", "", "", *STAFF), ("A7", "1 2 7")),
    (
        (*C8, NO, CLOSED, "01/09/2025", "N1", "01/10/2025", "05/11/2025", "RC7", *STAFF),
        ("A8", "1 2 7 9"),
    ),
]
LIST_7 = [  # on a plan at the inspection, or the plan ended in the window (A5: on its 1st day)
    (
        (
            *C5, NO, "17/06/2025", "a) Neglect", "a) Neglect", "19/08/2025", YES,
            "02/09/2025", "02/09/2025", "N", 0, *STAFF,
        ),
        ("A5", "6 11 13"),
    ),
    (
        (
            *C6, "", "25/11/2025", "e) Multiple", "e) Multiple", "16/12/2025", NO,
            "", "", "Y", 0, *STAFF,
        ),
        ("A6", "6 7 9"),
    ),
]  # fmt: skip
EXPECTED = {3: LIST_3, 4: LIST_4, 5: LIST_5, 6: LIST_6, 7: LIST_7}

# Ofsted's column headers, typed out from the version docs/annex-a.md names.
COMMON = ["Child Unique ID", "Sex", "Ethnicity", "Date of Birth", "Age of Child (Years)"]
HEADERS = {
    3: [*COMMON, "Date of referral", "Referral Source", "Referral NFA?",
        "Number of Referrals in Last 12 Months", "Allocated Team", "Allocated Worker"],
    4: [*COMMON, "Does the Child have a Disability", "Continuous Assessment Start Date",
        "Child Seen During Continuous Assessment", "Continuous Assessment Date of Authorisation",
        "Was the child assessed as requiring LA children's social care support?",
        "Allocated Team", "Allocated Worker"],
    5: [*COMMON, "Does the Child have a Disability",
        "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Date of Initial Child Protection Conference",
        "Did the Initial Child Protection Conference Result in a Child Protection Plan",
        "Number of Section 47 Enquiries in the last 12 months",
        "Number of ICPCs in the last 12 months", "Allocated Team", "Allocated Worker"],
    6: [*COMMON, "Does the Child have a Disability", "Case Status", "CIN Start Date",
        "Primary Need Code", "Date Child Was Last Seen", "CIN Closure Date",
        "Reason for Closure", "Allocated Team", "Allocated Worker"],
    7: [*COMMON, "Does the Child have a Disability", "Child Protection Plan Start Date",
        "Initial Category of Abuse", "Latest Category of Abuse",
        "Date of the Last Statutory Visit", "Was the Child Seen Alone?",
        "Date of latest review conference", "Child Protection Plan End Date",
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six "
        "Months (Y/N)", "Number of Previous Child Protection Plans", "Allocated Team",
        "Allocated Worker"],
}  # fmt: skip
SHEETS = [  # a sheet name holds at most 31 characters
    "List 3 - Referrals",
    "List 4 - Assessments",
    "List 5 - Section 47 and ICPC",
    "List 6 - Children in need",
    "List 7 - Child protection",
]
