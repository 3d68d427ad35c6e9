"""The event envelope, and the public face of the event vocabulary (DOMAIN.md §3).

`parse_envelope` and `decode_data` turn JSON (or builtins) into typed events; anything
malformed is a `BadInputError` naming the field (`data.chair.role`) and the value.
`to_json_data` gives back only what was said, for the store. The event types themselves
are in `cpworkflow.vocabulary.event_types` (re-exported here); reading input and explaining
msgspec's errors is in `cpworkflow.vocabulary.decoding`.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from typing import Any, cast

import msgspec
import msgspec.inspect as mi
from msgspec import field

from cpworkflow.errors import BadInputError
from cpworkflow.vocabulary import ids
from cpworkflow.vocabulary.child_facts import ChildBorn, ChildDetailsRecorded, LegalStatusRecorded
from cpworkflow.vocabulary.decoding import convert, read_json, show
from cpworkflow.vocabulary.event_types import (
    EVENT_TYPES,
    SCHEMA_VERSION,
    AgenciesNotified,
    AgencyReportReceived,
    AssessmentCompleted,
    AssessmentStarted,
    CaseClosed,
    CaseOpened,
    CaseReopened,
    ChildInNeedMeetingHeld,
    ChildInNeedPlanCirculated,
    ChildInNeedPlanRecorded,
    ChildProtectionPlanEnded,
    ChildVisited,
    CoreGroupMeetingHeld,
    FinalChildInNeedReviewHeld,
    InitialConferenceConvened,
    InitialConferenceHeld,
    OutcomesRecorded,
    ReflectiveDiscussionHeld,
    ReviewConferenceConvened,
    ReviewConferenceHeld,
    StrategyMeetingHeld,
)
from cpworkflow.vocabulary.handling import (
    DissentRecorded,
    EntryRetracted,
    IroManagerAuditCompleted,
    ManagementAdviceSought,
    RuleWaived,
    StaffAssigned,
)
from cpworkflow.vocabulary.json_input import keys_all_distinct, without_export_metadata
from cpworkflow.vocabulary.people import Person, Record, Text

__all__ = [
    "EVENT_TYPES",
    "SCHEMA_VERSION",
    "AgenciesNotified",
    "AgencyReportReceived",
    "AssessmentCompleted",
    "AssessmentStarted",
    "CaseClosed",
    "CaseOpened",
    "CaseReopened",
    "ChildBorn",
    "ChildDetailsRecorded",
    "ChildInNeedMeetingHeld",
    "ChildInNeedPlanCirculated",
    "ChildInNeedPlanRecorded",
    "ChildProtectionPlanEnded",
    "ChildVisited",
    "CoreGroupMeetingHeld",
    "DissentRecorded",
    "EntryRetracted",
    "Envelope",
    "FinalChildInNeedReviewHeld",
    "InitialConferenceConvened",
    "InitialConferenceHeld",
    "IroManagerAuditCompleted",
    "LegalStatusRecorded",
    "ManagementAdviceSought",
    "OutcomesRecorded",
    "ReflectiveDiscussionHeld",
    "ReviewConferenceConvened",
    "ReviewConferenceHeld",
    "RuleWaived",
    "StaffAssigned",
    "StrategyMeetingHeld",
    "check_dates",
    "decode_data",
    "describe_events",
    "event_json_schema",
    "parse_envelope",
    "read_envelope",
    "to_json_data",
]


class Envelope(msgspec.Struct, frozen=True, kw_only=True):
    """One event on its way in: who says what happened to which case, and when."""

    case_id: str
    type: str
    occurred_on: dt.date
    actor: Person
    data: msgspec.Struct
    key: str | None = None


class _Wire(Record):
    case_id: Text
    type: Text
    occurred_on: dt.date
    actor: Person
    data: Any = field(default_factory=dict)  # decoded by type next, as `data.…`
    key: Text | None = None

    def __post_init__(self) -> None:  # the id rule, cpworkflow.vocabulary.ids
        ids.require(self.case_id, "case_id")
        if self.key is not None:
            ids.require(self.key, "key", ids.MAX_KEY)


def parse_envelope(raw: bytes | str | Mapping[str, Any]) -> Envelope:
    """One envelope from JSON text or builtins; `BadInputError` names what is wrong."""
    value = raw if isinstance(raw, Mapping) else read_json(raw)
    if not isinstance(value, Mapping):
        raise BadInputError(f"expected one JSON object (the envelope), got {show(value)}")
    wire = convert(dict(value), _Wire, "")
    data = decode_data(wire.type, wire.data)
    return Envelope(
        case_id=wire.case_id,
        type=wire.type,
        occurred_on=wire.occurred_on,
        actor=wire.actor,
        data=data,
        key=wire.key,
    )


_DECODER = msgspec.json.Decoder()


def read_envelope(raw: bytes | str) -> Envelope:
    """`parse_envelope(without_export_metadata(raw))`, with one reading of the JSON where
    it can: a document msgspec reads as an object, with no key repeated, nothing nested
    deeper than a full reading allows and no `stored` object, is exactly what that full
    reading would hand `parse_envelope` (the same decoder's value), so it is handed on as
    it is. Anything else takes the full reading, which says what is wrong."""
    try:
        value = _DECODER.decode(raw)
    except (msgspec.DecodeError, RecursionError, ValueError):
        value = None
    if type(value) is dict and "stored" not in value and keys_all_distinct(raw, value):
        return parse_envelope(value)
    return parse_envelope(without_export_metadata(raw))


def check_dates(envelope: Envelope) -> Envelope:
    """A new event's own dates in order: the child born, and the referral made, no later
    than the event that records them (so never in the future either, as G-CHRONOLOGY keeps
    the event out of it). For `record` and `import`; a stored log is never re-judged."""
    if type(envelope.data) in _UNDATED:  # no child, referral or birth date: none is late
        return envelope
    return _check_dated(envelope)


def _check_dated(envelope: Envelope) -> Envelope:
    """`check_dates`, every date read (the definition)."""
    data = envelope.data
    child, referral = getattr(data, "child", None), getattr(data, "referral", None)
    dated = {
        "data.child.birth_date": getattr(child, "birth_date", None),
        "data.referral.date": getattr(referral, "date", None),
        "data.birth_date": data.birth_date if isinstance(data, ChildBorn) else None,
    }
    for where, day in dated.items():
        if isinstance(day, dt.date) and day > envelope.occurred_on:
            message = f"{day} is after the event's own date ({envelope.occurred_on})"
            raise BadInputError(message, field=where)
    return envelope


# The event types whose data has none of the dates `check_dates` reads (a struct has no
# attribute but its class's, so `getattr` finds None in each of these).
_UNDATED = frozenset(
    cls
    for cls in EVENT_TYPES.values()
    if cls is not ChildBorn and not hasattr(cls, "child") and not hasattr(cls, "referral")
)


def decode_data(event_type: str, raw: object) -> msgspec.Struct:
    """An event's data (JSON builtins) as its type's Struct; error fields start `data`."""
    cls = EVENT_TYPES.get(event_type)
    if cls is None:
        near = difflib.get_close_matches(event_type, EVENT_TYPES, n=1)
        hint = f"did you mean {near[0]!r}? " if near else ""
        message = f"unknown event type {show(event_type)}; {hint}(see `cpw events`)"
        raise BadInputError(message, field="type")
    return convert(dict(raw) if isinstance(raw, Mapping) else raw, cls, "data")


def to_json_data(struct: msgspec.Struct) -> dict[str, Any]:
    """JSON builtins of a decoded struct: dates as YYYY-MM-DD, defaults left out."""
    return cast(dict[str, Any], msgspec.to_builtins(struct))


def describe_events() -> list[dict[str, Any]]:
    """Each event type with its summary and fields (name, type text, required)."""
    return [
        {
            "type": name,
            "schema_version": SCHEMA_VERSION[name],
            "summary": (cls.__doc__ or "").strip(),
            "fields": [
                {"name": f.encode_name, "type": _type_text(f.type), "required": f.required}
                for f in cast(mi.StructType, mi.type_info(cls)).fields
            ],
        }
        for name, cls in EVENT_TYPES.items()
    ]


def event_json_schema() -> dict[str, Any]:
    """A JSON Schema (2020-12) of the envelope, each type's data under `$defs`."""
    types = [_Wire, *EVENT_TYPES.values()]
    _, defs = msgspec.json.schema_components(types, ref_template="#/$defs/{name}")
    envelope = defs.pop("_Wire")
    envelope["properties"]["type"] = {"enum": list(EVENT_TYPES)}
    envelope["properties"]["data"] = {"type": "object"}
    envelope["oneOf"] = [
        {"properties": {"type": {"const": name}, "data": {"$ref": f"#/$defs/{name}"}}}
        for name in EVENT_TYPES
    ]
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **envelope}
    return {**schema, "title": "cpworkflow event envelope", "$defs": defs}


def _type_text(t: mi.Type) -> str:
    """A field's type as `cpw events` prints it."""
    if isinstance(t, mi.StructType):
        return "person" if t.cls is Person else t.cls.__name__
    if isinstance(t, mi.ListType):
        return f"[{_type_text(t.item_type)}]"
    if isinstance(t, mi.DictType):
        return f"{{{_type_text(t.key_type)}: {_type_text(t.value_type)}}}"
    if isinstance(t, mi.LiteralType):
        return " | ".join(str(v) for v in t.values)
    if isinstance(t, mi.UnionType):
        return " | ".join(_type_text(m) for m in t.types if not isinstance(m, mi.NoneType))
    return type(t).__name__.removesuffix("Type").lower()
