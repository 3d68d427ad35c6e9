"""Re-chaining a fact recorded in date order applies it to what the last derivation left
(`rechain.Chain`) instead of re-deriving the period: the decision must be the one the full
re-derivation writes, byte for byte, for every log. These decide generated logs both ways
(`rechain_oracle.both_ways`): the simulated caseload of `cpw simulate`, the same stories
typed in late, and plans that wander through births, conferences, lapses, rescues, CiN
plans and retractions, with facts often dated back."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from casebook import CHAIR, IROM, SM, SW, TM, Casebook, cin_meeting, end_plan, smart_plan
from cpworkflow.workload.caseload import case_story
from rechain_oracle import Step, both_ways, iso

GM = {"id": "gm-1", "role": "group_manager"}


def _steps(envelopes: list[dict[str, Any]]) -> list[Step]:
    return [(e["type"], e["occurred_on"], e["actor"], e["data"]) for e in envelopes]


def test_a_visit_a_week_takes_the_short_way_after_the_first_and_matches_the_definition() -> None:
    start = date(2025, 1, 20)
    steps: list[Step] = [
        ("CaseOpened", "2025-01-06", SW, {"child": {"ref": "C1", "birth_date": "2015-03-01"}}),
        ("StrategyMeetingHeld", "2025-01-07", TM, {"outcome": "s47"}),
        (
            "InitialConferenceHeld",
            iso(start),
            CHAIR,
            {
                "chair": CHAIR,
                "decision": "plan",
                "categories": ["neglect"],
                "lead_social_worker": SW,
            },
        ),
    ]
    steps += [
        ("ChildVisited", iso(start + timedelta(weeks=w)), SW, {"seen": True, "seen_alone": True})
        for w in range(1, 41)
    ]
    book, short = both_ways(steps)
    assert short == 39  # the first visit of the period is derived in full
    assert len(book.events) == len(steps)


def test_a_conference_held_after_the_latest_fact_keeps_the_short_way() -> None:
    """Convening and holding an RCPC after the period's latest fact (reports and a core
    group due, then lapsed) leave the chain usable; a report dated before the conference
    and typed after it rescues what it lapsed, the short way."""
    steps: list[Step] = [
        ("CaseOpened", "2025-01-06", SW, {"child": {"ref": "C1", "birth_date": "2015-03-01"}}),
        ("StrategyMeetingHeld", "2025-01-07", TM, {"outcome": "s47"}),
        (
            "InitialConferenceHeld",
            "2025-01-20",
            CHAIR,
            {
                "chair": CHAIR,
                "decision": "plan",
                "categories": ["neglect"],
                "lead_social_worker": SW,
            },
        ),
        ("ChildVisited", "2025-01-30", SW, {"seen": True}),
        ("ChildVisited", "2025-02-10", SW, {"seen": True, "bedroom_seen": True}),
        ("ReviewConferenceConvened", "2025-03-25", CHAIR, {"conference_date": "2025-04-15"}),
        ("ReviewConferenceHeld", "2025-04-15", CHAIR, {"chair": CHAIR, "decision": "continue"}),
        ("AgencyReportReceived", "2025-04-14", SW, {"agency": "School"}),
        ("ChildVisited", "2025-04-20", SW, {"seen": True}),
    ]
    book, short = both_ways(steps)
    assert short == 3  # the first visit is derived in full; the rest take the short way
    rescue = book.events[7].decision
    assert rescue["reopened"] and rescue["met"][0]["on"] == "2025-04-14"


def _plan(*more: Step, child: dict[str, Any] | None = None, **icpc: Any) -> list[Step]:
    opened = {"child": child or {"ref": "C1", "birth_date": "2015-03-01"}}
    held = {"chair": CHAIR, "decision": "plan", "categories": ["neglect"], "lead_social_worker": SW}
    return [
        ("CaseOpened", "2025-01-06", SW, opened),
        ("StrategyMeetingHeld", "2025-01-07", TM, {"outcome": "s47"}),
        ("InitialConferenceHeld", "2025-01-20", CHAIR, held | icpc),
        *more,
    ]


def test_what_a_conference_lapsed_is_rescued_the_short_way_after_a_full_derivation() -> None:
    """The RCPC is held the day of the latest visit, so the next fact re-derives in full;
    the chain it leaves keeps what the conference lapsed, and a bedroom visit typed after
    it, dated the conference day, rescues the bedroom the short way."""
    book, short = both_ways(
        _plan(
            ("ReviewConferenceConvened", "2025-03-25", CHAIR, {"conference_date": "2025-04-15"}),
            ("ChildVisited", "2025-04-15", SW, {"seen": True}),
            ("ReviewConferenceHeld", "2025-04-15", CHAIR, {"chair": CHAIR, "decision": "continue"}),
            ("AgencyReportReceived", "2025-04-15", SW, {"agency": "School"}),
            ("ChildVisited", "2025-04-15", SW, {"seen": True, "bedroom_seen": True}),
        )
    )
    assert short == 1
    rescued = book.events[-1].decision
    assert rescued["reopened"] == ["3:T-BEDROOM"] and rescued["met"][0]["id"] == "3:T-BEDROOM"


def sparse_pack() -> str:
    """An authority's pack without T-BEDROOM or T-SEEN-ALONE: an RCPC that continues then
    opens nothing a fact meets."""
    path = Path(tempfile.gettempdir()) / "cpw-rechain-sparse.toml"
    if not path.exists():
        path.write_text(
            'extends = "default"\nid = "sparse"\nversion = "1"\ntitle = "Sparse"\n'
            "[timescales.T-BEDROOM]\nenabled = false\n"
            "[timescales.T-SEEN-ALONE]\nenabled = false\n"
        )
    return str(path)


@pytest.mark.parametrize("policy", ["default", "sparse"])
def test_a_conference_dated_before_the_latest_fact_re_derives_the_next_fact(policy: str) -> None:
    """A report on 20 April met the reports due for the RCPC; the RCPC, typed after it, is
    dated 15 April: the report came after the conference, so the next fact re-derives it
    missed (reopened, lapsed on the conference day), in full, as the definition does."""
    pack = sparse_pack() if policy == "sparse" else policy
    book, _ = both_ways(
        _plan(
            ("ReviewConferenceConvened", "2025-03-25", CHAIR, {"conference_date": "2025-04-15"}),
            ("AgencyReportReceived", "2025-04-20", SW, {"agency": "School"}),
            ("ReviewConferenceHeld", "2025-04-15", CHAIR, {"chair": CHAIR, "decision": "continue"}),
            ("ChildVisited", "2025-04-22", SW, {"seen": True}),
        ),
        policy=pack,
    )
    missed = book.events[-1].decision
    assert "4:T-REPORTS" in missed["reopened"]
    assert {"id": "4:T-REPORTS", "on": "2025-04-15"} in missed["lapsed"]


def test_a_birth_typed_in_late_makes_the_next_visit_re_derive_in_full() -> None:
    """A child not yet born, on a plan made as for a born child: visits seeing the baby
    awake do not count as seen alone until the birth is known. The birth, typed after
    two visits and dated before them, makes them visits to a baby, which only
    re-deriving the period sees: the visit after it re-derives in full."""
    book, _ = both_ways(
        _plan(
            ("ChildVisited", "2025-03-03", SW, {"seen": True, "seen_awake": True}),
            ("ChildVisited", "2025-03-10", SW, {"seen": True, "seen_awake": True}),
            ("ChildBorn", "2025-02-26", SW, {"birth_date": "2025-02-26"}),
            ("ChildVisited", "2025-03-17", SW, {"seen": True, "seen_awake": True}),
            child={"ref": "C1", "expected_birth_date": "2025-03-01"},
        )
    )
    seen_alone = [ob for ob in book.case.obligations.values() if ob.rule == "T-SEEN-ALONE"]
    assert [ob.met_on for ob in seen_alone if ob.opened_seq == 3] == [date(2025, 3, 3)]


def test_a_review_called_back_before_the_latest_fact_lets_an_earlier_report_meet_it() -> None:
    """The RCPC is convened on 15 March, typed after a report of the 18th and a visit of
    the 20th: the reports it calls for are met by the report of the 18th, which only
    re-deriving the period finds, so the next report re-derives in full."""
    book, _ = both_ways(
        _plan(
            ("AgencyReportReceived", "2025-03-18", SW, {"agency": "School"}),
            ("ChildVisited", "2025-03-20", SW, {"seen": True}),
            ("ReviewConferenceConvened", "2025-03-15", CHAIR, {"conference_date": "2025-04-15"}),
            ("AgencyReportReceived", "2025-03-22", SW, {"agency": "Health"}),
        )
    )
    met = book.events[-1].decision["met"]
    assert {"id": "6:T-REPORTS", "on": "2025-03-18", "late_by_working_days": 0, "seq": 4} in met


def test_a_pre_birth_plan_starts_seeing_the_child_alone_at_the_birth_both_ways() -> None:
    """Before the birth, a visit that saw the child alone opens nothing (there is no
    chain of T-SEEN-ALONE yet); the birth starts one, and from then on re-deriving the
    period opens one at that earlier visit too: the chain after the birth is not used."""
    unborn = {"ref": "C1", "expected_birth_date": "2025-03-01"}
    _, short = both_ways(
        _plan(
            ("ChildVisited", "2025-01-27", SW, {"seen": True, "seen_alone": True}),
            ("ChildBorn", "2025-02-26", SW, {"birth_date": "2025-02-26"}),
            ("ChildVisited", "2025-03-03", SW, {"seen": True, "seen_awake": True}),
            ("ChildVisited", "2025-03-10", SW, {"seen": True, "seen_awake": True}),
            child=unborn,
            pre_birth=True,
        )
    )
    # The birth, in date order, takes the short way but leaves no chain (a rule new to the
    # case); the visit after it re-derives in full, the last one takes the short way.
    assert short == 2


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=10**6), number=st.integers(1, 400))
def test_a_simulated_case_decides_the_same_both_ways(seed: int, number: int) -> None:
    envelopes = case_story(seed, number)
    opened = envelopes[0]["data"]
    _, short = both_ways(
        _steps(envelopes), case_id=envelopes[0]["case_id"], policy=opened.get("policy", "default")
    )
    event(f"short way taken: {short > 0}")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=0, max_value=10**6),
    number=st.integers(1, 400),
    moves=st.lists(st.tuples(st.integers(min_value=0), st.integers(1, 12)), max_size=8),
)
def test_a_simulated_case_typed_in_late_decides_the_same_both_ways(
    seed: int, number: int, moves: list[tuple[int, int]]
) -> None:
    """The story's events, some recorded later than they happened (`moves`: which event,
    and how many events later it is typed); what is refused then is refused both ways."""
    envelopes = case_story(seed, number)
    for index, later in moves:
        at = 1 + index % (len(envelopes) - 1)  # never the opening
        moved = envelopes.pop(at)
        envelopes.insert(min(at + later, len(envelopes)), moved)
    opened = envelopes[0]["data"]
    both_ways(
        _steps(envelopes), case_id=envelopes[0]["case_id"], policy=opened.get("policy", "default")
    )


# -- plans that wander -----------------------------------------------------------------------

KINDS = (
    *("visit", "visit", "visit", "visit", "visit", "core", "core", "report", "report"),
    *("advice", "born", "convene", "hold", "end", "end", "cin", "cin", "plan", "circulate"),
    *("notify", "outcomes", "audit", "staff", "retract", "retract", "restart", "waive"),
)
# (kind, days the story moves on, days the event is dated back, flags, a number)
Op = tuple[str, int, int, tuple[bool, bool, bool, bool], int]
ops = st.tuples(
    st.sampled_from(KINDS),
    st.one_of(st.just(0), st.integers(0, 16)),
    st.one_of(st.just(0), st.just(0), st.integers(1, 45)),
    st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans()),
    st.integers(0, 10**6),
)
FACT_OF = {
    "visit": "ChildVisited",
    "core": "CoreGroupMeetingHeld",
    "report": "AgencyReportReceived",
    "advice": "ManagementAdviceSought",
    "born": "ChildBorn",
    "plan": "ChildInNeedPlanRecorded",
    "circulate": "ChildInNeedPlanCirculated",
    "notify": "AgenciesNotified",
    "outcomes": "OutcomesRecorded",
    "audit": "IroManagerAuditCompleted",
    "staff": "StaffAssigned",
}


def _fact(kind: str, on: date, flags: tuple[bool, ...], n: int) -> Step:
    seen, alone, awake, bedroom = flags
    recipients = [
        r for r, keep in zip(("child", "family", "agencies"), flags[:3], strict=True) if keep
    ]
    made: dict[str, tuple[dict[str, str], dict[str, Any]]] = {
        "visit": (
            SW,
            {"seen": seen, "seen_alone": alone, "seen_awake": awake, "bedroom_seen": bedroom},
        ),
        "core": (TM, {"chair": TM}),
        "report": (SW, {"agency": "School"}),
        "advice": (GM if seen else TM, {"from": ["group_manager"] if alone else ["legal"]}),
        "born": (SW, {"birth_date": iso(on - timedelta(days=n % 3))}),
        "plan": (SW, {"plan": smart_plan(iso(on), visiting_interval_weeks=1 + n % 4)}),
        "circulate": (SW, {"recipients": recipients or ["family"]}),
        "notify": (SW, {"agencies": ["school"]}),
        "outcomes": (CHAIR, {}),
        "audit": (IROM, {"findings": "Sound"}),
        "staff": (TM, {"person": SW}),
    }
    actor, data = made[kind]
    return (FACT_OF[kind], iso(on), actor, data)


def _moves(book: Casebook, kind: str, on: date, flags: tuple[bool, ...], n: int) -> list[Step]:
    """What `kind` becomes in the case's stage: the conference, meeting or strategy that
    fits (convening first where a conference must be called), or a fact as it is."""
    stage, since = book.case.stage, book.case.stage_since or on
    moved = max(on, since)  # an event that moves the stage is never before the stage began
    later = moved + timedelta(days=7 + n % 30)
    convene = (
        "ReviewConferenceConvened",
        iso(moved),
        CHAIR,
        {"conference_date": iso(moved + timedelta(days=n % 25))},
    )
    if kind in ("convene", "hold", "end") and stage == "cp_plan":
        return [convene] if kind == "convene" else [convene, *_moves_held(kind, moved, flags, n)]
    if kind in ("convene", "hold", "end") and stage == "review":
        return _moves_held("hold" if kind == "convene" else kind, moved, flags, n)
    if kind == "cin" and stage in ("step_down", "cin"):
        first = stage == "step_down"
        chair = CHAIR if first else TM
        meeting = cin_meeting("first" if first else "review", chair, next_meeting_date=iso(later))
        return [("ChildInNeedMeetingHeld", iso(moved), chair, meeting)]
    if kind == "restart" and stage in ("step_down", "cin", "final_review"):
        return [("StrategyMeetingHeld", iso(moved), TM, {"outcome": "s47"})]
    if kind == "restart" and stage == "referral":
        icpc = {"chair": CHAIR, "decision": "plan", "categories": ["neglect"]}
        return [("InitialConferenceHeld", iso(moved), CHAIR, icpc | {"lead_social_worker": SW})]
    if kind == "retract":
        case = book.case
        open_to = [e.seq for e in book.events if e.seq not in case.unretractable | case.retracted]
        if not open_to:
            return []
        target = open_to[-1 - n % len(open_to)]  # the latest ones most often
        return [("EntryRetracted", iso(on), SW, {"seq": target, "reason": "Recorded in error"})]
    if kind == "waive":  # lets the next conference end the plan without overriding reasons
        waiver = {"rule": "G-FIRST-REVIEW", "reason": "Agreed", "authorised_by": SM}
        return [("RuleWaived", iso(on), TM, waiver)]
    if kind in FACT_OF:
        return [_fact(kind, on, flags, n)]
    return []


def _moves_held(kind: str, on: date, flags: tuple[bool, ...], n: int) -> list[Step]:
    if kind == "end":
        ending = end_plan(first_meeting=iso(on + timedelta(days=7 + n % 20)))
        if flags[1]:  # none given: refused at the first review, unless a waiver stands
            del ending["overriding_reasons"]
        return [("ReviewConferenceHeld", iso(on), CHAIR, ending)]
    held: dict[str, Any] = {"chair": CHAIR, "decision": "continue"}
    if flags[0]:
        held["visiting_interval_weeks"] = 1 + n % 4
    return [("ReviewConferenceHeld", iso(on), CHAIR, held)]


@st.composite
def wandering_plans(draw: st.DrawFn) -> tuple[str, list[Step]]:
    """A pack, a plan (for an older child, a baby, or a child not yet born, made before the
    birth or not) and then up to
    80 moves: visits of every sort, core groups, reports, advice, a birth, conferences
    convened and held (continuing, or ending the plan into CiN, waived or not), CiN
    meetings and plans, staff, retractions, a new enquiry and plan; a third of the facts
    dated back, many on the same day as what comes before. The moves are made to fit the
    case as it goes (a plan ended into CiN has CiN meetings), so most are accepted."""
    policy = draw(st.sampled_from(["default", "sefton", "lancashire", "sparse"]))
    if policy == "sparse":
        policy = sparse_pack()
    who = draw(st.sampled_from(["older", "baby", "unborn", "unborn, plan made as if born"]))
    child: dict[str, Any] = {"ref": "C1"}
    if who.startswith("unborn"):
        child["expected_birth_date"] = "2025-03-01"
    else:
        child["birth_date"] = "2015-03-01" if who == "older" else "2024-10-01"
    icpc: dict[str, Any] = {"chair": CHAIR, "decision": "plan", "categories": ["neglect"]}
    icpc["lead_social_worker"] = SW
    if who == "unborn":
        icpc["pre_birth"] = True
    if draw(st.booleans()):
        icpc["visiting_interval_weeks"] = draw(st.integers(1, 4))
    day = date(2025, 1, 20)
    opened = {"child": child} | ({} if policy == "default" else {"policy": policy})
    steps: list[Step] = [
        ("CaseOpened", "2025-01-06", SW, opened),
        ("StrategyMeetingHeld", "2025-01-07", TM, {"outcome": "s47"}),
        ("InitialConferenceHeld", iso(day), CHAIR, icpc),
    ]
    book = Casebook(policy=policy)
    for step in steps:
        book.record(step[0], step[1], step[2], **step[3])
    for kind, on, back, flags, n in draw(st.lists(ops, min_size=20, max_size=80)):
        day += timedelta(days=on)
        for move in _moves(book, kind, day - timedelta(days=back), flags, n):
            steps.append(move)
            book.attempt(move[0], move[1], move[2], **move[3])
    return policy, steps


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=wandering_plans())
def test_a_wandering_plan_decides_the_same_both_ways(plan: tuple[str, list[Step]]) -> None:
    policy, steps = plan
    _, short = both_ways(steps, policy=policy)
    event(f"short way taken: {short > 0}")
