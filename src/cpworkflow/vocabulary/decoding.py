"""Reading event input, and msgspec's errors told in the vocabulary's words.

`read_json` and `convert` raise `BadInputError` naming the field (`data.chair.role`) and
the value; `show` prints a value short and on one line for such a message.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from functools import cache
from typing import TypeVar

import msgspec
import msgspec.inspect as mi

from cpworkflow.errors import BadInputError
from cpworkflow.vocabulary.census_codes import UPN_PATTERN
from cpworkflow.vocabulary.json_input import malformed
from cpworkflow.vocabulary.people import Record

S = TypeVar("S", bound=msgspec.Struct)


def read_json(raw: bytes | str) -> object:
    try:
        text = raw if isinstance(raw, str) else bytes(raw).decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise BadInputError(f"not UTF-8 text (byte {err.start})") from None
    if not text.strip():
        raise BadInputError("empty input: expected one JSON object (the envelope)")
    try:
        return msgspec.json.decode(text)
    except RecursionError:
        raise BadInputError("not valid JSON: nested too deeply") from None
    except (msgspec.DecodeError, UnicodeError):
        raise BadInputError(malformed(text)) from None


def convert(value: object, cls: type[S], prefix: str) -> S:
    try:
        return msgspec.convert(value, cls)
    except msgspec.ValidationError as err:
        path, message = _explain(str(err), value, cls)
        dotted = ".".join(p for p in (prefix, path) if p).replace(".[", "[")
        raise BadInputError(message, field=dotted or None) from None
    except RecursionError:
        raise BadInputError("nested too deeply", field=prefix or None) from None


_MISSING = object()
_SEGMENT = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")
_WORDS = {"str": "a string", "int": "a whole number", "bool": "true or false", "float": "a number"}
_WORDS |= {"date": "a date (YYYY-MM-DD)", "object": "an object", "array": "a list"}
# A pattern a field must match, in words (keyed as msgspec quotes the pattern).
_FORMS = {
    repr(r"^G-[A-Z0-9-]+$"): "a guard id such as G-CONTINGENCY: only guards are waived,"
    " never a timescale (T-...); `cpw rules` lists them",
    repr(UPN_PATTERN): "a UPN: a letter, 11 digits, then a digit or a letter",
}


def show(value: object) -> str:
    """A value, short and on one line, for a message (strings quoted)."""
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    try:
        text = msgspec.json.encode(value).decode()
    except (TypeError, ValueError, OverflowError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _step(value: object, segment: str | int) -> object:
    if isinstance(value, Mapping) and isinstance(segment, str):
        return value.get(segment, _MISSING)
    if isinstance(value, list | tuple) and isinstance(segment, int) and segment < len(value):
        return value[segment]
    return _MISSING


def _locate(where: str, text: str, value: object) -> tuple[str, object, str]:
    """msgspec's `$.a.b[0]` as `a.b[0]`, the value found there, and the last field name.
    A dict value (`[...]`) is named by the key whose value the error quotes."""
    path, name = "", ""
    for key, index in _SEGMENT.findall(where.removeprefix("$")):
        segment: str | int = key or (int(index) if index != "..." else "...")
        if segment == "..." and isinstance(value, Mapping):
            named = [k for k, v in value.items() if text.endswith((f" {v!r}", f"`{_kind(v)}`"))]
            segment = str(named[0]) if named else segment
        path += f"[{segment}]" if isinstance(segment, int) or segment == "..." else f".{segment}"
        name = key or name
        value = _step(value, segment)
    return path.removeprefix("."), value, name


def _kind(value: object) -> str:
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    kinds = {type(None): "null", bool: "bool", int: "int", float: "float", str: "str"}
    return kinds.get(type(value), "?")


def _explain(message: str, value: object, cls: type[msgspec.Struct]) -> tuple[str, str]:
    """(field path, one-line message) for one msgspec ValidationError: where, what was
    wrong, and what is allowed there (the fields, the choices, the form)."""
    text, at, where = message.rpartition(" - at `")
    text, where = (text, where.removesuffix("`")) if at else (message, "$")
    in_key = where.startswith("key` in `")
    where = where.removeprefix("key` in `")
    path, found, name = _locate(where, text, value)
    here = _type_at(mi.type_info(cls), where)
    shown = show(found) if found is not _MISSING else "another value"

    def join(child: str) -> str:  # a field name, perhaps made up by the sender
        safe = child[:40] if child.isidentifier() else show(child)
        return f"{path}.{safe}".removeprefix(".")

    if m := re.fullmatch(r"Object missing required field `(.*)`", text, re.S):
        return join(m[1]), "required field is missing"
    if m := re.fullmatch(r"Object contains unknown field `(.*)`", text, re.S):
        return join(m[1]), _unknown_field(m[1], _struct_of(here))
    if m := re.fullmatch(r"`(\w+)` (.*)", text, re.S):  # from a __post_init__ check
        return join(m[1]), m[2]
    if m := re.fullmatch(r"Invalid (enum )?value (.*)", text, re.S):
        noun = "key" if in_key else re.sub(r"ies$", "y", name).removesuffix("s")
        item = show(m[2][1:-1]) if in_key else shown
        choices = _choices(here, key=in_key)
        allowed = f"; choose one of {', '.join(choices)}" if choices else ""
        return path, f"unknown {noun.replace('_', ' ')} {item}{allowed}"
    if text == "Invalid RFC3339 encoded date":
        return path, f"{shown} is not a real date (YYYY-MM-DD)"
    if m := re.fullmatch(r"Expected `([^`]*)`(.*?)(?:, got `\w+`)?", text, re.S):
        kinds = [k for k in m[1].split(" | ") if k != "null"] or ["null"]
        if m[2] == " of length >= 1":
            return path, "must not be empty" if kinds == ["str"] else "must list at least one"
        if m[2].startswith(" matching regex"):
            pattern = m[2][16:]
            form = _FORMS.get(pattern, f"text matching {pattern}")
            return path, f"{shown} is not {form}"
        wanted = " or ".join(_WORDS.get(k, k) for k in kinds)
        return path, f"expected {wanted}{m[2]}, got {shown}"
    return path, text[:1].lower() + text[1:]


def _members(t: mi.Type | None) -> tuple[mi.Type, ...]:
    if isinstance(t, mi.UnionType):
        return t.types
    return () if t is None else (t,)


def _type_at(t: mi.Type, where: str) -> mi.Type | None:
    """The type msgspec's `$.a.b[0]` points at inside `t`, or None where it cannot tell."""
    found: mi.Type | None = t
    for key, _ in _SEGMENT.findall(where.removeprefix("$")):
        found = _inside(found, key)
    return found


