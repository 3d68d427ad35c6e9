"""A repeated idempotency key: the original event, if the repeat says the same thing."""

from __future__ import annotations

from cpworkflow.errors import KeyReusedError
from cpworkflow.records import NewEvent, StoredEvent
from cpworkflow.vocabulary.envelope import Envelope, to_json_data


def same_as_original(envelope: Envelope, original: StoredEvent | NewEvent) -> None:
    """A repeated idempotency key is a repeat only if it says the same thing: same type,
    date, actor and data. Otherwise the new event would silently be lost: KeyReusedError."""
    said = (envelope.type, envelope.occurred_on, to_json_data(envelope.actor))
    stored = (original.type, original.occurred_on, original.actor)
    names = ("type", "occurred_on", "actor")
    differs = [n for n, a, b in zip(names, said, stored, strict=True) if a != b]
    if to_json_data(envelope.data) != original.data:
        differs.append("data")
    if differs:
        seq = original.seq if isinstance(original, StoredEvent) else 0
        raise KeyReusedError(envelope.case_id, str(envelope.key), seq, " and ".join(differs))


def by_key(stored: list[StoredEvent], key: str | None) -> StoredEvent | None:
    """The stored event an idempotency key names, if any."""
    if key is None:
        return None
    return next((e for e in stored if e.key == key), None)
