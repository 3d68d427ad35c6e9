"""Upcasters bring stored data written under an older schema version up to the current one,
step by step, without touching what is stored. A version that cannot be reached is a
corrupt log (IntegrityError)."""

from __future__ import annotations

from typing import Any

import pytest
from event_examples import EXAMPLES

from cpworkflow.errors import IntegrityError
from cpworkflow.vocabulary.envelope import EVENT_TYPES, SCHEMA_VERSION, decode_data
from cpworkflow.vocabulary.upcasting import DEFAULT_UPCASTERS, Upcasters

# ChildVisited as it might have been stored under schema version 1, before a (made-up)
# version 2 that records who saw the child, and a version 3 that names the visit's kind.
FROZEN_V1: dict[str, Any] = {"seen": True, "seen_alone": False}
VISITOR = {"id": "sw-1", "role": "social_worker"}


def registry(current: int = 2) -> Upcasters:
    upcasters = Upcasters({"ChildVisited": current, "AssessmentStarted": 1})

    @upcasters.register("ChildVisited", 1)
    def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "seen_by": [VISITOR] if data["seen"] else []}

    if current >= 3:

        @upcasters.register("ChildVisited", 2)
        def _v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
            seen_alone = data.pop("seen_alone", None)
            return {**data, "visit": "alone" if seen_alone else "with_family"}

    return upcasters


def test_a_frozen_v1_payload_is_upcast_to_v2() -> None:
    data, version = registry().upcast("ChildVisited", 1, FROZEN_V1)
    assert version == 2
    assert data == {"seen": True, "seen_alone": False, "seen_by": [VISITOR]}


def test_two_steps_chain_from_v1_to_v3() -> None:
    data, version = registry(current=3).upcast("ChildVisited", 1, FROZEN_V1)
    assert version == 3
    assert data == {"seen": True, "seen_by": [VISITOR], "visit": "with_family"}


def test_a_chain_may_start_part_way() -> None:
    data, version = registry(current=3).upcast("ChildVisited", 2, {"seen": False, "seen_by": []})
    assert (data, version) == ({"seen": False, "seen_by": [], "visit": "with_family"}, 3)


def test_data_already_current_is_returned_as_it_is() -> None:
    data = {"seen": True, "seen_by": []}
    assert registry().upcast("ChildVisited", 2, data)[0] is data


def test_upcasting_never_changes_the_stored_data() -> None:
    stored = {"seen": True, "seen_alone": True, "extra": {"nested": [1]}}
    registry(current=3).upcast("ChildVisited", 1, stored)
    assert stored == {"seen": True, "seen_alone": True, "extra": {"nested": [1]}}


def test_a_missing_step_is_an_integrity_error_naming_it() -> None:
    upcasters = Upcasters({"ChildVisited": 3})
    upcasters.register("ChildVisited", 2)(lambda data: data)
    assert upcasters.missing() == [("ChildVisited", 1)]
    with pytest.raises(IntegrityError, match="no upcaster for ChildVisited from version 1 to 2"):
        upcasters.upcast("ChildVisited", 1, FROZEN_V1, case_id="C7", seq=4)


def test_a_version_newer_than_this_code_is_an_integrity_error() -> None:
    with pytest.raises(IntegrityError) as caught:
        registry().upcast("ChildVisited", 3, FROZEN_V1, case_id="C7", seq=4)
    assert (caught.value.case_id, caught.value.seq) == ("C7", 4)
    assert "schema_version 3" in str(caught.value)


@pytest.mark.parametrize("version", [0, -1])
def test_a_version_below_1_is_an_integrity_error(version: int) -> None:
    with pytest.raises(IntegrityError):
        registry().upcast("ChildVisited", version, FROZEN_V1)


def test_an_unknown_event_type_is_an_integrity_error() -> None:
    with pytest.raises(IntegrityError, match="unknown event type 'ChildWaved'"):
        registry().upcast("ChildWaved", 1, {})


def test_a_step_cannot_be_registered_twice() -> None:
    upcasters = registry()
    with pytest.raises(ValueError, match="already registered"):
        upcasters.register("ChildVisited", 1)(lambda data: data)


@pytest.mark.parametrize(
    ("event_type", "version"), [("ChildVisited", 2), ("ChildVisited", 0), ("Nope", 1)]
)
def test_a_step_must_lead_to_a_version_that_exists(event_type: str, version: int) -> None:
    with pytest.raises(ValueError):
        registry().register(event_type, version)


def test_the_default_registry_follows_the_vocabularys_versions_and_has_no_gaps() -> None:
    assert DEFAULT_UPCASTERS.current == SCHEMA_VERSION
    assert DEFAULT_UPCASTERS.missing() == []


@pytest.mark.parametrize("event_type", list(EVENT_TYPES))
def test_current_data_passes_through_the_default_registry_unchanged(event_type: str) -> None:
    data = EXAMPLES[event_type]
    upcast, version = DEFAULT_UPCASTERS.upcast(event_type, SCHEMA_VERSION[event_type], data)
    assert (upcast, version) == (data, SCHEMA_VERSION[event_type])
    decode_data(event_type, upcast)
