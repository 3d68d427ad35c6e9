"""The work of a child protection plan between two conferences: visits (some late; the
bedroom seen once), core groups, the review conference convened with its agency reports
and the core group before it, and now and then a new strategy meeting or a visit
recorded in error and retracted."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from cpworkflow.workload.people import AGENCIES, Person
from cpworkflow.workload.story import Story


def plan_work(s: Story, start: date, review: date, *, first: bool, conference: bool = True) -> None:
    """Visits and core groups from `start` to the review conference on `review` and, unless
    the plan ends otherwise, the conference convened with its reports."""
    t = s.team
    items: list[tuple[date, str, Person, dict[str, Any]]] = []
    day, bedroom = start, False
    while True:
        day += timedelta(days=s.rng.choice([7, 10, 12, 13, 14, 14, 14, 16, 21]))  # some late
        if day >= review:
            break
        alone = s.chance(0.6)
        visit = {"seen": True, "seen_alone": alone, "at_home": True, "bedroom_seen": not bedroom}
        bedroom = True
        items.append((day, "ChildVisited", t.social_worker, visit))
    gap = 42 if first else 56
    day = start + timedelta(days=7 if first else s.rng.randint(20, 40))
    while day < review - timedelta(days=20):
        items.append(
            (
                day,
                "CoreGroupMeetingHeld",
                t.team_manager,
                {
                    "chair": t.team_manager,
                    "attendees": [t.social_worker, "school", "health visiting"],
                },
            )
        )
        day += timedelta(days=s.rng.randint(gap - 10, gap + 5))
    if conference:
        items.append(
            (
                review - timedelta(days=s.rng.randint(15, 19)),
                "CoreGroupMeetingHeld",
                t.social_worker,
                {"chair": t.social_worker},
            )
        )
        items.append(
            (
                review - timedelta(days=21),
                "ReviewConferenceConvened",
                t.chair,
                {"conference_date": review},
            )
        )
        for _ in range(s.rng.randint(1, 3)):
            report = {"agency": s.rng.choice(AGENCIES), "shared_with_family": True}
            items.append(
                (
                    review - timedelta(days=s.rng.randint(3, 12)),
                    "AgencyReportReceived",
                    t.social_worker,
                    report,
                )
            )
    if s.chance(0.08):
        items.append(
            (start + timedelta(days=20), "StrategyMeetingHeld", t.team_manager, {"outcome": "s47"})
        )
    for on, type_, actor, data in items:
        envelope = s.add(type_, actor, on=on, **data)
        if type_ == "ChildVisited" and s.chance(0.02):
            s.retract(envelope, t.social_worker, "Recorded against the wrong child")
