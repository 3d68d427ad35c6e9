"""`decide._proposal` and `_new_event` build the very Proposal and NewEvent their frozen
dataclasses would: equal, with the same attributes in the same order, of the same class,
and as frozen; and `effects` of an event that no route judges and that moves no stage is
what collecting its effects would give."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpworkflow.lifecycle.case import Case
from cpworkflow.lifecycle.decide import _new_event, _proposal
from cpworkflow.lifecycle.obligations import ROUTES, Effects, effects
from cpworkflow.lifecycle.proposal import Proposal
from cpworkflow.policy.loading import load_policy
from cpworkflow.records import NewEvent
from cpworkflow.vocabulary.envelope import EVENT_TYPES

JSON = st.dictionaries(st.text(max_size=4), st.integers() | st.text(max_size=4), max_size=3)


@given(
    case_id=st.text(min_size=1, max_size=5),
    type_=st.text(max_size=8),
    on=st.dates(),
    actor=JSON,
    data=JSON,
    stage=st.none() | st.text(max_size=6),
    today=st.dates(),
)
def test_a_proposal_built_at_once_is_the_dataclass_built_field_by_field(
    case_id: str,
    type_: str,
    on: Any,
    actor: dict[str, Any],
    data: dict[str, Any],
    stage: str | None,
    today: Any,
) -> None:
    fields = (Case(case_id), type_, on, actor, data, stage, POLICY, today)
    fast, slow = _proposal(*fields), Proposal(*fields)
    assert type(fast) is Proposal
    assert fast == slow
    assert list(vars(fast).items()) == list(vars(slow).items())
    assert [getattr(fast, f.name) for f in dataclasses.fields(Proposal)] == list(fields)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.type = "other"  # type: ignore[misc]


POLICY = load_policy("default")
TODAY = date(2026, 4, 1)


NAMES = st.text(min_size=1, max_size=6)


@given(
    fields=st.tuples(NAMES, NAMES, st.dates(), JSON, JSON, st.integers(1, 9), NAMES, NAMES, JSON),
    key=st.none() | NAMES,
)
def test_an_event_built_at_once_is_the_dataclass_built_field_by_field(
    fields: tuple[Any, ...], key: str | None
) -> None:
    fast, slow = _new_event(*fields, key), NewEvent(*fields, key)
    assert type(fast) is NewEvent
    assert fast == slow
    assert dataclasses.astuple(fast) == dataclasses.astuple(slow)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.key = "other"  # type: ignore[misc]


@pytest.mark.parametrize("event_type", sorted(set(EVENT_TYPES) - set(ROUTES)))
def test_an_event_no_route_judges_that_moves_no_stage_opens_meets_and_lapses_nothing(
    event_type: str,
) -> None:
    p = _proposal(Case("C1"), event_type, date(2025, 1, 2), {}, {}, None, POLICY, TODAY)
    assert effects(p, 3) == Effects(p, 3).json()
