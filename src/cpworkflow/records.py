"""The shape of an event as the store keeps it: the envelope plus what the decision computed.

These records are the only types shared by the domain and the store. They carry plain
JSON-able builtins (str, int, bool, None, list, dict; no floats), never domain objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

JsonObject = dict[str, Any]


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event decided and ready to append. `decision` holds what the decision computed
    (stage after, obligations opened and met, waivers used) so replay never re-judges."""

    case_id: str
    type: str
    occurred_on: date
    actor: JsonObject
    data: JsonObject
    schema_version: int
    policy: str
    policy_version: str
    decision: JsonObject
    key: str | None = None


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as stored: the new event plus seq, position, recorded_at and the hash chain."""

    case_id: str
    seq: int
    position: int
    type: str
    occurred_on: date
    recorded_at: datetime
    actor: JsonObject
    data: JsonObject
    schema_version: int
    policy: str
    policy_version: str
    decision: JsonObject
    key: str | None
    prev_hash: str
    hash: str


class FoldEvent(NamedTuple):
    """A stored event as the fold reads it (and its schema version, for upcasting), without
    its place in the log: what `--as-of` reads of the events it folds (store/fold_rows.py)."""

    case_id: str
    seq: int
    type: str
    occurred_on: date
    actor: JsonObject
    data: JsonObject
    decision: JsonObject
    schema_version: int
    policy: str
    policy_version: str


def timestamp_text(moment: datetime) -> str:
    """A recorded_at as the store keeps and hashes it: `YYYY-MM-DDTHH:MM:SS.ffffffZ`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class CaseView:
    """A case's read-model rows as replay gives them: its summary (one row) and its open
    obligations (one row each), plain JSON-able values. The store writes them with the
    events they derive from, adding the log position they reflect."""

    case_id: str
    summary: JsonObject
    obligations: tuple[JsonObject, ...]
