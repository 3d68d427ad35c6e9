"""A deterministic caseload for the statutory returns, decided through the real vocabulary
and guards (`Casebook`: decide and evolve, as the service does, with no store).

One function a lifecycle path; each takes the Monday the referral arrived and the child's
details, and dates everything else from it on weekdays (conferences are never at a
weekend). `caseload(n)` cycles the paths over n children, each starting a week earlier
than the last, every path under each of the three packs (default, lancashire, sefton),
with valid UPNs (check letter), disabilities, sexes and ethnicities varied.
The Annex A case book (tests/casebook_annex_a.py) uses the same paths at fixed dates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

from casebook import CHAIR, LEAD, SW, TM, Casebook, smart_plan
from cpworkflow.records import StoredEvent

Child = dict[str, Any]
TEAM = "Assessment Team North"


def upn(la: int, serial: int) -> str:
    """A UPN with its DfE check letter: `L` + LA code + year + serial."""
    digits = f"{la:03d}26{serial:07d}"
    total = sum(int(d) * w for d, w in zip(digits, range(2, 14), strict=True)) % 23
    return "ABCDEFGHJKLMNPQRTUVWXYZ"[total] + digits


class Path:
    """Dates counted in days from the referral (t0, a Monday)."""

    def __init__(self, case_id: str, t0: date, child: Child, policy: str = "default") -> None:
        self.book = Casebook(case_id, policy=policy)
        self.t0 = t0
        data: dict[str, Any] = {
            "child": {"ref": case_id, **child},
            "referral": {"date": self.on(0), "source": "2A", "primary_need": "N1"},
        }
        if policy != "default":
            data["policy"] = policy
        self.record("CaseOpened", 0, SW, **data)
        self.record("StaffAssigned", 0, TM, person=SW, team=TEAM)

    def on(self, days: int) -> str:
        return (self.t0 + timedelta(days=days)).isoformat()

    def record(self, type_: str, days: int, actor: dict[str, str], **data: Any) -> None:
        self.book.record(type_, self.on(days), actor, **data)

    @property
    def events(self) -> list[StoredEvent]:
        return self.book.events

    # -- steps ----------------------------------------------------------------------------

    def assessed(self, start: int, done: int, outcome: str, factors: list[str]) -> Path:
        self.record("AssessmentStarted", start, SW)
        self.record(
            "AssessmentCompleted", done, SW, factors=factors, child_seen=True, outcome=outcome
        )
        return self

    def s47(self, days: int) -> Path:
        self.record("StrategyMeetingHeld", days, TM, outcome="s47", participants=[SW, TM])
        return self

    def plan(self, days: int, categories: list[str]) -> Path:
        self.record(
            "InitialConferenceHeld",
            days,
            CHAIR,
            chair=CHAIR,
            decision="plan",
            categories=categories,
            lead_social_worker=SW,
            first_review_date=self.on(days + 84),
        )
        return self

    def seen(self, days: int, alone: bool = True) -> Path:
        self.record("ChildVisited", days, SW, seen=True, seen_alone=alone, bedroom_seen=True)
        return self

    def review_ends_plan(self, convened: int, held: int, categories: list[str]) -> Path:
        self.record("ReviewConferenceConvened", convened, CHAIR, conference_date=self.on(held))
        self.record(
            "ReviewConferenceHeld",
            held,
            CHAIR,
            chair=CHAIR,
            decision="end_plan",
            category_judgements=dict.fromkeys(categories, "no_longer_at_risk"),
            overriding_reasons="Sustained change evidenced by the updated assessment",
            continuing_support={
                "kind": "cin",
                "family_consent": True,
                "plan": smart_plan(self.on(held + 14), review_interval_weeks=4),
            },
        )
        self.record(
            "ChildInNeedMeetingHeld",
            held + 14,
            CHAIR,
            chair=CHAIR,
            kind="first",
            next_meeting_date=self.on(held + 42),
        )
        return self

    def s17(self, days: int) -> Path:
        self.record("StrategyMeetingHeld", days, TM, outcome="s17")
        self.record(
            "ChildInNeedMeetingHeld",
            days + 7,
            SW,
            chair=SW,
            kind="first",
            next_meeting_date=self.on(days + 35),
            plan=smart_plan(self.on(days + 7), review_interval_weeks=4),
        )
        return self

    def cin_ends(self, reflective: int, final: int) -> Path:
        # On the s17 path the CP chair may contribute (000 §7); here the chair always does.
        self.record(
            "ReflectiveDiscussionHeld", reflective, TM, participants=[TM, SW, CHAIR], recorded_by=TM
        )
        self.record(
            "FinalChildInNeedReviewHeld",
            final,
            TM,
            chair=TM,
            decision="end_plan",
            lead_professional=LEAD,
            outstanding_outcomes=["Attendance stays above 95%"],
            actions=[{"action": "Termly check-in", "owner": "School", "every_weeks": 12}],
            review_interval_weeks=12,
            contingency="Re-refer to the front door if attendance falls",
            professionals_informed=True,
        )
        return self


# -- one function a path -----------------------------------------------------------------


def referral_nfa(case_id: str, t0: date, child: Child, policy: str = "default") -> Path:
    path = Path(case_id, t0, child, policy)
    path.record("StrategyMeetingHeld", 1, TM, outcome="nfa", professionals_informed=True)
    return path


def assessment_only(case_id: str, t0: date, child: Child, policy: str = "default") -> Path:
    path = Path(case_id, t0, child, policy).assessed(1, 22, "no_further_action", ["21"])
    path.record("StrategyMeetingHeld", 23, TM, outcome="nfa", professionals_informed=True)
    return path


def s47_without_icpc(case_id: str, t0: date, child: Child, policy: str = "default") -> Path:
    path = Path(case_id, t0, child, policy).s47(1).assessed(1, 15, "cin", ["3A", "4B"])
    return path.s17(16)


def icpc_no_plan(case_id: str, t0: date, child: Child, policy: str = "default") -> Path:
    path = Path(case_id, t0, child, policy).s47(1).assessed(1, 14, "s47", ["2B"])
    path.record(
        "InitialConferenceHeld",
        15,
        CHAIR,
        chair=CHAIR,
        decision="no_plan",
        continuing_support={
            "kind": "universal",
            "family_declined": True,
            "reason": "The family declined a child in need plan; the school nurse will support",
        },
        professionals_informed=True,
    )
    return path


def plan_ended(case_id: str, t0: date, child: Child, policy: str = "default") -> Path:
    """A plan made, reviewed and ended into CiN support, which later ends too."""
    path = Path(case_id, t0, child, policy).s47(1).assessed(1, 14, "s47", ["3A", "2B"])
    path.plan(15, ["neglect"]).seen(22).seen(36).seen(50).seen(64, alone=False).seen(78)
    path.review_ends_plan(71, 92, ["neglect"])
    return path.cin_ends(148, 155)


def plan_open(case_id: str, t0: date, child: Child, policy: str = "default") -> Path:
    """On a plan after police protection the day the enquiry began."""
    path = Path(case_id, t0, child, policy).s47(1).assessed(1, 14, "s47", ["1B", "3A"])
    path.record(
        "LegalStatusRecorded",
        2,
        SW,
        status="police_protection",
        start_date=path.on(1),
        end_date=path.on(2),
    )
    return path.plan(15, ["emotional", "physical"]).seen(22).seen(36, alone=False)


def pre_birth_plan(case_id: str, t0: date, child: Child, policy: str = "default") -> Path:
    """An unborn child on a pre-birth plan, born four weeks later."""
    expected = (t0 + timedelta(days=42)).isoformat()
    unborn = {"expected_birth_date": expected, "disabilities": ["NONE"], "upn_unknown": "UN1"}
    path = Path(case_id, t0, unborn, policy).s47(1).assessed(1, 14, "s47", ["2B"])
    path.record(
        "InitialConferenceHeld",
        15,
        CHAIR,
        chair=CHAIR,
        decision="plan",
        categories=["neglect"],
        lead_social_worker=SW,
        pre_birth=True,
    )
    path.record("ChildBorn", 43, SW, birth_date=path.on(40), gender=child["gender"])
    return path.seen(44)


def upn_learned_later(case_id: str, t0: date, child: Child, policy: str = "default") -> Path:
    """A school-age child referred without a UPN; the school gives it a week later."""
    known = {k: v for k, v in child.items() if k not in ("upn", "upn_unknown")}
    path = Path(case_id, t0, {**known, "upn_unknown": "UN5"}, policy)
    path.assessed(1, 15, "cin", ["18B"]).s17(16)
    learned = child.get("upn") or upn(318, 500_000 + int(case_id.lstrip("L")))
    path.record("ChildDetailsRecorded", 21, SW, upn=learned)
    return path


def transferred(case_id: str, t0: date, child: Child, policy: str = "default") -> Path:
    """A child in need who moved to another authority, which confirmed the handover."""
    path = Path(case_id, t0, child, policy).assessed(1, 15, "cin", ["10A"]).s17(16)
    path.record(
        "CaseClosed",
        40,
        TM,
        reason="transferred",
        transfer={
            "receiving_authority": "Another Council",
            "written_confirmation": True,
            "transfer_conference_date": path.on(38),
        },
        professionals_informed=True,
    )
    return path


def cin_open(case_id: str, t0: date, child: Child, policy: str = "default") -> Path:
    return Path(case_id, t0, child, policy).assessed(1, 15, "cin", ["16A"]).s17(16).seen(30)


def cin_closed(case_id: str, t0: date, child: Child, policy: str = "default") -> Path:
    path = Path(case_id, t0, child, policy).assessed(1, 15, "cin", ["17A"]).s17(16).seen(30)
    return path.cin_ends(58, 65)


PATHS: tuple[Callable[..., Path], ...] = (
    referral_nfa,
    assessment_only,
    s47_without_icpc,
    icpc_no_plan,
    plan_ended,
    plan_open,
    cin_open,
    cin_closed,
    pre_birth_plan,
    upn_learned_later,
    transferred,
)
PACKS = ("default", "lancashire", "sefton")
SEXES = ("M", "F", "F", "M")
ETHNICITIES = ("WBRI", "BAFR", "MWBC", "APKN", "WOTH", "CHNE", "BCRB", "WIRI", "AOTH")
DISABILITIES = (["NONE"], ["NONE"], ["AUT", "COMM"], ["NONE"], ["LD"], ["MOB", "HAND"],
                ["NONE"], ["BEH"], ["VIS"], ["HEAR", "LD"], ["PC"], ["INC"], ["CON"],
                ["DDA"], ["NONE"])  # fmt: skip


def child_details(k: int, t0: date) -> Child:
    """The k-th child: aged 1 to 16 at referral, school-age children with a UPN."""
    age = 1 + (k * 5) % 16
    birth = date(t0.year - age, 1 + k % 12, 1 + k % 28)
    child: Child = {
        "birth_date": birth.isoformat(),
        "gender": "U" if k % 97 == 0 else SEXES[k % len(SEXES)],
        "ethnicity": ETHNICITIES[k % len(ETHNICITIES)],
        "disabilities": DISABILITIES[k % len(DISABILITIES)],
    }
    if age >= 4:
        child["upn"] = upn(318, k)
    else:
        child["upn_unknown"] = "UN1"  # a child under school age: no UPN yet
    return child


def caseload(n: int, last_referral: date = date(2026, 1, 5)) -> Iterator[list[StoredEvent]]:
    """n cases, one child each, referred on Mondays in the 60 weeks up to `last_referral`."""
    for k in range(n):
        t0 = last_referral - timedelta(weeks=k % 60)
        policy = PACKS[(k // len(PATHS)) % len(PACKS)]  # every path under every pack
        path = PATHS[k % len(PATHS)](f"L{k:04d}", t0, child_details(k, t0), policy)
        yield path.events
