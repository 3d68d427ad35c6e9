"""The caseload's read models, computed from a replayed case: one summary row a case and
one row an open obligation (`CaseView`), and what `cpw cases` and `cpw due` print from
them. The store keeps these rows with the events; `verify` recomputes them from replay."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

import msgspec

from cpworkflow.lifecycle.case import Case
from cpworkflow.policy.rulebook import TIMESCALES
from cpworkflow.records import CaseView

if TYPE_CHECKING:
    from cpworkflow.policy.workingdays import WorkingCalendar

Json = dict[str, Any]


class Fact(Protocol):
    """What the team is read from: an event stored, decided or applied."""

    @property
    def type(self) -> str: ...
    @property
    def data(self) -> Mapping[str, Any]: ...


def team_after(team: str | None, event: Fact) -> str | None:
    """The case's team: the latest social worker assignment that names one."""
    if event.type != "StaffAssigned" or not event.data.get("team"):
        return team
    person = event.data.get("person") or {}
    return str(event.data["team"]) if person.get("role") == "social_worker" else team


def team_of(events: Iterable[Fact]) -> str | None:
    """`team_after` over the events (only an assignment can change the team: verify asks
    this of every event it replays)."""
    team: str | None = None
    for event in events:
        if event.type == "StaffAssigned":
            team = team_after(team, event)
    return team


def case_view(case: Case, team: str | None) -> CaseView:
    """The rows the read models hold for `case` as it stands."""
    people = {role: str(person.get("id")) for role, person in sorted(case.people().items())}
    summary = {
        "version": case.version,
        "stage": case.stage,
        "stage_since": _iso(case.stage_since),
        "policy": case.policy,
        "policy_version": case.policy_version,
        "worker": people.get("social_worker"),
        "team": team,
        "categories": ",".join(case.categories),
        "plan_started_on": _iso(case.plan_started_on),
        "people": json.dumps(people, sort_keys=True, separators=(",", ":")),
    }
    obligations = tuple(
        {
            "obligation_id": ob.id,
            "rule": ob.rule,
            "due": ob.due.isoformat(),
            "owner_role": ob.owner_role,
            "owner_id": people.get(ob.owner_role),
            "opened_seq": ob.opened_seq,
            "opened_on": ob.opened_on.isoformat(),
        }
        for ob in sorted(case.open_obligations(), key=lambda o: o.id)
    )
    return CaseView(case.case_id, summary, obligations)


def describe(rule: str) -> str:
    """What an obligation asks, in plain English (the rulebook's summary)."""
    known = TIMESCALES.get(rule)
    return known.summary if known is not None else rule


def due_rows(
    found: Iterable[Mapping[str, Any]],
    as_of: date,
    calendar: Callable[[str], WorkingCalendar],
) -> list[Json]:
    """Open obligations as `cpw due` shows them on `as_of`, `calendar(pack)` counting the
    working days overdue. Status and days depend only on the pack and the due date, the
    description only on the rule: each is worked out once a call, not once a row."""
    timing: dict[tuple[Any, Any], tuple[str, int]] = {}
    described: dict[Any, str] = {}
    rows = []
    for row in found:
        rule, due, key = row["rule"], row["due"], (row["policy"], row["due"])
        if key not in timing:
            timing[key] = _timing(str(row["policy"]), str(due), as_of, calendar)
        status, days = timing[key]
        if rule not in described:
            described[rule] = describe(str(rule))
        rows.append(
            {
                "case_id": row["case_id"],
                "rule": rule,
                "description": described[rule],
                "due": due,
                "status": status,
                "days_overdue": days,
                "owner_role": row["owner_role"],
                "owner_id": row["owner_id"],
                "stage": row["stage"],
            }
        )
    return rows


def _timing(
    pack: str, due: str, as_of: date, calendar: Callable[[str], WorkingCalendar]
) -> tuple[str, int]:
    """`open` (0 days) or `overdue` with the working days from the due date to `as_of`."""
    day = date.fromisoformat(due)
    if day >= as_of:
        return "open", 0
    return "overdue", calendar(pack).working_days_between(day, as_of)


def summary_counts(rows: Iterable[Json]) -> Json:
    """`cpw due --summary`: open and overdue counts per worker and per rule."""
    workers: dict[str, Json] = {}
    rules: dict[str, Json] = {}
    for row in rows:
        worker = str(row["owner_id"] or f"(no {row['owner_role']})")
        for table, name in ((workers, worker), (rules, str(row["rule"]))):
            counts = table.setdefault(name, {"open": 0, "overdue": 0})
            counts["open" if row["status"] == "open" else "overdue"] += 1
    return {"by_worker": dict(sorted(workers.items())), "by_rule": dict(sorted(rules.items()))}


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def case_row(row: Mapping[str, Any]) -> Json:
    """One line of `cpw cases` (and of the web view's caseload) from the read models."""
    return {
        "case_id": row["case_id"],
        "stage": row["stage"],
        "stage_since": row["stage_since"],
        "worker": row["worker"],
        "team": row["team"],
        "policy": row["policy"],
        "people": msgspec.json.decode(row["people"]),  # a fifth of json.loads's time
        "open": int(row["open"]),
        "overdue": int(row["overdue"]),
        "oldest_overdue": row["oldest_overdue"],
        "version": row["version"],
    }
