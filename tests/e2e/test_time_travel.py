"""Replay to any point in time through the command line: `--at-seq N` is exactly the replay
of the first N events; `--as-of` sees a late-recorded event at its own date; `--known-at`
a moment before it was recorded does not."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from cli_harness import CHAIR, SW, TM, TODAY, json_of
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cpworkflow.lifecycle.fold import replay
from cpworkflow.records import timestamp_text
from cpworkflow.reports import projections
from cpworkflow.service import CaseService
from cpworkflow.store import EventStore

CASE = "T1"
PLAN_DAY = date(2025, 1, 28)
OPENING: list[tuple[str, date, dict[str, str], dict[str, Any]]] = [
    ("CaseOpened", date(2025, 1, 6), SW, {"child": {"ref": "R-5", "birth_date": "2016-01-01"}}),
    ("StrategyMeetingHeld", date(2025, 1, 7), TM, {"outcome": "s47"}),
    (
        "InitialConferenceHeld",
        PLAN_DAY,
        CHAIR,
        {"chair": CHAIR, "decision": "plan", "categories": ["neglect"], "lead_social_worker": SW},
    ),
]
RECORDING_STARTS = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


class Clock:
    """The store's clock: one second per write from `now`, which a test may move on."""

    def __init__(self, now: datetime = RECORDING_STARTS) -> None:
        self.now = now

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@contextmanager
def case_store(clock: Callable[[], datetime]) -> Iterator[tuple[str, CaseService]]:
    """A fresh SQLite store holding the opening of case T1 (on a plan from PLAN_DAY)."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'events.db'}"
        store = EventStore(url, clock=clock)
        store.init()
        service = CaseService(store, today=lambda: date.fromisoformat(TODAY))
        for type_, on, actor, data in OPENING:
            record(service, type_, on, actor, data)
        try:
            yield url, service
        finally:
            store.dispose()


def record(
    service: CaseService, type_: str, on: date, actor: dict[str, str], data: dict[str, Any]
) -> int:
    envelope = {
        "case_id": CASE,
        "type": type_,
        "occurred_on": on.isoformat(),
        "actor": actor,
        "data": data,
    }
    return service.record(envelope).event.seq


# Steps a case on a plan accepts in any order and on any later day.
visits = st.builds(
    lambda seen, alone, bedroom: (
        "ChildVisited",
        SW,
        {
            "seen": seen,
            "seen_alone": seen and alone,
            "bedroom_seen": seen and bedroom,
        },
    ),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
core_groups = st.just(("CoreGroupMeetingHeld", TM, {"chair": TM}))
reports = st.sampled_from(["school", "health", "police"]).map(
    lambda agency: ("AgencyReportReceived", SW, {"agency": agency})
)
steps = st.lists(
    st.tuples(st.integers(min_value=0, max_value=20), st.one_of(visits, core_groups, reports)),
    max_size=8,
)


@settings(max_examples=25, deadline=None)
@given(steps=steps)
def test_show_at_seq_n_is_the_replay_of_the_first_n_events(
    steps: list[tuple[int, tuple[str, dict[str, str], dict[str, Any]]]],
) -> None:
    with case_store(Clock()) as (url, service):
        day = PLAN_DAY
        for gap, (type_, actor, data) in steps:
            day += timedelta(days=gap)
            record(service, type_, day, actor, data)
        stored = service.events(CASE)
        assert len(stored) == len(OPENING) + len(steps)
        full_history = json_of(url, "history", CASE)
        for n in range(1, len(stored) + 1):
            case = replay(stored[:n], CASE)
            calendar = service.policies(case.policy).calendar()
            expected = projections.show(case, stored[n - 1].occurred_on, calendar)
            shown = json_of(url, "show", CASE, "--at-seq", str(n))
            assert shown == json.loads(json.dumps(expected))
            assert shown["version"] == n
            assert json_of(url, "history", CASE, "--at-seq", str(n)) == full_history[:n]


@settings(max_examples=25, deadline=None)
@given(
    late_day=st.dates(min_value=date(2025, 1, 29), max_value=date(2025, 2, 20)),
    gap=st.integers(min_value=1, max_value=20),
    query=st.dates(min_value=PLAN_DAY, max_value=date(2025, 4, 30)),
)
@example(late_day=date(2025, 2, 3), gap=7, query=date(2025, 2, 5))  # DOMAIN's own example
def test_a_late_recorded_event_changes_as_of_but_not_what_was_known_before_it(
    late_day: date, gap: int, query: date
) -> None:
    clock = Clock()
    with case_store(clock) as (url, service):
        visit = {"seen": True, "seen_alone": True}
        assert record(service, "ChildVisited", late_day + timedelta(days=gap), SW, visit) == 4
        queries = [query, late_day - timedelta(days=1), late_day]
        as_of_before = {q: json_of(url, "show", CASE, "--as-of", q.isoformat()) for q in queries}

        clock.now += timedelta(days=1)  # the late record reaches the system a day later
        late_at = clock.now + timedelta(seconds=1)
        just_before = timestamp_text(late_at - timedelta(microseconds=1))
        known_before = json_of(url, "show", CASE, "--known-at", just_before)
        assert known_before["version"] == 4

        assert record(service, "ChildVisited", late_day, SW, visit) == 5
        assert json_of(url, "history", CASE)[-1]["recorded_at"] == timestamp_text(late_at)
        assert json_of(url, "show", CASE, "--known-at", just_before) == known_before
        assert json_of(url, "show", CASE, "--known-at", timestamp_text(late_at))["version"] == 5
        for q in queries:
            after = json_of(url, "show", CASE, "--as-of", q.isoformat())
            if q < late_day:
                assert after == as_of_before[q]
            else:
                assert after != as_of_before[q]
                assert after["version"] == 5


def obligations_listed(shown: dict[str, Any], *statuses: str) -> set[tuple[str, str, str]]:
    return {
        (o["rule"], o["due"], o["status"]) for o in shown["obligations"] if o["status"] in statuses
    }


def test_as_of_a_date_a_visit_retracted_later_is_marked_and_not_counted() -> None:
    """Wrong in the first build: "history --as-of 2025-02-05 shows a visit retracted on 10
    February as not retracted; show --as-of counts it." DOMAIN §5: "--as-of DATE is what had
    happened by that date, as known now: ... less every event retracted by a retraction
    known now (whatever the retraction's own date)"."""
    with case_store(Clock()) as (url, service):
        assert record(service, "ChildVisited", date(2025, 2, 4), SW, {"seen": True}) == 4
        retraction = {"seq": 4, "reason": "Recorded against the wrong child"}
        record(service, "EntryRetracted", date(2025, 2, 10), SW, retraction)
        history = json_of(url, "history", CASE, "--as-of", "2025-02-05")
        assert [(h["seq"], h["retracted"]) for h in history] == [
            (1, False),
            (2, False),
            (3, False),
            (4, True),
        ]
        shown = json_of(url, "show", CASE, "--as-of", "2025-02-05")
        visits = [o for o in shown["obligations"] if o["rule"] == "T-CP-VISIT"]
        assert [(v["due"], v["status"], v["met_on"]) for v in visits] == [
            ("2025-02-11", "open", None)
        ]


def _plan_ended_in_october(service: CaseService) -> None:
    """T1's plan continues at the first RCPC (22 April) and ends into CiN on 14 October."""
    record(
        service,
        "ReviewConferenceConvened",
        date(2025, 4, 1),
        CHAIR,
        {"conference_date": "2025-04-22"},
    )
    record(
        service,
        "ReviewConferenceHeld",
        date(2025, 4, 22),
        CHAIR,
        {"chair": CHAIR, "decision": "continue"},
    )
    record(
        service,
        "ReviewConferenceConvened",
        date(2025, 9, 22),
        CHAIR,
        {"conference_date": "2025-10-14"},
    )
    plan = {
        "outcomes": ["Attendance above 95%"],
        "actions": [{"action": "Visit", "owner": SW, "every_weeks": 4}],
        "contingency": "Strategy discussion if attendance falls",
        "first_meeting_date": "2025-11-04",
        "review_interval_weeks": 6,
        "visiting_interval_weeks": 4,
    }
    ending = {
        "chair": CHAIR,
        "decision": "end_plan",
        "category_judgements": {"neglect": "no_longer_at_risk"},
        "continuing_support": {"kind": "cin", "family_consent": True, "plan": plan},
    }
    record(service, "ReviewConferenceHeld", date(2025, 10, 14), CHAIR, ending)


def test_due_as_of_a_date_is_what_show_as_of_that_date_lists_open_or_overdue() -> None:
    """Wrong in the first build: "due --as-of 2025-03-01 lists T-FIRST-CIN for a plan that
    ended in October, and omits obligations show --as-of lists for the same date." DOMAIN
    §5: "due --as-of DATE is, for every case, exactly the obligations show CASE --as-of DATE
    lists as open or overdue"."""
    with case_store(Clock()) as (url, service):
        _plan_ended_in_october(service)
        due = json_of(url, "due", "--as-of", "2025-03-01")
        assert "T-FIRST-CIN" not in {row["rule"] for row in due}
        shown = json_of(url, "show", CASE, "--as-of", "2025-03-01")
        assert shown["stage"] == "cp_plan"
        listed = obligations_listed(shown, "open", "overdue")
        assert {(r["rule"], r["due"], r["status"]) for r in due} == listed
        assert ("T-CP-VISIT", "2025-02-11", "overdue") in listed


def test_audit_as_of_a_date_reports_the_obligations_as_they_stood_then() -> None:
    with case_store(Clock()) as (url, service):
        _plan_ended_in_october(service)
        report = json_of(url, "audit", CASE, "--as-of", "2025-05-01")
        assert report["as_of"] == "2025-05-01"
        assert report["stage"] == "cp_plan"
        rules = {o["rule"] for o in report["obligations"]}
        assert "T-FIRST-CIN" not in rules and "T-NEXT-RCPC" in rules
        # The bedroom was never seen before the RCPC of 22 April: missed, never "not needed".
        bedroom = [o for o in report["obligations"] if o["rule"] == "T-BEDROOM" and o["lapsed_on"]]
        assert [(b["missed"], b["late_by_working_days"]) for b in bedroom] == [(True, 0)]
        assert report["integrity"]["ok"]


conference_days = st.dates(min_value=PLAN_DAY, max_value=date(2025, 6, 30))


@settings(max_examples=15, deadline=None)
@given(steps=steps, day=conference_days, retract=st.booleans())
def test_due_as_of_d_is_the_union_of_each_cases_show_as_of_d(
    steps: list[tuple[int, tuple[str, dict[str, str], dict[str, Any]]]], day: date, retract: bool
) -> None:
    """The third property of issue 8, over facts recorded in any order (a late one among
    them) and a retraction known now."""
    with case_store(Clock()) as (url, service):
        dated = PLAN_DAY
        for gap, (type_, actor, data) in steps:
            dated += timedelta(days=gap)
            record(service, type_, dated, actor, data)
        record(service, "ChildVisited", PLAN_DAY + timedelta(days=3), SW, {"seen": True})
        if retract:
            last = len(service.events(CASE))
            record(service, "EntryRetracted", dated, SW, {"seq": last, "reason": "Error"})
        due = json_of(url, "due", "--as-of", day.isoformat())
        shown = json_of(url, "show", CASE, "--as-of", day.isoformat())
        assert {(r["rule"], r["due"], r["status"]) for r in due} == obligations_listed(
            shown, "open", "overdue"
        )
