"""verify's fast reading of a stored column (`canonical.reread`) and of a row's hash
(`canonical.raw_hash`) gives exactly what the definitions give, `decode_object` then
`encode`, and `chain_hash`, for any stored text at all: canonical or not, JSON or not,
with floats, huge integers, deep nesting, astral keys or escapes. Where it cannot be sure it
gives None, and verify uses the definitions; it is sure for every object the store writes
that holds none of those (the usual case, so the fast path is the one taken)."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpworkflow.store.canonical import (
    HASHED_FIELDS,
    MAX_SAFE_INTEGER,
    NotCanonicalError,
    chain_hash,
    decode_object,
    encode,
    raw_hash,
    reread,
)

ANY_TEXT = st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF))
BMP_TEXT = st.text(
    st.characters(min_codepoint=0, max_codepoint=0xFFFF, exclude_categories=["Cs"]), max_size=12
)
SAFE_INT = st.integers(-(10**15) + 1, 10**15 - 1)  # at most 15 digits


def _tree(keys: st.SearchStrategy[str], scalars: st.SearchStrategy[Any]) -> Any:
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=25,
    )


# Objects the fast path must accept: what the store writes, short of the rare cases.
PLAIN = st.dictionaries(
    BMP_TEXT, _tree(BMP_TEXT, st.none() | st.booleans() | SAFE_INT | BMP_TEXT), max_size=5
)
# Anything JSON can say, including what the store refuses.
WILD = st.dictionaries(
    ANY_TEXT,
    _tree(
        ANY_TEXT,
        st.none()
        | st.booleans()
        | st.integers()
        | st.integers(MAX_SAFE_INTEGER - 2, MAX_SAFE_INTEGER + 2)
        | st.floats(allow_nan=False)
        | ANY_TEXT,
    ),
    max_size=5,
)


def _definition(text: str) -> tuple[str, Any]:
    """What row_hash and stored_event make of a stored text: its object and canonical
    text, or that there is none."""
    try:
        value = decode_object(text)
    except ValueError:
        return ("unreadable", None)
    if not isinstance(value, dict):
        return ("not an object", None)
    try:
        return ("canonical", (value, encode(value)))
    except NotCanonicalError:
        return ("refused", value)


def _written(value: Any, how: int) -> str:
    """`value` stored as text five ways: canonical, and four that are not."""
    if how == 0:
        return encode(value)
    if how == 1:
        return json.dumps(value)  # spaces, \\u escapes
    if how == 2:
        return json.dumps(value, sort_keys=True, indent=1)
    if how == 3:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))  # key order kept
    return " " + json.dumps(value, ensure_ascii=False) + "\n"


def _same_as_definition(texts: tuple[str, ...]) -> None:
    fast = reread(*texts)
    if fast is None:
        return  # verify uses the definitions
    values, encoded = fast
    for text, value, canonical in zip(texts, values, encoded, strict=True):
        kind, defined = _definition(text)
        assert kind == "canonical", (text, kind)
        assert value == defined[0]
        assert type(value) is dict
        assert canonical == defined[1].encode("utf-8")


@settings(max_examples=800)
@given(PLAIN, st.integers(0, 4))
def test_what_the_store_writes_is_read_fast_and_as_the_definition_reads_it(
    value: dict[str, Any], how: int
) -> None:
    text = _written(value, how)
    fast = reread(text)
    assert fast is not None, text
    assert fast[0] == (decode_object(text),)
    assert fast[1] == (encode(value).encode("utf-8"),)
    _same_as_definition((text,))


@settings(max_examples=800)
@given(WILD, st.integers(0, 4))
def test_any_object_written_any_way_is_read_as_the_definition_reads_it_or_left_to_it(
    value: dict[str, Any], how: int
) -> None:
    try:
        text = _written(value, how)
    except (NotCanonicalError, UnicodeEncodeError, ValueError):
        text = json.dumps(value)  # what encode refuses can still be stored by hand
    _same_as_definition((text,))


@settings(max_examples=500)
@given(st.lists(ANY_TEXT | st.from_regex(r"\A[\[\]{}\"0-9.eE:,a -]{0,40}\Z"), max_size=3))
def test_any_text_at_all_is_read_as_the_definition_reads_it_or_left_to_it(
    texts: list[str],
) -> None:
    _same_as_definition(tuple(texts))


@pytest.mark.parametrize(
    "text",
    [
        '{"n":1.0}',  # a float
        '{"n":1e3}',
        '{"n":9007199254740992}',  # 2**53: out of range
        '{"n":-9007199254740992}',
        '{"n":123456789012345678901234567890}',
        '{"k":' + "[" * 64 + "]" * 64 + "}",  # nested 65 deep
        '{"\U0001f600":1,"\ue000":2}',  # an astral key: UTF-16 order is not code point order
        '{"s":"\\ud800"}',  # a lone surrogate
        '{"a":1',  # not JSON
        "[1,2]",  # not an object
        '{"a":1}{"b":2}',
        '"text"',
    ],
)
def test_what_the_fast_reading_cannot_be_sure_of_goes_to_the_definitions(text: str) -> None:
    assert reread(text) is None
    assert reread('{"fine":true}', text) is None


def test_the_reading_is_sure_of_a_number_of_15_digits_and_a_plain_nesting() -> None:
    text = '{"k":' + "[" * 62 + "]" * 62 + ',"n":-999999999999999}'
    assert reread(text) == ((decode_object(text),), (text.encode(),))


@pytest.mark.parametrize(
    "text",
    [
        '{"s":"' + "{" * 100 + '"}',  # brackets in a string, in bytes too few to nest 65 deep
        '{"k":' + "[" * 61 + "]" * 61 + "}",  # 128 bytes
        '{"s":"\u00e9' + "[" * 70 + '"}',  # not ASCII, and no character above U+FFFF
    ],
)
def test_a_short_text_is_not_counted_and_is_read_as_the_definition_reads_it(text: str) -> None:
    kind, defined = _definition(text)
    assert kind == "canonical"
    assert reread(text) == ((defined[0],), (defined[1].encode("utf-8"),))


SCALAR_TEXT = st.text(
    st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=["Cs"]),
    max_size=20,
)


@settings(max_examples=500)
@given(
    st.fixed_dictionaries(
        {
            "case_id": SCALAR_TEXT,
            "seq": st.integers(1, 10**9),
            "type": SCALAR_TEXT,
            "occurred_on": st.dates().map(lambda d: d.isoformat()),
            "recorded_at": SCALAR_TEXT,
            "schema_version": st.integers(1, 99),
            "policy": SCALAR_TEXT,
            "policy_version": SCALAR_TEXT,
            "key": st.none() | SCALAR_TEXT,
            "prev_hash": SCALAR_TEXT,
        }
    ),
    st.lists(PLAIN, min_size=3, max_size=3),
)
def test_the_fast_hash_of_a_row_is_chain_hash(
    scalars: dict[str, Any], objects: list[dict[str, Any]]
) -> None:
    texts = {
        name: encode(o) for name, o in zip(("actor", "data", "decision"), objects, strict=True)
    }
    assert sorted((*scalars, *texts)) == list(HASHED_FIELDS)
    fast = raw_hash(
        scalars["case_id"],
        scalars["seq"],
        scalars["type"],
        scalars["occurred_on"],
        scalars["recorded_at"],
        scalars["schema_version"],
        scalars["policy"],
        scalars["policy_version"],
        scalars["key"],
        scalars["prev_hash"],
        *(msgspec.Raw(t.encode("utf-8")) for t in texts.values()),
    )
    assert fast == chain_hash(scalars, texts)


def test_a_lone_surrogate_in_a_scalar_is_left_to_chain_hash() -> None:
    args = ("C\ud800", 1, "T", "2025-01-01", "r", 1, "p", "v", None, "0" * 64)
    assert raw_hash(*args, *(msgspec.Raw(b"{}") for _ in range(3))) is None
