"""Both ways of re-chaining a case's facts, side by side: `both_ways` decides the same
envelopes twice, once as `decide` does (a fact in date order applied to the chain the
last derivation left) and once re-deriving the period in full for every fact (the
definition, `rechain.full_rederivation`), and insists that every outcome is the same,
byte for byte: each decision as JSON in its own key order, each refusal, and the case."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import date
from typing import Any

from casebook import Casebook
from cpworkflow.errors import BadInputError
from cpworkflow.lifecycle import rechain
from cpworkflow.lifecycle.decide import Decided, Refused

Step = tuple[str, str, dict[str, str], dict[str, Any]]  # (type, occurred_on, actor, data)


@contextmanager
def counting_short_steps() -> Iterator[list[int]]:
    """Counts the facts that took the short way (`rechain._step`) within the block."""
    counted = [0]
    step = rechain._step

    def counting(*args: Any, **kwargs: Any) -> Any:
        counted[0] += 1
        return step(*args, **kwargs)

    rechain._step = counting  # type: ignore[assignment]
    try:
        yield counted
    finally:
        rechain._step = step  # type: ignore[assignment]


def outcome(decided: Decided | Refused) -> str:
    if isinstance(decided, Decided):
        return json.dumps(decided.event.decision)
    return "refused " + " ".join(sorted(r.rule for r in decided.refusals))


def decided(
    steps: Sequence[Step], *, full: bool, case_id: str = "C1", policy: str = "default"
) -> tuple[Casebook, list[str]]:
    """The book after deciding every step (refused ones are left out), and each outcome."""
    with rechain.full_rederivation() if full else nullcontext():
        book = Casebook(case_id=case_id, policy=policy)
        outcomes = [attempt(book, step) for step in steps]
    return book, outcomes


def attempt(book: Casebook, step: Step) -> str:
    type_, on, actor, data = step
    try:
        return outcome(book.attempt(type_, on, actor, **data))
    except BadInputError as err:  # a generated payload the vocabulary does not take
        return f"bad input {err}"


def both_ways(
    steps: Sequence[Step], *, case_id: str = "C1", policy: str = "default"
) -> tuple[Casebook, int]:
    """Decide `steps` both ways and compare; the short way's book, and how many of its
    facts took the short way."""
    with counting_short_steps() as short:
        fast, fast_outcomes = decided(steps, full=False, case_id=case_id, policy=policy)
    slow, slow_outcomes = decided(steps, full=True, case_id=case_id, policy=policy)
    for number, (step, mine, oracle) in enumerate(
        zip(steps, fast_outcomes, slow_outcomes, strict=True), 1
    ):
        assert mine == oracle, f"step {number}, {step[0]} on {step[1]}: {mine} != {oracle}"
    assert fast.case == slow.case
    assert fast.replayed() == fast.case
    return fast, short[0]


def iso(day: date) -> str:
    return day.isoformat()
