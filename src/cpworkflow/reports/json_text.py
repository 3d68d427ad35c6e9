"""A JSON document as `--json` prints it, fast: what `json.dumps(value, indent=2,
ensure_ascii=False)` gives, written by msgspec in C.

`json.dumps` with `indent` runs its pure-Python encoder (the C one writes compact output
only), several µs a value: most of `cpw due --json` over 50,000 cases. msgspec encodes and
indents the same document in a tenth of the time, byte for byte the same for objects,
arrays, text (the same escapes), whole numbers, true, false and null: the caseload's rows
hold nothing else (tests/unit/test_json_text.py). Floats in exponent form are written
apart (msgspec `1e16`, json `1e+16`), so a document with floats is not for this function.
What msgspec refuses (a lone surrogate, an integer past 64 bits) goes to `json.dumps`.
`document` is for any document `--json` prints: `indented` when it holds only those
values (one walk over it to know), `json.dumps` itself otherwise (floats, keys that are
not text, values json would refuse).
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

_ENCODER = msgspec.json.Encoder()


def indented(value: Any) -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)` for a document without floats."""
    try:
        return msgspec.json.format(_ENCODER.encode(value), indent=2).decode()
    except (TypeError, ValueError, OverflowError):  # UnicodeEncodeError is a ValueError
        return json.dumps(value, indent=2, ensure_ascii=False)


_PLAIN = (str, int, bool, type(None))  # exactly these types: not a subclass such as an Enum


def document(value: Any) -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)` for any value: msgspec's way when
    the document holds nothing but objects with text keys, arrays, text, whole numbers,
    true, false and null, `json.dumps` itself otherwise."""
    if _plain(value):
        return indented(value)
    return json.dumps(value, indent=2, ensure_ascii=False)


def _plain(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            if not all(type(key) is str for key in item):
                return False
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
        elif kind not in _PLAIN:
            return False
    return True
