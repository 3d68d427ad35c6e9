"""The one rule for identifiers: case ids, person and actor ids, and idempotency keys.

An id is what people read, type, search for and compare, in a log kept for decades, so two
ids that print the same must be the same id. An id is:

- **printable text**: no control characters (NUL, tab, newline, escape and the C1 range),
  no invisible ones (zero-width spaces and joiners, bidirectional overrides and isolates,
  the byte-order mark: Unicode's format characters), no line or paragraph separators, no
  surrogates, private-use or unassigned code points;
- **without surrounding spaces** (`"C1001 "` and `"C1001"` would print alike);
- **in NFC**, the composed form (`é` as one character, not `e` plus an accent);
- **not too long**: a case id or a person's id at most 64 characters, a key at most 200.

`check(value, limit)` returns the reason a value breaks the rule, or None; the vocabulary's
structs call it (`people.Person`, the envelope), so every command and import gets the same
answer, and the store checks lengths again as its own limits.
"""

from __future__ import annotations

import unicodedata

MAX_ID = 64  # a case id, a person's or an actor's id
MAX_KEY = 200  # an idempotency key (a client's request id may be long)
# Unicode general categories an id may not contain: controls, format (invisible) characters,
# surrogates, private use, unassigned, and line and paragraph separators.
_REFUSED_CATEGORIES = {"Cc": "control", "Cf": "invisible", "Cs": "surrogate", "Co": "private-use"}
_REFUSED_CATEGORIES |= {"Cn": "unassigned", "Zl": "line separator", "Zp": "paragraph separator"}


def check(value: str, limit: int = MAX_ID) -> str | None:
    """Why `value` is not a valid id (one short phrase), or None if it is."""
    if 0 < len(value) <= limit and value.isascii() and value.isprintable():
        # Printable ASCII is assigned, visible and in NFC: only the spaces are left to see.
        return None if value[0] != " " and value[-1] != " " else check_all(value, limit)
    return check_all(value, limit)


def check_all(value: str, limit: int = MAX_ID) -> str | None:
    """`check`, every rule asked in turn (the definition, and `check`'s oracle)."""
    if not value:
        return "must not be empty"
    if len(value) > limit:
        return f"must be at most {limit} characters (it has {len(value)})"
    for index, char in enumerate(value):
        kind = _REFUSED_CATEGORIES.get(unicodedata.category(char))
        if kind is not None:
            code = f"U+{ord(char):04X}"
            what = f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} character ({code})"
            return f"must be printable: character {index + 1} is {what}"
    if not value.strip():
        return "must not be blank"
    if value != value.strip():
        return "must not start or end with a space"
    if unicodedata.normalize("NFC", value) != value:
        return "must be in Unicode NFC (composed) form, so that ids that look alike are alike"
    return None


def require(value: str, name: str, limit: int = MAX_ID) -> None:
    """For a struct's `__post_init__`: a ValueError of the form the vocabulary's decoder
    reports as `<path>.<name>: <reason>`."""
    reason = check(value, limit)
    if reason is not None:
        raise ValueError(f"`{name}` {reason}")
