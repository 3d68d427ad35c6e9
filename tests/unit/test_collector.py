"""verify holds the garbage collector back for its pass (service/collector.py) and leaves
it exactly as it found it: thresholds, frozen objects, on or off."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from cpworkflow.service import collector


@pytest.fixture(autouse=True)
def _as_a_new_process_has_it() -> Iterator[None]:
    """Each test starts from the collector as a new process has it: on, nothing frozen (an
    earlier test of the run may have frozen objects, as cli/startup.py does when a command
    starts in process), and leaves it as it found it."""
    enabled, threshold, frozen = gc.isenabled(), gc.get_threshold(), gc.get_freeze_count()
    gc.unfreeze()
    gc.enable()
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if frozen:
            gc.freeze()
        if not enabled:
            gc.disable()


def test_the_collector_is_held_back_for_the_block_then_restored() -> None:
    before = gc.get_threshold()
    with collector.held_back():
        assert gc.get_threshold()[0] >= collector.YOUNG
        assert gc.get_threshold()[1:] == before[1:]
        assert gc.get_freeze_count() > 0
        assert gc.isenabled()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_an_error_in_the_block_restores_it_too() -> None:
    before = gc.get_threshold()
    with pytest.raises(KeyError), collector.held_back():
        raise KeyError("x")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_caller_s_own_settings_are_left_alone() -> None:
    before = gc.get_threshold()
    gc.disable()
    try:
        with collector.held_back():
            assert not gc.isenabled()
            assert gc.get_threshold() == before
            assert gc.get_freeze_count() == 0
    finally:
        gc.enable()


def test_a_caller_s_frozen_objects_stay_frozen_and_the_young_generation_is_held_back() -> None:
    """As `cpw verify` calls it: cli/startup.py has frozen what the imports made."""
    before = gc.get_threshold()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector.held_back():
            assert gc.get_threshold()[0] >= collector.YOUNG
            assert gc.get_threshold()[1:] == before[1:]
            assert gc.get_freeze_count() == frozen
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_a_cycle_made_in_the_block_is_still_collected() -> None:
    """Memory stays bounded: the young generation is collected, only less often."""
    collected: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "stop":
            collected.append(info["collected"])

    gc.callbacks.append(seen)
    try:
        with collector.held_back():
            for _ in range(collector.YOUNG * 2):
                cycle: list[object] = []
                cycle.append(cycle)
    finally:
        gc.callbacks.remove(seen)
    assert sum(collected) > 0
