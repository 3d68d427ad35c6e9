"""`team_of`, which asks `team_after` only of assignments, is `team_after` over every event."""

from __future__ import annotations

from functools import reduce
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cpworkflow.reports.caseload import team_after, team_of


class _Event:
    def __init__(self, type_: str, data: dict[str, Any]) -> None:
        self.type = type_
        self.data = data


PEOPLE = st.sampled_from([{}, {"role": "social_worker"}, {"role": "iro"}, None])
EVENTS = st.builds(
    _Event,
    st.sampled_from(["StaffAssigned", "ChildVisited", "staffassigned", ""]),
    st.builds(
        lambda team, person: {"team": team, "person": person},
        st.sampled_from(["north", "south", "", None, 3]),
        PEOPLE,
    )
    | st.just({}),
)


@given(st.lists(EVENTS, max_size=12))
def test_team_of_is_team_after_over_every_event(events: list[_Event]) -> None:
    assert team_of(events) == reduce(team_after, events, None)
