"""`json_text.indented` writes what `json.dumps(value, indent=2, ensure_ascii=False)`
writes, character for character, for any document of text, whole numbers, true, false
and null; and hands what msgspec refuses to json."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cpworkflow.reports.json_text import indented

TEXT = st.text(st.characters(codec="utf-8"), max_size=12)  # every code point but surrogates
SCALARS = st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | TEXT
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=30,
)


def _dumps(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


@settings(max_examples=400)
@given(DOCUMENTS)
def test_any_document_without_floats_is_written_as_json_dumps_writes_it(value: Any) -> None:
    assert indented(value) == _dumps(value)


def test_every_control_character_and_the_awkward_ones_are_escaped_alike() -> None:
    text = "".join(map(chr, range(0x80))) + '\u2028\u2029\ufeff\U0001f600 é\\"/'
    document = {text: [text, {"": text}], "empty": [[], {}]}
    assert indented(document) == _dumps(document)


def test_what_msgspec_refuses_is_written_by_json() -> None:
    for value in (["\ud800 lone surrogate"], {"big": 2**80}, {"n": -(2**70)}):
        assert indented(value) == _dumps(value)


def test_a_caseload_row_is_written_as_before() -> None:
    row = {
        "case_id": "C1001",
        "rule": "T-ASSESSMENT",
        "description": "assessment completed within 45 working days of referral",
        "due": "2025-02-25",
        "status": "overdue",
        "days_overdue": 5,
        "owner_role": "social_worker",
        "owner_id": None,
        "stage": "referral",
    }
    assert indented([row, row]) == _dumps([row, row])
    assert indented([]) == "[]"
