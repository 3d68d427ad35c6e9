"""The fast canonical encoder (msgspec, sorted keys) gives the very bytes of the first
build's encoder, kept as the oracle, for every value; what lies outside the proven domain
goes to the oracle, so refusals are the same too. The chain hash likewise."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cpworkflow.store.canonical import (
    HASHED_FIELDS,
    MAX_SAFE_INTEGER,
    NotCanonicalError,
    _plain,
    _plain_walk,
    chain_hash,
    decode_object,
    encode,
    oracle_chain_hash,
    oracle_encode,
    reread,
    reread_text,
)

# Text with every kind of character that matters: controls, quotes and backslashes,
# U+2028/9, the private use and specials block, astral characters, lone surrogates.
ANY_TEXT = st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF))
STORE_TEXT = st.text(
    st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=["Cs"])
)
SAFE_INT = st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)


def _values(text: st.SearchStrategy[str], scalars: st.SearchStrategy[Any]) -> Any:
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
        max_leaves=25,
    )


ACCEPTED = _values(STORE_TEXT, st.none() | st.booleans() | SAFE_INT | STORE_TEXT)
ANYTHING = _values(
    ANY_TEXT,
    st.none() | st.booleans() | st.integers() | ANY_TEXT | st.floats() | st.tuples(SAFE_INT),
) | st.dictionaries(st.integers() | ANY_TEXT, st.integers(), max_size=3)


def _outcome(encoder: Any, value: Any) -> tuple[str, str]:
    try:
        return ("text", encoder(value))
    except NotCanonicalError as err:
        return ("refused", err.located("data"))


@settings(max_examples=1500)
@given(ACCEPTED)
def test_every_value_the_store_accepts_encodes_to_the_oracles_bytes(value: Any) -> None:
    assert encode(value).encode("utf-8") == oracle_encode(value).encode("utf-8")


@settings(max_examples=1500)
@given(ANYTHING)
def test_any_value_is_encoded_or_refused_exactly_as_the_oracle_does(value: Any) -> None:
    assert _outcome(encode, value) == _outcome(oracle_encode, value)


@settings(max_examples=1500)
@given(ANYTHING | ACCEPTED)
def test_the_domain_test_is_its_plain_walk_s(value: Any) -> None:
    assert _plain(value, 0) == _plain_walk(value, 0)


def test_the_domain_test_is_its_plain_walk_s_at_the_depth_limit() -> None:
    for leaf in (1, "a", None, True, 2**60, {}, [], 1.5, (1,)):
        for outer in (dict, list):
            for levels in range(60, 68):
                value: Any = leaf
                for _ in range(levels):
                    value = {"k": value, "s": "x"} if outer is dict else ["x", value]
                assert _plain(value, 0) == _plain_walk(value, 0), (leaf, outer, levels)


def test_keys_beyond_the_basic_plane_are_left_to_the_oracle() -> None:
    # Python orders "\uffff" before "\U0001f600"; RFC 8785 (UTF-16 units) the other way.
    value = {"\uffff": 1, "\U0001f600": 2}
    assert not _plain(value, 0)
    assert encode(value) == '{"\U0001f600":2,"\uffff":1}' == oracle_encode(value)


def test_the_fast_path_is_the_one_taken_for_a_recorded_payload() -> None:
    payload = {"chair": {"id": "iro-7", "role": "cp_chair"}, "categories": ["neglect"], "n": 3}
    assert _plain(payload, 0)
    assert (
        encode(payload)
        == '{"categories":["neglect"],"chair":{"id":"iro-7","role":"cp_chair"},"n":3}'
    )


SCALAR = st.none() | SAFE_INT | STORE_TEXT


@settings(max_examples=500)
@given(
    scalars=st.fixed_dictionaries(
        {n: SCALAR for n in HASHED_FIELDS if n not in ("actor", "data", "decision")}
    ),
    payloads=st.fixed_dictionaries({n: ACCEPTED for n in ("actor", "data", "decision")}),
)
def test_the_chain_hash_is_the_first_builds_for_any_event(
    scalars: dict[str, Any], payloads: dict[str, Any]
) -> None:
    encoded = {name: oracle_encode(value) for name, value in payloads.items()}
    assert chain_hash(scalars, encoded) == oracle_chain_hash(scalars, encoded)


# What verify's reading of one stored column must agree with: decode_object, then encode.
STORED_TEXT = st.one_of(
    ACCEPTED.map(lambda v: encode({"v": v})),
    ANYTHING.map(lambda v: json.dumps({"v": v}, default=str)),
    ANY_TEXT,
)


@settings(max_examples=800)
@given(STORED_TEXT)
def test_one_stored_text_is_reread_as_the_definitions_read_it_or_left_to_them(
    text: str,
) -> None:
    read = reread_text(text)
    if read is None:
        return
    value, canonical = read
    assert type(value) is dict
    assert value == decode_object(text)
    assert canonical == encode(value).encode("utf-8")
    assert reread(text) == ((value,), (canonical,))


def test_a_text_nested_beyond_the_domain_is_left_to_the_definitions() -> None:
    deep = '{"k":' + "[" * 64 + "]" * 64 + "}"
    assert reread_text(deep) is None
    fine = '{"k":' + "[" * 63 + "]" * 63 + "}"
    assert reread_text(fine) == (decode_object(fine), fine.encode())
