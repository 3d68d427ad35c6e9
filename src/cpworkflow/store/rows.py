"""Between records and table rows: a checked event becomes a hashed row; a row read back
becomes a StoredEvent, or an IntegrityError naming case and seq if it cannot be read."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import msgspec

from cpworkflow.errors import IntegrityError
from cpworkflow.records import StoredEvent
from cpworkflow.store.canonical import (
    chain_hash,
    decode_object,
    encode,
    parse_timestamp,
    raw_hash,
)
from cpworkflow.store.inputs import Prepared

# A checked event as the row's parts before its place in the chain: case id, type, occurred
# on, schema version, policy, policy version, key, then actor, data and decision as
# canonical JSON text. Plain values: cheap to hand from one process to another.
Parts = tuple[str, str, date, int, str, str, str | None, str, str, str]


def parts(item: Prepared) -> Parts:
    """A checked event's parts."""
    e = item.event
    return (
        e.case_id,
        e.type,
        e.occurred_on,
        e.schema_version,
        e.policy,
        e.policy_version,
        e.key,
        item.actor,
        item.data,
        item.decision,
    )


def new_row(item: Prepared, seq: int, recorded_at: str, prev_hash: str) -> dict[str, Any]:
    """The row to insert for a checked event, with its place in the chain."""
    return row_of(parts(item), seq, recorded_at, prev_hash)


def row_of(p: Parts, seq: int, recorded_at: str, prev_hash: str) -> dict[str, Any]:
    """The row to insert for a checked event's parts, with its place in the chain. Its
    hash is `raw_hash` of the parts (`chain_hash`'s, without building and ordering the
    hashed object's dict each time: tests/unit/test_reread.py holds the two equal), or,
    where that leaves it to the definition (a lone surrogate in a scalar), `chain_hash`."""
    case_id, type_, day, schema_version, policy, policy_version, key, actor, data, decision = p
    occurred_on = day.isoformat()
    digest = raw_hash(
        case_id,
        seq,
        type_,
        occurred_on,
        recorded_at,
        schema_version,
        policy,
        policy_version,
        key,
        prev_hash,
        msgspec.Raw(actor.encode("utf-8")),
        msgspec.Raw(data.encode("utf-8")),
        msgspec.Raw(decision.encode("utf-8")),
    )
    if digest is None:
        digest = _chain_hash(p, seq, recorded_at, prev_hash)
    return {
        "case_id": case_id,
        "seq": seq,
        "type": type_,
        "occurred_on": day,
        "recorded_at": recorded_at,
        "schema_version": schema_version,
        "policy": policy,
        "policy_version": policy_version,
        "key": key,
        "prev_hash": prev_hash,
        "actor": actor,
        "data": data,
        "decision": decision,
        "hash": digest,
    }


def _chain_hash(p: Parts, seq: int, recorded_at: str, prev_hash: str) -> str:
    """The definition: `chain_hash` of the parts at their place in the chain."""
    case_id, type_, day, schema_version, policy, policy_version, key, actor, data, decision = p
    scalars: dict[str, str | int | None] = {
        "case_id": case_id,
        "seq": seq,
        "type": type_,
        "occurred_on": day.isoformat(),
        "recorded_at": recorded_at,
        "schema_version": schema_version,
        "policy": policy,
        "policy_version": policy_version,
        "key": key,
        "prev_hash": prev_hash,
    }
    return chain_hash(scalars, {"actor": actor, "data": data, "decision": decision})


def stored_event(row: Mapping[str, Any]) -> StoredEvent:
    """A row as the StoredEvent it records."""
    try:
        return StoredEvent(
            case_id=str(row["case_id"]),
            seq=int(row["seq"]),
            position=int(row["position"]),
            type=str(row["type"]),
            occurred_on=_day(row["occurred_on"]),
            recorded_at=_moment(str(row["recorded_at"])),
            actor=_object(row["actor"]),
            data=_object(row["data"]),
            schema_version=int(row["schema_version"]),
            policy=str(row["policy"]),
            policy_version=str(row["policy_version"]),
            decision=_object(row["decision"]),
            key=None if row["key"] is None else str(row["key"]),
            prev_hash=str(row["prev_hash"]),
            hash=str(row["hash"]),
        )
    except (ValueError, TypeError) as err:
        problem = f"the stored event cannot be read ({type(err).__name__})"
        raise IntegrityError(str(row["case_id"]), int(row["seq"]), problem) from None


def row_hash(row: Mapping[str, Any], seq: int | None = None) -> str | None:
    """The hash the row's stored content gives (as if at `seq`, if given); None if the
    content is no longer valid canonical data at all."""
    try:
        scalars: dict[str, str | int | None] = {
            "case_id": str(row["case_id"]),
            "seq": int(row["seq"] if seq is None else seq),
            "type": str(row["type"]),
            "occurred_on": _day(row["occurred_on"]).isoformat(),
            "recorded_at": str(row["recorded_at"]),
            "schema_version": int(row["schema_version"]),
            "policy": str(row["policy"]),
            "policy_version": str(row["policy_version"]),
            "key": None if row["key"] is None else str(row["key"]),
            "prev_hash": str(row["prev_hash"]),
        }
        encoded = {name: encode(_object(row[name])) for name in ("actor", "data", "decision")}
    except (ValueError, TypeError):
        return None
    return chain_hash(scalars, encoded)


@lru_cache(maxsize=4096)  # a case's events share few days, an import's one recorded_at
def _moment(text: str) -> datetime:
    return parse_timestamp(text)


@lru_cache(maxsize=4096)
def _day(value: object) -> date:
    """occurred_on is selected as text on SQLite; psycopg hands PostgreSQL's date over as is."""
    if isinstance(value, date):
        return value
    parsed = date.fromisoformat(str(value))
    if parsed.isoformat() != value:
        raise ValueError(f"{value!r} is not a YYYY-MM-DD date")
    return parsed


def _object(text: object) -> dict[str, Any]:
    value = decode_object(str(text))
    if not isinstance(value, dict):
        raise TypeError("not a JSON object")
    return value
