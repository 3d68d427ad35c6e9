"""Canonical JSON and the per-case hash chain (specified in eventstore/README.md).

The canonical encoding is RFC 8785 (JSON Canonicalization Scheme) restricted to the values
the store accepts: objects with string keys, arrays, strings, booleans, null and integers
within ±(2**53 - 1). No floats, so every number is written as Python's `str(int)`, and the
encoding is `json.dumps(value, ensure_ascii=False, separators=(",", ":"))` after ordering
every object's keys by their UTF-16 code units, as RFC 8785 §3.2.3 requires.

Two encoders give those bytes. `oracle_encode` is the definition above, written out (the
first build's encoder, kept as the test oracle). `encode`, used everywhere, is msgspec's
C encoder with sorted keys, some thirty times faster; it is used only for values inside
what a hypothesis test proves byte-identical to the oracle (`_plain`: dicts with string
keys that hold no character above U+FFFF, lists, strings, integers within range, booleans,
null, at most 64 deep). Anything else, including every value the store refuses, goes to
the oracle, which encodes it or raises the same NotCanonicalError as always.

`reread` (and `reread_text`, of one) is `decode_object` and `encode` of stored columns,
for verify: the same decode, and the same canonical bytes, with the domain test done on
the bytes in C rather than by walking the decoded value (`_plain`), and None (use the
definitions) outside it.
`raw_hash` is `chain_hash` with the three texts given as canonical bytes (msgspec.Raw).
tests/unit/test_canonical_encoder.py and test_reread.py prove both equal to the
definitions, on any text.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    import msgspec.inspect as mi

GENESIS = "0" * 64
MAX_SAFE_INTEGER = 2**53 - 1
MAX_DEPTH = 64
TIMESTAMP_EXAMPLE = "2025-03-04T17:00:00.000000Z"
HASHED_FIELDS = (
    "actor",
    "case_id",
    "data",
    "decision",
    "key",
    "occurred_on",
    "policy",
    "policy_version",
    "prev_hash",
    "recorded_at",
    "schema_version",
    "seq",
    "type",
)
_SURROGATE = re.compile("[\ud800-\udfff]")


class NotCanonicalError(ValueError):
    """A value that has no canonical JSON form; `path` locates it (e.g. `.child.ref[0]`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path: list[str] = []

    def located(self, root: str) -> str:
        return root + "".join(reversed(self.path))


def _utf16(key: str) -> bytes:
    return key.encode("utf-16-be")


def canonical(value: Any, depth: int = 0) -> Any:
    """A copy of `value` with every object's keys in RFC 8785 order. Raises
    NotCanonicalError for anything without an exact JSON form."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            return value
        raise NotCanonicalError("integers must be within ±(2**53 - 1)")
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise NotCanonicalError("strings must be valid Unicode (a lone surrogate was found)")
        return value
    if depth >= MAX_DEPTH:
        raise NotCanonicalError(f"is nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        return _canonical_object(value, depth)
    if isinstance(value, list):
        items = []
        for index, item in enumerate(value):
            try:
                items.append(canonical(item, depth + 1))
            except NotCanonicalError as err:
                err.path.append(f"[{index}]")
                raise
        return items
    if isinstance(value, float):
        raise NotCanonicalError("floats are not allowed (the canonical form has integers only)")
    raise NotCanonicalError(f"{type(value).__name__} is not a JSON value")


def _canonical_object(value: dict[Any, Any], depth: int) -> dict[str, Any]:
    for key in value:
        if not isinstance(key, str):
            raise NotCanonicalError(f"object keys must be strings, not {type(key).__name__}")
        if _SURROGATE.search(key):
            raise NotCanonicalError("object keys must be valid Unicode")
    ordered: dict[str, Any] = {}
    for key in sorted(value, key=_utf16):
        try:
            ordered[key] = canonical(value[key], depth + 1)
        except NotCanonicalError as err:
            err.path.append(f".{key}")
            raise
    return ordered


def oracle_encode(value: Any) -> str:
    """The canonical JSON text of `value` (see `canonical`): the definition, and the oracle."""
    return json.dumps(canonical(value), ensure_ascii=False, separators=(",", ":"))


_ENCODER = msgspec.json.Encoder(order="sorted")


def encode(value: Any) -> str:
    """The canonical JSON text of `value`: msgspec inside the proven domain, else the oracle.
    Raises NotCanonicalError for anything without an exact JSON form."""
    if _plain(value, 0):
        try:
            return _ENCODER.encode(value).decode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: the oracle says where
            pass
    return oracle_encode(value)


def _plain(value: Any, depth: int) -> bool:
    """Within the domain where msgspec's sorted encoding is the oracle's, byte for byte.
    Python's key order is RFC 8785's unless a key holds a character above U+FFFF.

    `_plain_walk` is this test written plainly; here, for speed (it walks every value the
    store is given), a container's strings, booleans and nulls are passed over in its own
    loop, without a call each (tests/unit/test_canonical_encoder.py holds the two equal)."""
    kind = type(value)
    if kind is dict:
        if depth >= MAX_DEPTH:
            return False
        for key in value:
            if type(key) is not str or not (key.isascii() or max(key) <= "\uffff"):
                return False
        return _plain_items(value.values(), depth)
    if kind is list:
        return depth < MAX_DEPTH and _plain_items(value, depth)
    return _plain_walk(value, depth)


def _plain_items(items: Iterable[Any], depth: int) -> bool:
    """Each item of a container at `depth` inside `_plain`'s domain: a string, boolean,
    null or integer judged here, anything else by `_plain` one level down."""
    for item in items:
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int:
            if not -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:
                return False
        elif not _plain(item, depth + 1):
            return False
    return True


def _plain_walk(value: Any, depth: int) -> bool:
    """`_plain`, the definition: a value at a time."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return bool(-MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER)
    if depth >= MAX_DEPTH:
        return False
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or not (key.isascii() or max(key) <= "\uffff"):
                return False
            if not _plain_walk(item, depth + 1):
                return False
        return True
    if kind is list:
        return all(_plain_walk(item, depth + 1) for item in value)
    return False


def encode_plain(value: Any) -> str:
    """`encode` of a value its type already places inside `_plain`'s domain (the builtins
    of a struct that `plain_struct` vouches for): msgspec's sorted encoding without the
    walk, or the oracle where a string holds a lone surrogate (as `encode` does)."""
    try:
        return _ENCODER.encode(value).decode("utf-8")
    except UnicodeEncodeError:
        return oracle_encode(value)


@cache
def plain_struct(cls: type[msgspec.Struct]) -> bool:
    """True if `msgspec.to_builtins` of every instance of the struct `cls` is inside
    `_plain`'s domain, as its type alone shows: every integer bounded within
    ±(2**53 - 1), every key a field name or a literal, nothing nested 64 deep, and only
    strings, dates, booleans, nulls, lists and structs besides. False where only a look
    at the value could tell (an unbounded integer, a free-text key, a float, anything
    else). A struct's `__post_init__` is taken to check its fields, never to set them
    (the vocabulary's only refuse). tests/unit/test_plain_struct.py generates instances
    of every type it vouches for and finds each inside `_plain`."""
    import msgspec.inspect as mi  # here: only an import asks, once a type

    return _plain_type(mi.type_info(cls), 0, frozenset())


def _plain_type(t: mi.Type, depth: int, within: frozenset[type]) -> bool:
    """`plain_struct` for a value of type `t` at `depth` (as `_plain` counts it), inside
    the structs `within` (a struct inside itself is judged no further: False)."""
    import msgspec.inspect as mi

    if isinstance(t, mi.Metadata):
        return _plain_type(t.type, depth, within)
    if isinstance(t, mi.StrType | mi.BoolType | mi.NoneType | mi.DateType):
        return True  # to_builtins writes a date as its YYYY-MM-DD string
    if isinstance(t, mi.LiteralType):
        return all(type(v) is str or _bounded(v, v) for v in t.values)
    if isinstance(t, mi.IntType):
        low = t.ge if t.ge is not None else None if t.gt is None else t.gt + 1
        high = t.le if t.le is not None else None if t.lt is None else t.lt - 1
        return _bounded(low, high)
    if isinstance(t, mi.UnionType):
        return all(_plain_type(member, depth, within) for member in t.types)
    if depth >= MAX_DEPTH:
        return False
    if isinstance(t, mi.ListType):
        return _plain_type(t.item_type, depth + 1, within)
    if isinstance(t, mi.DictType):
        keys = t.key_type
        return (
            isinstance(keys, mi.LiteralType)
            and all(type(k) is str and _plain_key(k) for k in keys.values)
            and _plain_type(t.value_type, depth + 1, within)
        )
    if isinstance(t, mi.StructType):
        if t.array_like or t.cls in within:
            return False
        tag = t.tag_field is None or (
            _plain_key(t.tag_field) and (type(t.tag) is str or _bounded(t.tag, t.tag))
        )  # a tagged struct's builtins hold its tag as a member
        inside = within | {t.cls}
        return tag and all(
            _plain_key(f.encode_name)
            and _plain_type(f.type, depth + 1, inside)
            and _plain_default(f, depth + 1)
            for f in t.fields
        )
    return False


def _plain_default(f: mi.Field, depth: int) -> bool:
    """A field's default is not checked against its type when an instance takes it: it
    must be inside the domain itself."""
    if f.default is not msgspec.NODEFAULT:
        value = f.default
    elif f.default_factory is not msgspec.NODEFAULT:
        value = f.default_factory()
    else:
        return True
    try:
        return _plain(msgspec.to_builtins(value), depth)
    except (TypeError, ValueError):
        return False


def _bounded(low: object, high: object) -> bool:
    return (
        type(low) is int
        and type(high) is int
        and -MAX_SAFE_INTEGER <= low <= high <= MAX_SAFE_INTEGER
    )


def _plain_key(key: str) -> bool:
    return key.isascii() or max(key) <= "\uffff"


def _no_float(text: str) -> Any:
    raise ValueError("a float")  # msgspec reports it as a ValidationError


_REREAD = msgspec.json.Decoder(float_hook=_no_float)
# What `reread` looks for in the canonical bytes, each byte made one of four: a digit "9",
# "{" for "{" and "[", "!" for the lead byte of a character above U+FFFF, " " for the rest.
_SHAPE = bytes(
    0x39 if 0x30 <= b <= 0x39 else 0x7B if b in b"{[" else 0x21 if b >= 0xF0 else 0x20
    for b in range(256)
)
_LONG_NUMBER = b"9" * 16  # 2**53 - 1 has 16 digits: a number of 15 or fewer is in range
_SHALLOW = 2 * MAX_DEPTH  # bytes: so few hold at most MAX_DEPTH containers (two bytes each)


def reread(*texts: str) -> tuple[tuple[dict[str, Any], ...], tuple[bytes, ...]] | None:
    """Stored actor, data or decision texts as (each `decode_object(text)`, the UTF-8 bytes
    of `encode` of each), when each text's canonical bytes show that its decoded object is
    inside `_plain`'s domain (`reread_text`); None otherwise (one is not an object, not
    JSON, or only maybe inside the domain), and the caller falls back to the definitions."""
    values: list[dict[str, Any]] = []
    encoded: list[bytes] = []
    for text in texts:
        read = reread_text(text)
        if read is None:
            return None
        values.append(read[0])
        encoded.append(read[1])
    return tuple(values), tuple(encoded)


def reread_text(text: str) -> tuple[dict[str, Any], bytes] | None:
    """One stored text as (`decode_object(text)`, the UTF-8 bytes of `encode` of it), or
    None (see `reread`).

    msgspec's sorted bytes are `encode`'s when the object holds no float (the decoder
    refuses one), no integer beyond ±(2**53 - 1) (the bytes hold no run of 16 digits,
    inside strings or out), nothing nested 64 deep (they hold at most 64 `{` and `[` in
    all, so no more than 64 containers) and no key with a character above U+FFFF (they
    hold none anywhere; ASCII bytes hold none at all). A lone surrogate cannot be read or
    written, and is refused. Bytes too few to hold more than 64 containers are not counted."""
    try:
        value = _REREAD.decode(text)
        if type(value) is not dict:
            return None
        encoded = _ENCODER.encode(value)
    except (msgspec.DecodeError, UnicodeError):  # ValidationError (a float) is a DecodeError
        return None
    shape = encoded.translate(_SHAPE)  # `find`, not `in`: bytes' `in` tries an int first
    if shape.find(_LONG_NUMBER) >= 0 or (not encoded.isascii() and shape.find(b"!") >= 0):
        return None
    if len(encoded) > _SHALLOW and shape.count(b"{") > MAX_DEPTH:
        return None
    return value, encoded


class _Hashed(msgspec.Struct):
    """The hashed object, its members in HASHED_FIELDS order (checked below)."""

    actor: msgspec.Raw
    case_id: str
    data: msgspec.Raw
    decision: msgspec.Raw
    key: str | None
    occurred_on: str
    policy: str
    policy_version: str
    prev_hash: str
    recorded_at: str
    schema_version: int
    seq: int
    type: str


assert _Hashed.__struct_fields__ == HASHED_FIELDS  # the order is the encoding
_IN_ORDER = msgspec.json.Encoder().encode  # a struct's fields as declared: sorted already


def raw_hash(
    case_id: str,
    seq: int,
    type_: str,
    occurred_on: str,
    recorded_at: str,
    schema_version: int,
    policy: str,
    policy_version: str,
    key: str | None,
    prev_hash: str,
    actor: msgspec.Raw,
    data: msgspec.Raw,
    decision: msgspec.Raw,
) -> str | None:
    """`chain_hash` of these scalars (exactly these types: str, int, None for no key) with
    actor, data and decision already as canonical UTF-8 bytes, wrapped as msgspec.Raw
    (verify wraps a text it reads again only once); None where chain_hash would go to the
    oracle (a lone surrogate in a scalar)."""
    document = _Hashed(
        actor,
        case_id,
        data,
        decision,
        key,
        occurred_on,
        policy,
        policy_version,
        prev_hash,
        recorded_at,
        schema_version,
        seq,
        type_,
    )
    try:
        return hashlib.sha256(_IN_ORDER(document)).hexdigest()
    except UnicodeEncodeError:
        return None


def decode_object(text: str | bytes) -> Any:
    """JSON text read back (msgspec); ValueError if it is not JSON."""
    try:
        return msgspec.json.decode(text)
    except msgspec.DecodeError as err:
        raise ValueError(str(err)) from None


def oracle_chain_hash(scalars: Mapping[str, str | int | None], encoded: Mapping[str, str]) -> str:
    """`chain_hash` as the first build computed it (kept as the test oracle)."""
    parts = {name: json.dumps(value, ensure_ascii=False) for name, value in scalars.items()}
    parts.update(encoded)
    if tuple(sorted(parts)) != HASHED_FIELDS:
        raise ValueError(f"the hashed object needs exactly {HASHED_FIELDS}")
    document = "{" + ",".join(f'"{name}":{parts[name]}' for name in HASHED_FIELDS) + "}"
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def chain_hash(scalars: Mapping[str, str | int | None], encoded: Mapping[str, str]) -> str:
    """sha256 (lowercase hex) of the canonical object of HASHED_FIELDS. `scalars` holds the
    plain fields; `encoded` holds actor, data and decision already as canonical JSON text
    (so a large payload is encoded once). The field names are ASCII, so msgspec's sorted
    order is the RFC 8785 order; the scalars are strings, integers and null, which msgspec
    writes as `json.dumps` does (a lone surrogate goes to the oracle, which says so)."""
    document: dict[str, object] = dict(scalars)
    document.update((name, msgspec.Raw(text.encode("utf-8"))) for name, text in encoded.items())
    if len(document) != len(HASHED_FIELDS) or tuple(sorted(document)) != HASHED_FIELDS:
        raise ValueError(f"the hashed object needs exactly {HASHED_FIELDS}")
    try:
        return hashlib.sha256(_ENCODER.encode(document)).hexdigest()
    except UnicodeEncodeError:
        return oracle_chain_hash(scalars, encoded)


def format_timestamp(moment: datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SS.ffffffZ`, in UTC: fixed width, so text order is time order."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a timestamp must be timezone-aware")
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    return utc.isoformat(sep="T", timespec="microseconds") + "Z"


def parse_timestamp(text: str) -> datetime:
    if len(text) != len(TIMESTAMP_EXAMPLE) or not text.endswith("Z"):
        raise ValueError(f"{text!r} is not of the form {TIMESTAMP_EXAMPLE}")
    return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
