"""Reading JSON the way an evidence system should: a key given twice is refused, not
guessed at; the `stored` object an export adds for readers is set aside on the way in; and
JSON that does not parse is explained where it went wrong, with what was expected there."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from cpworkflow.errors import BadInputError

# The standard library's words for what it expected, in ours.
_EXPECTED = {
    "Expecting ',' delimiter": "expected a comma or the closing bracket",
    "Expecting ':' delimiter": "expected a colon after the key",
    "Expecting value": 'expected a value (a "string", number, true, false, null, {...} or [...])',
    "Extra data": "more text after the end of the JSON",
}


def without_export_metadata(
    raw: bytes | str | Mapping[str, Any],
) -> bytes | str | Mapping[str, Any]:
    """`cpw export --format jsonl` adds a `stored` object (seq, recorded_at, hashes) for
    readers; import and record take the envelope and ignore it."""
    if not isinstance(raw, Mapping):
        try:
            decoded = json.loads(raw, object_pairs_hook=unique_keys)
        except RepeatedKeyError as err:
            raise BadInputError(str(err)) from None
        except RecursionError:
            raise BadInputError("not valid JSON: nested too deeply") from None
        except (ValueError, UnicodeDecodeError):
            return raw  # parse_envelope names what is wrong
        if not isinstance(decoded, dict) or "stored" not in decoded:
            return raw
        raw = decoded
    if not isinstance(raw.get("stored", {}), Mapping):
        raise BadInputError("must be an object (what an export adds: seq, hashes)", field="stored")
    return {k: v for k, v in raw.items() if k != "stored"}


# The end of every key of a JSON document (its closing quote, then the colon), and of any
# string that holds a quote and a colon itself: never fewer than the keys in the text.
_KEY_ENDS = re.compile(rb'"[ \t\r\n]*:')
_KEY_ENDS_TEXT = re.compile(r'"[ \t\r\n]*:')
_DEEPEST = 32  # objects and arrays nested deeper than this are left to the full reading


def keys_all_distinct(text: bytes | str, value: object) -> bool:
    """For `value`, the JSON document `text` decoded: True only if no object of the text
    names a key twice, so `json.loads(text, object_pairs_hook=unique_keys)` accepts it. A
    decoded object keeps one of each repeated key, so the decoded keys fall short of the
    key ends in the text when one is repeated (or when a string holds `":`: then False
    too, as for a document nested deeper than `_DEEPEST`; the caller reads those the full
    way)."""
    return key_ends(text) == _keys(value, 0)


def key_ends(text: bytes | str) -> int:
    """How many times `_KEY_ENDS` (or `_KEY_ENDS_TEXT`) matches `text`. In bytes, with the
    whitespace deleted, a match is exactly a `":` (the quote is then next to what followed
    its spaces), counted in C in two passes where the pattern takes more than their time
    (tests/unit/test_events_fast_reading.py holds the two equal)."""
    if isinstance(text, bytes):
        return text.translate(None, b" \t\r\n").count(b'":')
    return len(_KEY_ENDS_TEXT.findall(text))


def _keys(value: object, depth: int) -> int:
    """How many keys the objects in `value` hold; a large negative number past `_DEEPEST`
    levels. (Loops, not `sum` over a generator: it runs on every line of an import;
    tests/unit/test_events_fast_reading.py holds it equal to the generator's count.)"""
    if depth > _DEEPEST:
        return -1 << 62
    items: Iterable[object]
    if type(value) is dict:
        count, items = len(value), value.values()
    elif type(value) is list:
        count, items = 0, value
    else:
        return 0
    for item in items:
        kind = type(item)
        if kind is dict or kind is list:
            count += _keys(item, depth + 1)
    return count


class RepeatedKeyError(ValueError):
    """A JSON object names a key twice: ambiguous (which value counts?), so refused."""


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """`json.loads(..., object_pairs_hook=unique_keys)`: refuse a repeated key, don't guess."""
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise RepeatedKeyError(f"the key {key[:40]!r} is repeated")
        seen.add(key)
    return dict(pairs)


def malformed(text: str) -> str:
    """Why `text`, which failed to parse, is not JSON: see `explain`."""
    try:
        json.loads(text)
    except json.JSONDecodeError as err:
        return explain(err)
    except RecursionError:
        return "not valid JSON: nested too deeply"
    return "not valid JSON"


def explain(err: json.JSONDecodeError) -> str:
    """ "not valid JSON" in one line: where (line and column), what was expected there,
    and the text around it; an input that stops too soon, or is empty, says so."""
    doc, pos = err.doc, err.pos
    if not doc.strip():
        return 'not valid JSON: it is empty; expected an object such as {"seen": true}'
    if not doc[pos:].strip() or err.msg.startswith("Unterminated string"):
        return 'not valid JSON: it ends too soon (a closing }, ] or " is missing)'
    found = doc[pos]
    if err.msg.startswith("Expecting property name"):
        what = "expected a key in double quotes"
        if found == "'":
            what += ' (JSON uses "double quotes", not single)'
        elif found == "}":
            what = "a comma before the closing } (JSON allows no trailing comma)"
    else:
        what = _EXPECTED.get(err.msg, err.msg[:1].lower() + err.msg[1:])
    near = doc[max(0, pos - 15) : pos + 15].replace("\n", " ")
    return f"not valid JSON at line {err.lineno}, column {err.colno}: {what}, near {near!r}"
