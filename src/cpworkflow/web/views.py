"""What each page shows, built from the Reads API: plain dicts for the templates. No SQL
and no rules here; what a rule decides is read from what the engine recorded."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from cpworkflow.errors import BadInputError
from cpworkflow.reads import Reads
from cpworkflow.service import PointInTime

Json = dict[str, Any]
# An entry is flagged as recorded late when the system learned of it more than this many
# calendar days after it happened, or when it was placed before an entry already recorded.
LATE_RECORDING_DAYS = 5
CHAIN_KINDS = frozenset({"seq_gap", "out_of_order", "payload_edited", "chain_broken"})


def age(child: Json, on: date) -> str:
    """The child's age on a date, in years (months under two); never a name."""
    born = child.get("birth_date")
    if not born:
        return "not yet born" if child.get("expected_birth_date") else "not recorded"
    birth = date.fromisoformat(str(born))
    if birth > on:
        return "not yet born"
    months = (on.year - birth.year) * 12 + on.month - birth.month - (on.day < birth.day)
    return f"{months} months" if months < 24 else f"{months // 12} years"


def timeline(reads: Reads, case_id: str, rows: list[Json]) -> list[Json]:
    """The history rows with each event's data (as indented JSON) and the late flags."""
    data = {e.seq: e.data for e in reads.service.events(case_id)}
    latest: date | None = None
    out = []
    for row in sorted(rows, key=lambda r: r["seq"]):
        occurred = date.fromisoformat(row["occurred_on"])
        recorded = datetime.fromisoformat(row["recorded_at"].replace("Z", "+00:00")).date()
        lag = (recorded - occurred).days
        out.append(
            {
                **row,
                "data_json": json.dumps(data.get(row["seq"], {}), indent=2, ensure_ascii=False),
                "recorded_after_days": lag,
                "late": lag > LATE_RECORDING_DAYS,
                "out_of_order": latest is not None and occurred < latest,
            }
        )
        latest = occurred if latest is None else max(latest, occurred)
    return out


def overdue_by(reads: Reads, policy: str, due: str, on: date) -> int:
    """Working days past `due` on `on`, by the case's pack's calendar."""
    calendar = reads.service.policies(policy).calendar()
    return int(calendar.working_days_between(date.fromisoformat(due), on))


def obligations(reads: Reads, shown: Json, on: date) -> list[Json]:
    """The obligations of the case as shown, each with a plain-words status."""
    rows = []
    for o in shown["obligations"]:
        row = dict(o)
        if o["status"] == "overdue":
            row.setdefault(
                "overdue_by_working_days", overdue_by(reads, shown["policy"], o["due"], on)
            )
        row["words"] = status_words(row)
        rows.append(row)
    return rows


def status_words(o: Json) -> str:
    status = o["status"]
    if status == "met":
        return f"met on {o['met_on']}"
    if status == "met_late":
        return f"met on {o['met_on']}, late by {o['late_by_working_days']} working days"
    if status == "overdue":
        return f"open, overdue by {o.get('overdue_by_working_days', '?')} working days"
    if status == "lapsed" and o.get("missed") is False:
        return f"no longer due: its stage ended on {o['lapsed_on']}, before the due date"
    if status == "lapsed":
        return f"missed: still unmet when its stage ended on {o['lapsed_on']}"
    return "open"


def point_words(point: PointInTime) -> str | None:
    """The banner above a case seen at a point in time."""
    if point.as_of is not None:
        return (
            f"As of {point.as_of.isoformat()}: what had happened by that date, as known now "
            "(later retractions applied)."
        )
    if point.known_at is not None:
        moment = point.known_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"As known at {moment}: only what the system had been told by then."
    return None


def integrity(problems: list[Json]) -> list[Json]:
    """The audit's integrity status, one line per check `cpw verify` makes of a case: the
    hash chain, replay through the lifecycle, and the read models against replay."""
    kinds = {"replay": "Replay through the lifecycle", "read_model": "Read models"}
    checks: dict[str, list[Json]] = {"Hash chain and sequence": []}
    checks.update({name: [] for name in kinds.values()})
    for problem in problems:
        name = "Hash chain and sequence" if problem["kind"] in CHAIN_KINDS else None
        checks.setdefault(name or kinds.get(problem["kind"], "Other checks"), []).append(problem)
    return [{"check": name, "ok": not found, "problems": found} for name, found in checks.items()]


def web_field(err: BadInputError) -> BadInputError:
    """A message the Reads API words for the command line (`--worker: ...`) names the
    page's parameter instead (`worker: ...`)."""
    if err.field is None or not err.field.startswith("--"):
        return err
    message = str(err).removeprefix(f"{err.field}: ")
    return BadInputError(message, field=err.field[2:].replace("-", "_"))
