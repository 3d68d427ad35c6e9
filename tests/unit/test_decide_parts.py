"""`decide._proposal` builds the very Proposal its frozen dataclass would: equal, with the
same attributes in the same order, of the same class, and as frozen."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpworkflow.lifecycle.case import Case
from cpworkflow.lifecycle.decide import _proposal
from cpworkflow.lifecycle.proposal import Proposal
from cpworkflow.policy.loading import load_policy

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