def _inside(t: mi.Type | None, key: str) -> mi.Type | None:
    """A field's type (key), or a list item's or a dict value's (no key)."""
    for member in _members(t):
        if key and isinstance(member, mi.StructType):
            return next((f.type for f in member.fields if f.encode_name == key), None)
        if not key and isinstance(member, mi.ListType | mi.DictType):
            return member.item_type if isinstance(member, mi.ListType) else member.value_type
    return None


def _struct_of(t: mi.Type | None) -> mi.StructType | None:
    return next((m for m in _members(t) if isinstance(m, mi.StructType)), None)


def _choices(t: mi.Type | None, *, key: bool) -> list[str]:
    """The values a Literal allows (for a dict: its keys' values), as text."""
    if key:
        t = next((m.key_type for m in _members(t) if isinstance(m, mi.DictType)), None)
    return [str(v) for m in _members(t) if isinstance(m, mi.LiteralType) for v in m.values]


def _unknown_field(name: str, struct: mi.StructType | None) -> str:
    """What is allowed where an unknown field was sent: a field of the same name deeper
    in (sent at the wrong level), a near spelling, and the fields that belong here."""
    if struct is None:
        near = difflib.get_close_matches(name, _field_names_of_records(), n=1, cutoff=0.75)
        return "unknown field" + (f"; did you mean {near[0]!r}?" if near else "")
    here = [f.encode_name for f in struct.fields]
    deeper = _path_to_field(struct, name)
    if deeper:
        return f"not a field here: {name} belongs inside {deeper}"
    near = difflib.get_close_matches(name, here, n=1, cutoff=0.75)
    hint = f"did you mean {near[0]!r}? " if near else ""
    return f"unknown field; {hint}fields here: {', '.join(here)}"


def _path_to_field(struct: mi.StructType, name: str, depth: int = 3) -> str | None:
    """Where below `struct` a field `name` lives (`plan`, `plan.owner`), if anywhere."""
    if depth == 0:
        return None
    for f in struct.fields:
        inner = f.type
        for _ in range(2):  # through a list or a dict to the struct it holds
            inner = _inside(inner, "") or inner
        child = _struct_of(inner)
        if child is None:
            continue
        if any(g.encode_name == name for g in child.fields):
            return f.encode_name
        below = _path_to_field(child, name, depth - 1)
        if below:
            return f"{f.encode_name}.{below}"
    return None


def _field_names(cls: type[msgspec.Struct]) -> set[str]:
    return {*cls.__struct_encode_fields__}.union(*map(_field_names, cls.__subclasses__()))


@cache
def _field_names_of_records() -> list[str]:
    """Every field name of every struct in event data, for "did you mean". Worked out on
    first use, when the event types and the envelope (cpworkflow.vocabulary.envelope) are all
    defined."""
    return sorted(_field_names(Record))
