"""The events the benchmark writes and replays, built from the committed sample logs
(`eventstore/samples/*.jsonl`: real payloads and the decisions the engine recorded)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from cpworkflow.records import NewEvent, StoredEvent
from cpworkflow.store.canonical import encode, parse_timestamp

SAMPLES = Path(__file__).resolve().parent.parent / "eventstore" / "samples"
Case = tuple[str, list[NewEvent]]


def sample_lines(name: str | None = None) -> list[dict[str, Any]]:
    """The exported sample lines (envelope plus the `stored` object), in file order."""
    files = [SAMPLES / f"{name}.jsonl"] if name else sorted(SAMPLES.glob("*.jsonl"))
    return [json.loads(line) for f in files for line in f.read_text("utf-8").splitlines() if line]


def _new_event(line: dict[str, Any], case_id: str, key: str | None) -> NewEvent:
    stored = line["stored"]
    return NewEvent(
        case_id=case_id,
        type=line["type"],
        occurred_on=date.fromisoformat(line["occurred_on"]),
        actor=line["actor"],
        data=line["data"],
        schema_version=stored["schema_version"],
        policy=stored["policy"],
        policy_version=stored["policy_version"],
        decision=stored["decision"],
        key=key,
    )


def append_cases(
    total: int, per_case: int, *, prefix: str = "B", keyed: bool = False
) -> list[Case]:
    """`total` events over ceil(total / per_case) cases. Each case walks the 79 sample events
    (C1001, C1002, C1003, C1004 as recorded) round and round, under its own case id.
    `keyed`: every event carries an idempotency key, as a client retrying requests would."""
    lines = sample_lines()
    cases: list[Case] = []
    for number, start in enumerate(range(0, total, per_case)):
        cid = f"{prefix}{number:06d}"
        size = min(per_case, total - start)
        cases.append(
            (
                cid,
                [
                    _new_event(lines[i % len(lines)], cid, f"req-{cid}-{i}" if keyed else None)
                    for i in range(size)
                ],
            )
        )
    return cases


def payload_bytes(cases: list[Case]) -> float:
    """Mean canonical size of actor + data + decision, in bytes per event."""
    events = [e for _, evs in cases for e in evs]
    size = sum(len(encode(e.actor)) + len(encode(e.data)) + len(encode(e.decision)) for e in events)
    return size / len(events)


_SHARED = ("case_id", "type", "occurred_on", "actor", "data", "schema_version", "policy")
_SHARED += ("policy_version", "decision", "key")


def stored_log(name: str = "C1001") -> list[StoredEvent]:
    """A sample case's log as the store returns it: every event with its recorded decision."""
    out = []
    for position, line in enumerate(sample_lines(name), start=1):
        stored = line["stored"]
        out.append(
            StoredEvent(
                **{f: getattr(_new_event(line, line["case_id"], None), f) for f in _SHARED},
                seq=stored["seq"],
                position=position,
                recorded_at=parse_timestamp(stored["recorded_at"]),
                prev_hash=stored["prev_hash"],
                hash=stored["hash"],
            )
        )
    return out


def replay_pool(base: list[StoredEvent], copies: int) -> list[list[StoredEvent]]:
    """`copies` copies of a log, each under its own case id (R000000, R000001, ...)."""
    return [[replace(e, case_id=f"R{n:06d}") for e in base] for n in range(copies)]
