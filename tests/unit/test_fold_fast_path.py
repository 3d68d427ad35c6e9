"""Replay's fast path equals the fold as it was (hypothesis, stateful). `replay` folds
through a `Fold` that changes its own case in place and keeps obligations as lists until
the end; `case_as_of` folds the log once and the view only from where the events standing
by the date stop being a prefix of it; `next_stage` reads a table built once from the
Machine, and the fold first `machine.SETTLED`; evolve and the Fold run one step on a
case's fields in place, the data effects too, and a Fold begins from `fold.blank`.
`fold_reference` keeps the old code word for word (the data effects on `Case.but`). On
the logs that the random clerk of test_replay_properties.py writes (late and future
dates, retractions, waivers, refusals, the three packs), the new and old give the same
case to the last byte of its repr (obligations in the same order), for:

- replay of the whole log, and evolve event by event;
- a Fold's case keeping only some obligations (verify's still_open, and another);
- the case as of every date of the log, the day before it opened and the day after its
  last event (or the same ValueError);
- views (`view=True`) of selections of the log, and plain replays of them (or the same
  IntegrityError).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import reduce
from typing import Any

import fold_reference as old
import pytest
from hypothesis import settings
from test_replay_properties import ACaseUnderRandomUse

from cpworkflow.errors import IntegrityError
from cpworkflow.lifecycle import machine
from cpworkflow.lifecycle.as_of import case_as_of
from cpworkflow.lifecycle.case import Case
from cpworkflow.lifecycle.fold import Fold, evolve, replay, still_open
from cpworkflow.lifecycle.obligation import Obligation
from cpworkflow.policy.schema import EVENT_TYPES


def outcome(fn: Callable[[], Any]) -> str:
    """What a fold gives, as text: its repr, or the error it raised."""
    try:
        return repr(fn())
    except (IntegrityError, ValueError) as err:
        return f"{type(err).__name__}: {err}"


class TheFastPathUnderRandomUse(ACaseUnderRandomUse):
    @property
    def log(self) -> list[Any]:
        return list(self.book.events)

    def teardown(self) -> None:
        events, cid = self.log, self.book.case_id
        if not events:
            return
        new, was = replay(events, cid), old.replay(events, cid)
        assert repr(new) == repr(was) and new == was
        stepped = reduce(lambda case, e: evolve(case, e), events, Case(cid))
        assert repr(stepped) == repr(was)
        # A Fold's case with only the obligations its `keep` accepts: verify's still_open
        # (read inline) and any other (called), against the old fold's case cut so.
        for keep, accepts in [(still_open, _is_open), (_even_seq, _opened_even)]:
            kept = Fold(cid)
            kept.extend(events)
            cut = {k: o for k, o in was.obligations.items() if accepts(o)}
            assert repr(kept.case(keep=keep)) == repr(was.but(obligations=cut))
        # A fold copied half way (its case changed in place, data effects too) and the fold
        # it was copied from each take the rest alone, and give the case the old fold gives.
        half = Fold(cid)
        half.extend(events[: len(events) // 2])
        copied = half.copy()
        half.extend(events[len(events) // 2 :])
        copied.extend(events[len(events) // 2 :])
        assert repr(half.case()) == repr(copied.case()) == repr(was)
        days = sorted({e.occurred_on for e in events})
        for day in [days[0] - timedelta(days=1), *days, days[-1] + timedelta(days=1)]:
            got = outcome(lambda day=day: _seqs(case_as_of(events, cid, day)))
            assert got == outcome(lambda day=day: _seqs(old.case_as_of(events, cid, day))), day
        selections = [events[::2], events[1::3], [e for e in events if e.type != "ChildVisited"]]
        for chosen in selections:
            for view in (True, False):
                got = outcome(lambda c=chosen, v=view: replay(c, cid, view=v))
                assert got == outcome(lambda c=chosen, v=view: old.replay(c, cid, view=v))


def _is_open(ob: Obligation) -> bool:
    return ob.is_open


def _even_seq(fields: list[Any]) -> bool:
    return bool(fields[4] % 2 == 0)  # opened_seq, as a Fold holds an obligation's fields


def _opened_even(ob: Obligation) -> bool:
    return ob.opened_seq % 2 == 0


def _seqs(found: tuple[Case, list[Any]]) -> tuple[Case, list[int]]:
    case, dated = found
    return case, [e.seq for e in dated]


TheFastPathUnderRandomUse.TestCase.settings = settings(
    max_examples=60, stateful_step_count=40, deadline=None
)
TestTheFastPathUnderRandomUse = TheFastPathUnderRandomUse.TestCase


@pytest.mark.parametrize("stage", [None, *machine.STAGES, "no such stage"])
def test_the_table_read_once_gives_the_machines_next_stage(stage: str | None) -> None:
    picks: list[dict[str, Any]] = [
        {},
        *({"outcome": o} for o in ("s47", "s17", "nfa", "other")),
        *({"decision": d} for d in ("plan", "continue", "end_plan", "no_plan")),
        *(
            {"decision": d, "continuing_support": {"kind": k}}
            for d in ("no_plan", "end_plan")
            for k in ("cin", "early_help", None)
        ),
        *({"kind": k} for k in ("first", "review", "other")),
    ]
    for event_type in [*EVENT_TYPES, "NoSuchEvent"]:
        for data in picks:
            assert machine.next_stage(stage, event_type, data) == old.next_stage(
                stage, event_type, data
            ), (stage, event_type, data)
        assert machine.changes_stage(event_type) == old.changes_stage(event_type)


def test_a_fold_copied_goes_on_alone() -> None:
    """The as-of pass copies its fold where the view leaves the log: the copy and the fold
    then take different events, and neither sees the other's."""
    from casebook import SW, Casebook

    book = Casebook().on_plan(on="2025-01-20")
    book.today = book.events[-1].occurred_on + timedelta(days=30)
    for day in ("2025-01-27", "2025-02-03"):
        book.record("ChildVisited", day, SW, seen=True, seen_alone=True)
    fold = Fold(book.case_id)
    for event in book.events[:-2]:
        fold.add(event)
    copy = fold.copy()
    fold.add(book.events[-2])
    before = copy.case()
    assert before == replay(book.events[:-2], book.case_id)
    copy.add(book.events[-2])
    copy.add(book.events[-1])
    assert fold.case() == replay(book.events[:-1], book.case_id)
    assert copy.case() == replay(book.events, book.case_id)
    assert before == replay(book.events[:-2], book.case_id)


