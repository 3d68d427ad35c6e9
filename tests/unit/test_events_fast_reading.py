"""The quick ways in agree with the full ones: `read_envelope` (one reading of the JSON
where it can) gives what `parse_envelope(without_export_metadata(...))` gives, envelope or
error, for any line, and `ids.check`'s shortcut for printable ASCII gives `check_all`'s
answer for any text."""

from __future__ import annotations

import json
from typing import Any

import pytest
from event_examples import EXAMPLES, envelope
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cpworkflow.errors import BadInputError
from cpworkflow.vocabulary import ids
from cpworkflow.vocabulary.envelope import Envelope, parse_envelope, read_envelope
from cpworkflow.vocabulary.json_input import (
    _KEY_ENDS,
    _KEY_ENDS_TEXT,
    _keys,
    key_ends,
    keys_all_distinct,
    without_export_metadata,
)


def _outcome(read: Any, raw: bytes | str) -> Envelope | tuple[str, str | None]:
    try:
        return read(raw)  # type: ignore[no-any-return]
    except BadInputError as err:
        return str(err), err.field


def _full(raw: bytes | str) -> Envelope:
    return parse_envelope(without_export_metadata(raw))


def _same(raw: bytes | str) -> None:
    assert _outcome(read_envelope, raw) == _outcome(_full, raw)


@pytest.mark.parametrize("event_type", sorted(EXAMPLES))
def test_every_example_envelope_reads_the_same_both_ways(event_type: str) -> None:
    text = json.dumps(envelope(event_type))
    _same(text)
    _same(text.encode())
    assert isinstance(read_envelope(text), Envelope)


ODD_LINES = [
    '{"case_id": "C1", "case_id": "C2", "type": "CaseOpened"}',  # a key twice
    '{"case_id":"C1","type":"ChildVisited","occurred_on":"2025-01-02",'
    '"actor":{"id":"a","role":"social_worker","id":"b"},"data":{}}',  # twice, inside
    '{"case_id": "C1" , "case_id" :"C2"}',  # twice, spaced around the colon
    '{"case_id": "C1", "type": "x\\":", "type": "y"}',  # a string holding a quote and colon
    '\ufeff{"case_id": "C1"}',  # a byte-order mark
    '{"case_id": NaN}',
    '{"case_id": 1e999}',
    '{"case_id": "\\ud800"}',  # a lone surrogate
    "[" * 40 + "]" * 40,
    '{"a":' * 40 + "1" + "}" * 40,  # deeper than the quick reading goes
    '{"stored": {"seq": 1}, "case_id": "C1"}',
    '{"stored": 3}',
    "{not json",
    "",
    "   ",
    '"just a string"',
]


@pytest.mark.parametrize("line", ODD_LINES)
def test_odd_lines_read_the_same_both_ways(line: str) -> None:
    _same(line)
    _same(line.encode("utf-8", "surrogatepass"))


def test_a_key_repeated_anywhere_is_never_taken_for_distinct() -> None:
    for text in ('{"a":1,"a":2,"b" :3}', '{"a":[{"c":1,"c":2}]}', '{"a":{"b":1,"b":1}}'):
        assert not keys_all_distinct(text, json.loads(text))
    assert keys_all_distinct('{"a":1,"b" : [{"c":1},{"c":2}]}', {"a": 1, "b": [{"c": 1}] * 2})


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", '"', ":", '":', "id"]), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    base=st.sampled_from(sorted(EXAMPLES)),
    extra=st.lists(st.tuples(st.sampled_from(["case_id", "data", "key", "x"]), _JSON), max_size=3),
    spaced=st.booleans(),
)
def test_any_envelope_with_keys_added_or_repeated_reads_the_same_both_ways(
    base: str, extra: list[tuple[str, Any]], spaced: bool
) -> None:
    text = json.dumps(envelope(base), separators=(", ", " : ") if spaced else (",", ":"))
    for key, value in extra:  # appended as raw text: a key may now be repeated
        text = text[:-1] + f", {json.dumps(key)}: {json.dumps(value)}" + "}"
    _same(text)
    _same(text.encode())


@settings(max_examples=1000, deadline=None)
@given(value=st.text(max_size=70) | st.text(st.characters(max_codepoint=0x7F), max_size=70))
def test_the_ascii_shortcut_gives_every_rule_s_answer(value: str) -> None:
    assert ids.check(value) == ids.check_all(value)
    assert ids.check(value, ids.MAX_KEY) == ids.check_all(value, ids.MAX_KEY)


def _keys_by_sum(value: object, depth: int) -> int:
    """`json_input._keys` as first written (sums over generators): its oracle."""
    if depth > 32:
        return -1 << 62
    nested = (dict, list)
    if type(value) is dict:
        return len(value) + sum(
            _keys_by_sum(v, depth + 1) for v in value.values() if type(v) in nested
        )
    if type(value) is list:
        return sum(_keys_by_sum(v, depth + 1) for v in value if type(v) in nested)
    return 0


@settings(max_examples=1000, deadline=None)
@given(value=_JSON, depth=st.sampled_from([0, 0, 0, 20, 30, 31, 32, 33]))
def test_the_key_count_is_the_sum_s(value: Any, depth: int) -> None:
    assert _keys(value, depth) == _keys_by_sum(value, depth)


def test_the_key_count_is_the_sum_s_past_the_depth() -> None:
    for levels in range(28, 38):
        value: Any = {"a": 1, "b": "x"}
        for _ in range(levels):
            value = [{"c": value, "d": [1]}]
        assert _keys(value, 0) == _keys_by_sum(value, 0)


_SPACED_JSON = st.text(st.sampled_from(list('"": \t\r\n\\{}a\u00e9')), max_size=40)
_QUOTES_AND_SPACES = st.text(st.sampled_from(list('"": \t\r\na')), max_size=12)


@settings(max_examples=2000, deadline=None)
@example(text='{"a"\t:1}')
@example(text='{"a"\r\n :1}')
@given(
    text=_QUOTES_AND_SPACES
    | _SPACED_JSON
    | _JSON.map(json.dumps)
    | _JSON.map(lambda v: json.dumps(v, indent=1))
)
def test_the_key_ends_counted_in_c_are_the_pattern_s(text: str) -> None:
    assert key_ends(text) == len(_KEY_ENDS_TEXT.findall(text))
    raw = text.encode("utf-8")
    assert key_ends(raw) == len(_KEY_ENDS.findall(raw))
