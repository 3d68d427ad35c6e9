"""The log as a Merkle tree: its leaves (every event's hash, in position order), a
checkpoint of it, the check of today's log against a checkpoint kept elsewhere (RFC 9162
consistency), and a case's events with inclusion proofs an outsider can check offline.

Position order is commit order (eventstore/README.md, "Global order"), so a log that only
grew has the checkpointed tree as a prefix. A removed event (a tail, a whole case), an event
changed and its chain recomputed, or events moved to other positions changes a leaf of that
prefix, and the root no longer matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from cpworkflow.records import StoredEvent, timestamp_text
from cpworkflow.store.merkle import Tree, leaf_hash, verify_consistency
from cpworkflow.store.tables import events

if TYPE_CHECKING:  # the signing code (cryptography) only where a checkpoint is made
    from cpworkflow.store.checkpoint import Checkpoint


@dataclass(frozen=True, slots=True)
class Leaf:
    case_id: str
    seq: int
    hash: str


def leaves(connection: sa.Connection) -> list[Leaf]:
    """Every event's (case_id, seq, hash), in position order."""
    query = sa.select(events.c.case_id, events.c.seq, events.c.hash).order_by(events.c.position)
    result = connection.execution_options(yield_per=10_000).execute(query)
    return [Leaf(str(c), int(s), str(h)) for c, s, h in result]


def tree(log: Sequence[Leaf]) -> Tree:
    hashes = []
    for leaf in log:
        try:
            hashes.append(leaf_hash(bytes.fromhex(leaf.hash)))
        except ValueError:  # a hash edited into something else is still a leaf, and differs
            hashes.append(leaf_hash(leaf.hash.encode()))
    return Tree(hashes)


def checkpoint_of(log: Sequence[Leaf], origin: str) -> Checkpoint:
    from cpworkflow.store.checkpoint import Checkpoint

    return Checkpoint(origin, len(log), tree(log).root())


def against(checkpoint: Checkpoint, log: Sequence[Leaf]) -> tuple[list[str], list[str]]:
    """What is wrong with today's log as an extension of the checkpointed one (empty if it
    is one), and the consistency proof from the checkpoint's size to today's (hex)."""
    then, now = checkpoint.size, len(log)
    if now < then:
        lost = then - now
        return [
            f"the log has {now} events, {lost} fewer than the {then} the checkpoint signed:"
            " events were removed (a case's last events, or a whole case)"
        ], []
    current = tree(log)
    if current.root(then) != checkpoint.root:
        return [
            f"the log's first {then} events no longer give the checkpoint's root: since it"
            " was signed an event was removed, changed (its hash recomputed) or moved"
        ], []
    proof = current.consistency(then)
    if not verify_consistency(then, now, checkpoint.root, current.root(), proof):
        return [f"no consistency proof from {then} to {now} events verifies"], []
    return [], [p.hex() for p in proof]


def case_proof(log: Sequence[Leaf], stored: Sequence[StoredEvent], size: int) -> dict[str, Any]:
    """A case's events with their leaf index and inclusion proof in the tree of the log's
    first `size` events; events recorded later are listed apart (seq only)."""
    current = tree(log)
    index = {(leaf.case_id, leaf.seq): i for i, leaf in enumerate(log)}
    proved, later = [], []
    for event in stored:
        at = index.get((event.case_id, event.seq))
        if at is None or at >= size:
            later.append(event.seq)
            continue
        proved.append(
            {
                "leaf_index": at,
                "row": _row(event),
                "inclusion": [p.hex() for p in current.inclusion(at, size)],
            }
        )
    return {
        "tree_size": size,
        "root": current.root(size).hex(),
        "events": proved,
        "recorded_after_the_checkpoint": later,
    }


def _row(event: StoredEvent) -> dict[str, Any]:
    """The event's 13 hashed members as stored, and its hash (eventstore/README.md)."""
    return {
        "case_id": event.case_id,
        "seq": event.seq,
        "type": event.type,
        "occurred_on": event.occurred_on.isoformat(),
        "recorded_at": timestamp_text(event.recorded_at),
        "actor": event.actor,
        "data": event.data,
        "decision": event.decision,
        "schema_version": event.schema_version,
        "policy": event.policy,
        "policy_version": event.policy_version,
        "key": event.key,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }
