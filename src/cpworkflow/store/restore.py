"""Restore: an exported log (`cpw export --format jsonl`) loaded into an empty store with its
history intact. Every stored field comes back byte for byte — seq, recorded_at, the
decision, the key, prev_hash and hash — so `--known-at` answers and hashes are the same in
the new store as in the old one. Every chain is verified on the way in (the same check as
`verify`, store/verify.py); a line that breaks one is refused naming the case and seq, and
nothing is written.

Positions are given in the order the events were recorded (`recorded_at`, then file
order), so the new store's global order follows the old one's commit order.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from cpworkflow.errors import BadInputError, IntegrityError
from cpworkflow.store import inputs
from cpworkflow.store.canonical import parse_timestamp
from cpworkflow.store.tables import MAX_KEY, MAX_NAME
from cpworkflow.store.verify import first_problem
from cpworkflow.vocabulary.json_input import RepeatedKeyError, unique_keys

Row = dict[str, Any]
_STORED = ("seq", "recorded_at", "schema_version", "policy", "policy_version", "decision")


def _line_row(value: Any) -> Row:
    """One exported line as the row the store had."""
    if not isinstance(value, Mapping):
        raise BadInputError("expected one JSON object (an exported event)")
    stored = value.get("stored")
    if not isinstance(stored, Mapping):
        raise BadInputError(
            "must be an object: restore needs what `cpw export` wrote (use `cpw import` for"
            " new envelopes)",
            field="stored",
        )
    for name in (*_STORED, "prev_hash", "hash"):
        if name not in stored:
            raise BadInputError("is missing", field=f"stored.{name}")
    recorded_at = str(stored["recorded_at"])
    try:
        parse_timestamp(recorded_at)
    except ValueError:
        raise BadInputError(
            "is not YYYY-MM-DDTHH:MM:SS.ffffffZ", field="stored.recorded_at"
        ) from None
    try:
        occurred_on = date.fromisoformat(str(value.get("occurred_on")))
    except ValueError:
        raise BadInputError("is not a date (YYYY-MM-DD)", field="occurred_on") from None
    key = value.get("key")
    return {
        "case_id": inputs.case_id(value.get("case_id")),
        "seq": inputs.count(stored["seq"], "stored.seq", 1),
        "type": inputs.text(value.get("type"), "type", MAX_NAME),
        "occurred_on": occurred_on,
        "recorded_at": recorded_at,
        "actor": inputs.json_text(value.get("actor"), "actor"),
        "data": inputs.json_text(value.get("data"), "data"),
        "decision": inputs.json_text(stored["decision"], "stored.decision"),
        "schema_version": inputs.count(stored["schema_version"], "stored.schema_version", 1),
        "policy": inputs.text(stored["policy"], "stored.policy", MAX_NAME),
        "policy_version": inputs.text(stored["policy_version"], "stored.policy_version", MAX_NAME),
        "key": None if key is None else inputs.text(key, "key", MAX_KEY),
        "prev_hash": inputs.text(stored["prev_hash"], "stored.prev_hash", 64),
        "hash": inputs.text(stored["hash"], "stored.hash", 64),
    }


def rows(lines: Iterable[bytes | str]) -> list[Row]:
    """The rows of an exported file, checked; errors name the line, chain breaks the case
    and seq."""
    found: list[Row] = []
    lines_of: dict[tuple[str, int], int] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = _line_row(json.loads(line, object_pairs_hook=unique_keys))
        except (BadInputError, RepeatedKeyError) as err:
            raise BadInputError(str(err), line=number) from None
        except RecursionError:
            raise BadInputError("not valid JSON: nested too deeply", line=number) from None
        except (ValueError, UnicodeDecodeError) as err:
            raise BadInputError(f"not valid JSON ({str(err)[:60]})", line=number) from None
        if (row["case_id"], row["seq"]) in lines_of:
            first = lines_of[(row["case_id"], row["seq"])]
            raise BadInputError(
                f"case {row['case_id']} seq {row['seq']} is also on line {first}", line=number
            )
        lines_of[(row["case_id"], row["seq"])] = number
        found.append(row)
    if not found:
        raise BadInputError("the file has no events", field="FILE")
    _check_chains(found, lines_of)
    return sorted(found, key=lambda row: str(row["recorded_at"]))  # stable: file order


def _check_chains(found: list[Row], lines_of: Mapping[tuple[str, int], int]) -> None:
    by_case: dict[str, list[Row]] = {}
    for row in found:
        by_case.setdefault(row["case_id"], []).append(row)
    for case_id, case_rows in by_case.items():
        ordered = sorted(case_rows, key=lambda row: int(row["seq"]))
        problem = first_problem(
            [{**row, "occurred_on": row["occurred_on"].isoformat()} for row in ordered]
        )
        if problem is not None:
            seq = problem.seq if problem.seq is not None else 0
            line = lines_of.get((case_id, seq))
            where = f" (line {line})" if line is not None else ""
            raise IntegrityError(case_id, problem.seq, f"{problem.kind}{where}: {problem.message}")
