"""Read models: a case as it stood (`show`), its timeline (`history`), the caseload's
open obligations (`due`). Plain dicts in the JSON shapes of PRODUCT.md."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from cpworkflow.lifecycle.case import Case
from cpworkflow.lifecycle.obligation import DateTexts
from cpworkflow.policy.workingdays import WorkingCalendar
from cpworkflow.records import StoredEvent, timestamp_text
from cpworkflow.reports.audit import obligation_row

Json = dict[str, Any]


def show(case: Case, as_of: date, calendar: WorkingCalendar) -> Json:
    """The case as it stands: stage, plan, people and its obligations evaluated as of
    `as_of`: open and overdue first (with the working days overdue), then those missed
    (their time ran out unmet, as the audit counts them), then those met. A timescale that
    lapsed without being needed is in the audit only."""
    text = DateTexts().__getitem__
    rows = [obligation_row(o, calendar, as_of, text) for o in case.obligations.values()]
    shown = [r for r in rows if r["status"] != "lapsed" or r.get("missed")]
    order = {"overdue": 0, "open": 0, "lapsed": 1, "met_late": 2, "met": 2}
    obligations = sorted(shown, key=lambda r: (order[r["status"]], r["due"], r["id"]))
    return {
        "case_id": case.case_id,
        "stage": case.stage,
        "stage_since": _iso(case.stage_since),
        "version": case.version,
        "policy": case.policy,
        "policy_version": case.policy_version,
        "as_of": as_of.isoformat(),
        "child": {k: v for k, v in case.child.items() if k in ("ref", "birth_date")},
        "categories": list(case.categories),
        "plan": {
            "started_on": _iso(case.plan_started_on),
            "ended_on": _iso(case.plan_ended_on),
            "review_conferences_held": case.rcpcs_held,
            "cin_plan": case.cin_plan,
        },
        "people": case.people(),
        "pending_waivers": sorted(case.pending_waivers),
        "obligations": obligations,
    }


def history(events: Sequence[StoredEvent], case: Case) -> list[Json]:
    """The timeline; retracted entries and waivers used are marked."""
    return [
        {
            "seq": e.seq,
            "type": e.type,
            "occurred_on": e.occurred_on.isoformat(),
            "recorded_at": timestamp_text(e.recorded_at),
            "actor": e.actor,
            "stage_after": e.decision.get("stage_after"),
            "retracted": e.seq in case.retracted,
            "waived_rules": list(e.decision.get("waived", ())),
            "retracts": e.data.get("seq") if e.type == "EntryRetracted" else None,
            "policy": f"{e.policy} {e.policy_version}",
        }
        for e in events
    ]


def due_rows(
    cases: Iterable[Case], as_of: date, *, overdue_only: bool = False, role: str | None = None
) -> list[Json]:
    """Open obligations across cases, soonest first."""
    rows = []
    for case in cases:
        for ob in case.open_obligations():
            status = ob.status(as_of)
            if overdue_only and status != "overdue":
                continue
            if role is not None and ob.owner_role != role:
                continue
            rows.append(
                {
                    "case_id": case.case_id,
                    "rule": ob.rule,
                    "due": ob.due.isoformat(),
                    "status": status,
                    "owner_role": ob.owner_role,
                    "stage": case.stage,
                }
            )
    return sorted(rows, key=lambda r: (r["due"], r["case_id"], r["rule"]))


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None
