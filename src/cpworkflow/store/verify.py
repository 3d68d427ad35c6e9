"""Re-checking the per-case hash chain: the first bad seq of each case, and what is wrong.

Walking a case's rows in seq order, at the n-th row (which should be seq n):
- `seq_gap`: the row is not seq n, so seq n is missing (an event was deleted);
- `out_of_order`: the row's content does not give its stored hash, but would at another
  seq of the case (events were swapped or moved);
- `payload_edited`: the row's content does not give its stored hash at any seq;
- `chain_broken`: the row's prev_hash is not the previous row's hash.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from cpworkflow.store.canonical import GENESIS
from cpworkflow.store.rows import row_hash


@dataclass(frozen=True)
class IntegrityProblem:
    """What verify found wrong with one case: the first bad seq and its kind."""

    case_id: str
    seq: int | None
    kind: str
    message: str


def problems(rows: Iterable[Mapping[str, Any]]) -> Iterator[IntegrityProblem]:
    """At most one problem per case, for rows ordered by (case_id, seq)."""
    for _, case_rows in groupby(rows, key=lambda row: str(row["case_id"])):
        problem = first_problem(list(case_rows))
        if problem is not None:
            yield problem


def first_problem(rows: Sequence[Mapping[str, Any]]) -> IntegrityProblem | None:
    """The first bad seq of one case's rows (in seq order), or None if the chain holds."""
    previous = GENESIS
    for expected, row in enumerate(rows, start=1):
        case_id, seq = str(row["case_id"]), int(row["seq"])
        at = f"case {case_id} seq {expected}"
        if seq != expected:
            return IntegrityProblem(
                case_id,
                expected,
                "seq_gap",
                f"{at} is missing: the next stored event is seq {seq} (an event was deleted).",
            )
        if row_hash(row) != row["hash"]:
            written_at = _written_at(row, rows)
            if written_at is not None:
                return IntegrityProblem(
                    case_id,
                    seq,
                    "out_of_order",
                    f"{at} holds the event written as seq {written_at} (events were reordered).",
                )
            return IntegrityProblem(
                case_id,
                seq,
                "payload_edited",
                f"{at} does not match its hash: it was edited after it was written.",
            )
        if row["prev_hash"] != previous:
            link = f"the hash of seq {seq - 1}" if seq > 1 else "the genesis hash (64 zeros)"
            return IntegrityProblem(
                case_id, seq, "chain_broken", f"{at} does not link to {link}: the chain is broken."
            )
        previous = str(row["hash"])
    return None


def _written_at(row: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> int | None:
    """The seq at which this row's content gives its stored hash, if any other."""
    for other in rows:
        candidate = int(other["seq"])
        if candidate != int(row["seq"]) and row_hash(row, seq=candidate) == row["hash"]:
            return candidate
    return None
