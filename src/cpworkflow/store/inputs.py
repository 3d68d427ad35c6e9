"""What the store accepts. Everything is checked, and encoded canonically, before a
transaction opens, so bad input never leaves anything partial behind. Each error names the
field (`events[2].data.child.ref`, or `batches[1].events[0].key` for a multi-case batch)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cpworkflow.errors import BadInputError
from cpworkflow.records import NewEvent
from cpworkflow.store.canonical import NotCanonicalError, encode, encode_plain, format_timestamp
from cpworkflow.store.limits import MAX_CASE_ID, MAX_KEY, MAX_NAME
from cpworkflow.vocabulary.envelope import EVENT_TYPES

MAX_JSON_BYTES = 1024 * 1024  # each of actor, data and decision, as canonical UTF-8 JSON
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Prepared:
    """A checked event with its actor, data and decision as canonical JSON text."""

    event: NewEvent
    actor: str
    data: str
    decision: str


@dataclass(frozen=True, slots=True)
class Batch:
    """One case's checked events and the version the caller expects it to be at."""

    case_id: str
    events: tuple[Prepared, ...]
    expected_version: int | None
    where: str  # prefix for field names: "" or "batches[3]."


def text(value: object, field: str, limit: int) -> str:
    """A non-empty string of at most `limit` characters, without control characters."""
    if not isinstance(value, str):
        raise BadInputError(f"must be a string, not {type(value).__name__}", field=field)
    if not value.strip():
        raise BadInputError("must not be blank", field=field)
    if len(value) > limit:
        raise BadInputError(f"must be at most {limit} characters", field=field)
    if not (value.isascii() and value.isprintable()) and _CONTROL.search(value):
        raise BadInputError("must not contain control characters", field=field)
    return value


def case_id(value: object, field: str = "case_id") -> str:
    return text(value, field, MAX_CASE_ID)


def count(value: object, field: str, minimum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadInputError(f"must be an integer, not {type(value).__name__}", field=field)
    if value < minimum:
        raise BadInputError(f"must be {minimum} or more", field=field)
    return value


def day(value: object, field: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise BadInputError(f"must be a date, not {type(value).__name__}", field=field)
    return value


def moment(value: object, field: str) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise BadInputError("must be a timezone-aware datetime", field=field)
    return value


def json_text(value: Any, field: str, *, plain: bool = False) -> str:
    """`value` as canonical JSON text; `plain`: the caller knows it is inside the domain
    `canonical.encode_plain` asks for (the builtins of a struct `plain_struct` vouches for)."""
    if not isinstance(value, dict):
        raise BadInputError(f"must be a JSON object, not {type(value).__name__}", field=field)
    try:
        encoded = encode_plain(value) if plain else encode(value)
    except NotCanonicalError as err:
        raise BadInputError(err.reason, field=err.located(field)) from None
    # A character is at most 4 bytes of UTF-8: only a long text needs its bytes counted.
    if len(encoded) * 4 > MAX_JSON_BYTES and len(encoded.encode("utf-8")) > MAX_JSON_BYTES:
        raise BadInputError(f"is larger than {MAX_JSON_BYTES} bytes as canonical JSON", field=field)
    return encoded


def event(
    value: object, owner: str, field: str, *, plain: tuple[bool, bool] = (False, False)
) -> Prepared:
    """The event checked and encoded. `plain`: its actor, and its data, are known to be
    the builtins of structs `canonical.plain_struct` vouches for (`json_text`)."""
    if not isinstance(value, NewEvent):
        raise BadInputError(f"must be a NewEvent, not {type(value).__name__}", field=field)
    if value.case_id != owner:
        raise BadInputError(f"is {value.case_id!r}, not {owner!r}", field=f"{field}.case_id")
    name = text(value.type, f"{field}.type", MAX_NAME)
    if name not in EVENT_TYPES:
        raise BadInputError(f"{name!r} is not an event type", field=f"{field}.type")
    day(value.occurred_on, f"{field}.occurred_on")
    count(value.schema_version, f"{field}.schema_version", 1)
    text(value.policy, f"{field}.policy", MAX_NAME)
    text(value.policy_version, f"{field}.policy_version", MAX_NAME)
    if value.key is not None:
        text(value.key, f"{field}.key", MAX_KEY)
    return Prepared(
        event=value,
        actor=json_text(value.actor, f"{field}.actor", plain=plain[0]),
        data=json_text(value.data, f"{field}.data", plain=plain[1]),
        decision=json_text(value.decision, f"{field}.decision"),
    )


def batch(owner: object, events: object, expected: object, where: str = "") -> Batch:
    """Check one case's batch: case id, expected version, every event, keys unique."""
    cid = case_id(owner, f"{where}case_id")
    if expected is not None:
        count(expected, f"{where}expected_version", 0)
    if not isinstance(events, Sequence) or isinstance(events, str | bytes):
        raise BadInputError("must be a sequence of NewEvent", field=f"{where}events")
    if not events:
        raise BadInputError("must hold at least one event", field=f"{where}events")
    prepared = tuple(event(e, cid, f"{where}events[{i}]") for i, e in enumerate(events))
    seen: dict[str, int] = {}
    for index, item in enumerate(prepared):
        key = item.event.key
        if key is not None and key in seen:
            raise BadInputError(
                f"repeats the key of events[{seen[key]}]", field=f"{where}events[{index}].key"
            )
        if key is not None:
            seen[key] = index
    return Batch(cid, prepared, expected if isinstance(expected, int) else None, where)


# A load's filters, checked: case id, to_seq, occurred on or before, and recorded at or
# before as the stored text.
Loading = tuple[str, int | None, date | None, str | None]


def loading(
    owner: object, to_seq: object, occurred_on_or_before: object, recorded_at_or_before: object
) -> Loading:
    """`EventStore.load`'s arguments, checked."""
    cid = case_id(owner)
    seq = None if to_seq is None else count(to_seq, "to_seq", 0)
    on = (
        None
        if occurred_on_or_before is None
        else day(occurred_on_or_before, "occurred_on_or_before")
    )
    known_at = None
    if recorded_at_or_before is not None:
        known_at = format_timestamp(moment(recorded_at_or_before, "recorded_at_or_before"))
    return cid, seq, on, known_at