@pytest.mark.parametrize("stage", [None, *machine.STAGES])
def test_a_settled_step_is_the_tables_whatever_the_data(stage: str | None) -> None:
    """`machine.SETTLED`, where the fold looks before `next_stage`: each event type it
    holds from a stage goes where the Machine's table sends it for any data."""
    settled = machine.SETTLED[stage]
    picks: list[dict[str, Any]] = [
        {},
        {"outcome": "s17"},
        {"outcome": "nfa"},
        {"decision": "end_plan", "continuing_support": {"kind": "cin"}},
        {"decision": "plan"},
        {"kind": "first"},
    ]
    assert settled, stage
    for event_type, dest in settled.items():
        for data in picks:
            assert old.next_stage(stage, event_type, data) == dest, (stage, event_type, data)
    if stage is None:
        assert settled == {machine.OPENING_EVENT: machine.FIRST_STAGE}
        return
    for event_type in EVENT_TYPES:  # settled: those whose first row from here has no condition
        rows = old._rows(event_type, stage)
        if rows and not rows[0][1]:
            assert settled[event_type] == rows[0][0], (stage, event_type)
        else:
            assert event_type not in settled, (stage, event_type)


def test_a_fold_begins_from_the_case_the_dataclass_makes() -> None:
    """`fold.blank` (a case's fields without the dataclass's __init__) is `Case(case_id)`,
    with mappings of its own each time."""
    first, second = Fold("S1").case(), Fold("S1").case()
    assert repr(first) == repr(Case("S1")) and first == Case("S1")
    assert first.child is not second.child
    assert first.pending_waivers is not second.pending_waivers
    assert first.obligations is not second.obligations
