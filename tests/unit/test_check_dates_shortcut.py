"""`check_dates` passes straight over the event types whose data has no date it reads:
each such type has no `child`, `referral` or `birth_date` of its own or inherited, and no
instance attributes beyond its fields, so the full check would find only None; and every
example envelope, with its dates moved after the event or not, is checked as the full
check (`_check_dated`, the definition) checks it."""

from __future__ import annotations

import pytest
from event_examples import EXAMPLES, envelope

from cpworkflow.errors import BadInputError
from cpworkflow.vocabulary.envelope import (
    _UNDATED,
    EVENT_TYPES,
    ChildBorn,
    Envelope,
    _check_dated,
    check_dates,
    parse_envelope,
)


def test_a_type_passed_over_has_none_of_the_dates_read() -> None:
    assert _UNDATED and ChildBorn not in _UNDATED
    assert EVENT_TYPES["CaseOpened"] not in _UNDATED
    for cls in _UNDATED:
        assert cls in EVENT_TYPES.values()
        assert not cls.__struct_config__.dict  # no attribute but the class's
        for name in ("child", "referral", "birth_date"):
            assert not hasattr(cls, name), (cls, name)


def _outcome(check: object, env: Envelope) -> object:
    try:
        return check(env)  # type: ignore[operator]
    except BadInputError as err:
        return str(err), err.field


@pytest.mark.parametrize("event_type", sorted(EXAMPLES))
@pytest.mark.parametrize("occurred_on", ["1990-01-01", "2025-03-04", "2030-01-01"])
def test_every_example_is_checked_as_the_full_check_does(event_type: str, occurred_on: str) -> None:
    env = parse_envelope(envelope(event_type, occurred_on=occurred_on))
    assert _outcome(check_dates, env) == _outcome(_check_dated, env)
