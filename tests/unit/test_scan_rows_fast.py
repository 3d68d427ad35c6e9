"""verify's fast reading of a case's rows (`scan_rows.Checker`, its texts and days
remembered from case to case) gives exactly what the definitions give, `first_problem`
then `stored_event`, for any rows at all: as the store writes them, with a column given
another value or type, rows swapped or dropped, texts re-spaced or rehashed; and
store/scan.py cuts rows into cases as its definition does, whatever the case id column
holds."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cpworkflow.errors import IntegrityError
from cpworkflow.store.canonical import chain_hash, encode
from cpworkflow.store.rows import stored_event
from cpworkflow.store.scan import _by_case, by_case
from cpworkflow.store.scan_rows import NAMES, Checker, Scanned
from cpworkflow.store.verify import first_problem

RECORDED = "2026-03-04T17:00:00.000000Z"
ACTORS = [{"id": "sw-1", "role": "social_worker"}, {"id": "tm-2", "role": "team_manager"}]
DATA = [{}, {"seen": True}, {"on": "2026-01-02", "n": 3}, {"notes": "x" * 250}]
DECISIONS = [{"opened": [], "met": []}, {"opened": [{"id": "1:T", "due": "2026-02-01"}]}]


def _case(case_id: str, size: int, picks: list[int], as_date: bool) -> list[tuple[Any, ...]]:
    """A clean case's rows as a driver gives them (occurred_on a date or its text)."""
    rows: list[tuple[Any, ...]] = []
    previous = "0" * 64
    for seq in range(1, size + 1):
        pick = picks[seq % len(picks)]
        day = date(2026, 1, 1 + pick % 28)
        texts = {
            "actor": encode(ACTORS[pick % 2]),
            "data": encode(DATA[pick % 4]),
            "decision": encode(DECISIONS[pick % 2]),
        }
        scalars: dict[str, Any] = {
            "case_id": case_id,
            "seq": seq,
            "type": "ChildVisited",
            "occurred_on": day.isoformat(),
            "recorded_at": RECORDED,
            "schema_version": 1,
            "policy": "default",
            "policy_version": "2025.1",
            "key": None if pick % 3 else f"k{seq}",
            "prev_hash": previous,
        }
        row = {**scalars, **texts, "position": 100 + seq}
        row["hash"] = previous = chain_hash(scalars, texts)
        row["occurred_on"] = day if as_date else day.isoformat()
        rows.append(tuple(row[name] for name in NAMES))
    return rows


def _definition(case_id: str, rows: list[tuple[Any, ...]]) -> Any:
    mappings = [dict(zip(NAMES, row, strict=True)) for row in rows]
    problem = first_problem(mappings)
    if problem is not None:
        return case_id, [], problem
    try:
        return case_id, [stored_event(m) for m in mappings], None
    except IntegrityError as err:
        return "raises", str(err)


def _answer(case_id: str, rows: list[tuple[Any, ...]]) -> Any:
    """The definitions' answer, or the error they raise (a row they cannot read at all)."""
    try:
        return _definition(case_id, rows)
    except (TypeError, ValueError) as err:
        return "fails", type(err), str(err)


def _fast(checker: Checker, case_id: str, rows: list[tuple[Any, ...]]) -> Any:
    try:
        cid, events, problem = checker.case(case_id, rows)
    except IntegrityError as err:
        return "raises", str(err)
    except (TypeError, ValueError) as err:
        return "fails", type(err), str(err)
    return cid, [e.stored() if isinstance(e, Scanned) else e for e in events], problem


ODD_VALUES = st.sampled_from(
    [None, 0, 1, 7, True, 1.0, "1", b"x", "", "x", "2026-01-05", date(2026, 1, 5), "{}"]
)
TEXT_EDITS = st.sampled_from(["respaced", "respaced and rehashed", "not json", "float"])


@st.composite
def _damaged(draw: st.DrawFn, as_date: bool) -> list[tuple[Any, ...]]:
    rows = [list(r) for r in _case("C1", draw(st.integers(1, 6)), [0, 1, 2, 3, 5], as_date)]
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(rows) - 1))
        kind = draw(st.sampled_from(["value", "text", "swap", "drop"]))
        if kind == "value":
            rows[at][draw(st.integers(0, len(NAMES) - 1))] = draw(ODD_VALUES)
        elif kind == "text":
            column = NAMES.index(draw(st.sampled_from(["actor", "data", "decision"])))
            if type(rows[at][column]) is not str:
                continue
            edit = draw(TEXT_EDITS)
            if edit.startswith("respaced"):
                try:
                    rows[at][column] = json.dumps(json.loads(rows[at][column]), indent=1)
                except ValueError:  # no longer JSON, from an edit before
                    continue
            elif edit == "not json":
                rows[at][column] = rows[at][column][:-1]
            else:
                rows[at][column] = '{"w":1.5}'
            if edit != "respaced":
                mapping = dict(zip(NAMES, rows[at], strict=True))
                try:
                    scalars = {n: mapping[n] for n in NAMES if n not in ("position", "hash")}
                    texts = {n: scalars.pop(n) for n in ("actor", "data", "decision")}
                    scalars["occurred_on"] = str(scalars["occurred_on"])
                    rows[at][NAMES.index("hash")] = chain_hash(scalars, texts)
                except (AttributeError, TypeError, ValueError):  # a column made no text
                    pass
        elif kind == "swap" and len(rows) > 1:
            rows[at], rows[-1] = rows[-1], rows[at]
        elif kind == "drop" and len(rows) > 1:
            del rows[at]
    return [tuple(r) for r in rows]


@settings(max_examples=300, deadline=None)
@given(
    st.booleans(),
    st.lists(st.lists(st.integers(0, 11), min_size=1, max_size=5), min_size=1, max_size=4),
    st.data(),
)
def test_the_fast_reading_gives_the_definitions_answer(
    as_date: bool, picks: list[list[int]], data: st.DataObject
) -> None:
    """Case after case through one checker (its memories shared from one to the next), as
    verify reads them: clean cases and damaged ones alike."""
    checker = Checker(True, shared=True)
    for number, chosen in enumerate(picks):
        cid = f"C{number}"
        rows = _case(cid, len(chosen) + 2, chosen, as_date)
        assert _fast(checker, cid, rows) == _answer(cid, rows)
        assert checker._fast(rows) is not None  # a clean case: the fast reading read it
        damaged = data.draw(_damaged(as_date))
        assert _fast(checker, "C1", damaged) == _answer("C1", damaged)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["a", "b", "5", "", 5, 5.0, True, 1, b"a", None, "None", "True"]),
        max_size=12,
    )
)
def test_rows_are_cut_into_cases_as_the_definition_cuts_them(case_ids: list[Any]) -> None:
    rows = [(n, cid) for n, cid in enumerate(case_ids)]
    assert list(by_case(iter(rows))) == list(_by_case(iter(rows)))
