"""`json_text.document` writes what `json.dumps(value, indent=2, ensure_ascii=False)` writes,
character for character, for any document `--json` may print: with floats (exponents,
infinities, NaN), tuples, keys that are not text and values of other types (an Enum) as
well as the plain ones `indented` takes; and refuses what json refuses."""

from __future__ import annotations

import enum
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpworkflow.reports.json_text import document


class Colour(enum.StrEnum):
    RED = "red"


class Size(enum.IntEnum):
    BIG = 7


TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
KEYS = TEXT | st.integers(-5, 5) | st.booleans() | st.none() | st.floats(allow_nan=False)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | TEXT
    | st.floats()
    | st.sampled_from([Colour.RED, Size.BIG, 1e16, 1e-7, float("inf")])
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(KEYS, inner, max_size=4)
    ),
    max_leaves=30,
)


def _dumps(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


@settings(max_examples=500)
@given(DOCUMENTS)
def test_any_document_is_written_as_json_dumps_writes_it(value: Any) -> None:
    assert document(value) == _dumps(value)


def test_floats_in_exponent_form_and_the_non_finite_ones_are_written_as_json_writes_them() -> None:
    value = {"a": [1e16, 1.5e-7, float("inf"), float("-inf")], "b": {"c": 2.0}}
    assert document(value) == _dumps(value)
    assert '"a": [\n    1e+16,' in document(value)


def test_a_value_json_cannot_write_is_refused_as_json_refuses_it() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        document({"when": object()})
