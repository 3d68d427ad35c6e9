"""The laws of late recording and retraction (issue 8, DOMAIN.md §5), as hypothesis
properties: obligations follow when things happened, not the order they were typed in, and
a retracted fact is as if never recorded. (The third, `due --as-of` against `show --as-of`,
runs through the command line in tests/e2e/test_time_travel.py.) The last property holds
the short way of re-chaining a fact recorded in date order to the full re-derivation."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from casebook import CHAIR, SW, TM, Casebook
from cpworkflow.lifecycle.case import Case
from rechain_oracle import Step, both_ways

ICPC = date(2025, 1, 20)
CONVENED = date(2025, 3, 25)  # for an RCPC on 2025-04-15

Fact = tuple[int, str, dict[str, str], dict[str, Any]]  # (day after the ICPC, type, actor, data)

visits = st.builds(
    lambda seen, alone, bedroom: (
        "ChildVisited",
        SW,
        {"seen": seen, "seen_alone": seen and alone, "bedroom_seen": seen and bedroom},
    ),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
core_groups = st.just(("CoreGroupMeetingHeld", TM, {"chair": TM}))
reports = st.just(("AgencyReportReceived", SW, {"agency": "School"}))
advice = st.just(("ManagementAdviceSought", TM, {"from": ["group_manager"]}))
facts = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=80), st.one_of(visits, core_groups, reports, advice)
    ).map(lambda t: (t[0], *t[1])),
    min_size=1,
    max_size=7,
)


def obligations(case: Case) -> list[tuple[str, ...]]:
    """The obligations without ids or seqs: what a user sees of them."""
    return sorted(
        tuple(map(str, (o.rule, o.opened_on, o.due, o.owner_role, o.met_on)))
        + tuple(map(str, (o.late_by_working_days, o.lapsed_on)))
        for o in case.obligations.values()
    )


def on(day: int) -> str:
    return (ICPC + timedelta(days=day)).isoformat()


def on_plan_with_a_review_convened() -> Casebook:
    book = Casebook().on_plan(on=ICPC.isoformat())
    book.today = date(2025, 4, 14)  # every fact is recorded by then, whatever its date
    book.record(
        "ReviewConferenceConvened", CONVENED.isoformat(), CHAIR, conference_date="2025-04-15"
    )
    return book


def recorded(order: list[Fact]) -> Casebook:
    book = on_plan_with_a_review_convened()
    for day, kind, actor, data in order:
        book.record(kind, on(day), actor, **data)
    return book


@settings(max_examples=60, deadline=None)
@given(facts=facts, order=st.randoms(use_true_random=False))
def test_any_recording_order_of_the_periods_facts_gives_the_obligations_of_date_order(
    facts: list[Fact], order: Any
) -> None:
    """DOMAIN §5: "Obligations follow when things happened, not the order they were typed
    in" — same rules, due dates, met-on and late-by figures."""
    by_date = sorted(facts, key=lambda f: f[0])
    shuffled = list(facts)
    order.shuffle(shuffled)
    in_date_order, typed_late = recorded(by_date), recorded(shuffled)
    assert obligations(typed_late.case) == obligations(in_date_order.case)
    assert typed_late.replayed() == typed_late.case  # replay applies what decide computed


@settings(max_examples=60, deadline=None)
@given(facts=facts, pick=st.integers(min_value=0), order=st.randoms(use_true_random=False))
def test_recording_facts_and_retracting_one_equals_never_recording_it(
    facts: list[Fact], pick: int, order: Any
) -> None:
    """DOMAIN §5 "Retractions": the retracted fact's obligations are re-derived as if it had
    never been recorded (the log and the history still show both)."""
    shuffled = list(facts)
    order.shuffle(shuffled)
    gone = pick % len(shuffled)
    book = recorded(shuffled)
    seq = 4 + gone + 1  # opened, strategy, ICPC, convened; then the facts in order
    book.record("EntryRetracted", "2025-04-14", SW, seq=seq, reason="Recorded in error")
    without = recorded(shuffled[:gone] + shuffled[gone + 1 :])
    assert obligations(book.case) == obligations(without.case)
    assert book.replayed() == book.case
    assert seq in book.case.retracted and len(book.events) == len(without.events) + 2


def as_steps(order: list[Fact]) -> list[Step]:
    """`recorded(order)` as the envelopes it decides."""
    plan = {"chair": CHAIR, "decision": "plan", "categories": ["neglect"], "lead_social_worker": SW}
    return [
        ("CaseOpened", "2025-01-06", SW, {"child": {"ref": "C1", "birth_date": "2015-03-01"}}),
        ("StrategyMeetingHeld", "2025-01-07", TM, {"outcome": "s47"}),
        ("InitialConferenceHeld", ICPC.isoformat(), CHAIR, plan),
        (
            "ReviewConferenceConvened",
            CONVENED.isoformat(),
            CHAIR,
            {"conference_date": "2025-04-15"},
        ),
        *((kind, on(day), actor, data) for day, kind, actor, data in order),
    ]


@settings(max_examples=60, deadline=None)
@given(facts=facts, pick=st.integers(min_value=0), order=st.randoms(use_true_random=False))
def test_the_short_way_of_re_chaining_decides_as_re_deriving_the_period_does(
    facts: list[Fact], pick: int, order: Any
) -> None:
    """A fact recorded in date order is applied to the chain the last derivation left
    (`rechain.record_fact`), not re-derived with the period: every decision it writes is
    the full re-derivation's, byte for byte: the facts in date order, typed in any order,
    then one retracted, and a visit after the RCPC has been held."""
    by_date = sorted(facts, key=lambda f: f[0])
    shuffled = list(facts)
    order.shuffle(shuffled)
    for typed in (by_date, shuffled):
        steps = as_steps(typed)
        steps.append(("EntryRetracted", "2025-04-14", SW, {"seq": 5 + pick % len(typed)}))
        steps[-1][3]["reason"] = "Recorded in error"
        held = {"chair": CHAIR, "decision": "continue"}
        steps.append(("ReviewConferenceHeld", "2025-04-15", CHAIR, held))
        steps.append(("ChildVisited", "2025-04-16", SW, {"seen": True, "bedroom_seen": True}))
        both_ways(steps)
