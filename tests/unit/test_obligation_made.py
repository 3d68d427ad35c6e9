"""`obligation.made` (an Obligation filled through a writable twin of its slots, then
given its class) is `Obligation(...)` in every way a reader can tell: type, fields,
equality, hash, repr, and frozen. Hypothesis over the values a fold gives the fields."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import fold_reference as old
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpworkflow.lifecycle.as_of import obligations_on
from cpworkflow.lifecycle.obligation import DateTexts, Obligation, made

_days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))
_fields = st.tuples(
    st.text(max_size=12),
    st.text(max_size=12),
    _days,
    st.text(max_size=12),
    st.integers(min_value=0, max_value=10**6),
    _days,
    st.none() | _days,
    st.none() | st.integers(min_value=0, max_value=10**6),
    st.none() | st.integers(min_value=-5, max_value=50),
    st.none() | _days,
)


@given(_fields, st.integers(min_value=6, max_value=10))
def test_made_is_the_obligation_the_dataclass_makes(fields: tuple[Any, ...], given_: int) -> None:
    values = fields[:given_]  # the last four fields left to their defaults, or given
    new, was = made(*values), Obligation(*values)
    assert type(new) is Obligation
    assert new == was and was == new
    assert hash(new) == hash(was)
    assert repr(new) == repr(was)
    assert dataclasses.astuple(new) == dataclasses.astuple(was)
    assert new.is_open == was.is_open
    with pytest.raises(dataclasses.FrozenInstanceError):
        new.id = "changed"  # type: ignore[misc]
    assert dataclasses.replace(new, met_on=None) == dataclasses.replace(was, met_on=None)


@given(_fields, _days, st.integers(min_value=0, max_value=999), st.integers(0, 40), _days)
def test_meet_lapse_and_reopen_change_only_their_fields(
    fields: tuple[Any, ...], on: date, seq: int, late: int, lapsed: date
) -> None:
    ob = made(*fields)
    assert ob.meet(on, seq, late) == dataclasses.replace(
        ob, met_on=on, met_seq=seq, late_by_working_days=late, lapsed_on=None
    )
    assert ob.lapse(lapsed) == dataclasses.replace(ob, lapsed_on=lapsed)
    assert ob.reopen() == dataclasses.replace(
        ob, met_on=None, met_seq=None, late_by_working_days=None, lapsed_on=None
    )
    spec = {"id": ob.id, "rule": ob.rule, "due": ob.due.isoformat(), "owner_role": ob.owner_role}
    opened = Obligation.from_json(spec, opened_seq=ob.opened_seq, opened_on=ob.opened_on)
    assert opened == Obligation(ob.id, ob.rule, ob.due, ob.owner_role, ob.opened_seq, ob.opened_on)
    assert type(opened) is Obligation


def test_a_twin_has_the_slots_of_the_obligation_in_its_order() -> None:
    from cpworkflow.lifecycle.obligation import _Unfrozen

    assert _Unfrozen.__slots__ == Obligation.__slots__
    assert Obligation.__slots__ == tuple(f.name for f in dataclasses.fields(Obligation))


@given(st.lists(_fields, max_size=8), _days)
def test_dates_written_through_the_memo_are_their_isoformat(
    fields: list[tuple[Any, ...]], as_of: date
) -> None:
    text = DateTexts().__getitem__  # one memo for them all, as projections.show has it
    for values in fields:
        ob = made(*values)
        assert ob.to_json(as_of, text) == ob.to_json(as_of)


@given(st.lists(_fields, max_size=8), _days)
def test_obligations_cut_back_to_a_day_are_the_old_folds(
    fields: list[tuple[Any, ...]], day: date
) -> None:
    obligations = {f"{n}:{values[0]}": made(*values) for n, values in enumerate(fields)}
    got = obligations_on(obligations, day)
    assert repr(got) == repr(old.obligations_on(obligations, day))
