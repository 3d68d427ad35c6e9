"""The case value: a new case per event, never changed in place."""

from __future__ import annotations

import pytest

from cpworkflow.lifecycle.case import Case


def test_a_changed_case_is_a_new_value_and_the_old_one_is_untouched() -> None:
    before = Case("C1", stage="referral", version=3)
    after = before.but(stage="cp_plan", version=4)
    assert (before.stage, before.version) == ("referral", 3)
    assert (after.stage, after.version, after.case_id) == ("cp_plan", 4, "C1")
    assert after == Case("C1", stage="cp_plan", version=4)


def test_changing_a_field_the_case_does_not_have_is_an_error() -> None:
    with pytest.raises(TypeError, match="no field 'stgae'"):
        Case("C1").but(stgae="closed")


def test_a_case_cannot_be_changed_in_place() -> None:
    case = Case("C1")
    with pytest.raises(AttributeError):
        case.stage = "closed"  # type: ignore[misc]
