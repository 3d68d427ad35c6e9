"""The compliance report an inspector reads: stage timeline, every obligation (met, late
by N working days, lapsed unmet, open or overdue), waivers and retractions with who and
why, dissent, and whether the log's integrity holds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from cpworkflow.lifecycle.case import Case
from cpworkflow.lifecycle.facts import ENDED_BY_CONFERENCE
from cpworkflow.lifecycle.obligation import Obligation
from cpworkflow.policy.workingdays import WorkingCalendar
from cpworkflow.records import StoredEvent, timestamp_text

Json = dict[str, Any]


def audit(
    case: Case,
    events: Sequence[StoredEvent],
    problems: Sequence[Json],
    calendar: WorkingCalendar,
    as_of: date,
) -> Json:
    """`calendar` only measures how far an open obligation is overdue today; every due date
    and every lateness of a met obligation is the one stored when it was decided."""
    obligations = [obligation_row(o, calendar, as_of) for o in _ordered(case)]
    counts: dict[str, int] = {}
    for row in obligations:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return {
        "case_id": case.case_id,
        "stage": case.stage,
        "version": case.version,
        "policy": case.policy,
        "as_of": as_of.isoformat(),
        "integrity": {"ok": not problems, "problems": list(problems)},
        "timeline": _timeline(events),
        "obligations": obligations,
        "summary": dict(sorted(counts.items())),
        "waivers": _waivers(events),
        "retractions": _retractions(events),
        "dissent": _dissent(events),
        "policies_in_force": sorted({f"{e.policy} {e.policy_version}" for e in events}),
    }


def _ordered(case: Case) -> list[Obligation]:
    return sorted(case.obligations.values(), key=lambda o: (o.due, o.opened_seq, o.rule))


def obligation_row(
    ob: Obligation,
    calendar: WorkingCalendar,
    as_of: date,
    text: Callable[[date], str] = date.isoformat,
) -> Json:
    """A lapsed obligation is missed when its time ran out unmet; one that belongs to a
    conference (T-BEDROOM, T-REPORTS, …) is always missed when the conference came while it
    was open, never "not needed": late by the working days from its due date to the
    conference, or 0 if the conference came first (DOMAIN.md §5 T-BEDROOM)."""
    row = ob.to_json(as_of, text)
    if row["status"] == "overdue":
        row["overdue_by_working_days"] = calendar.working_days_between(ob.due, as_of)
    if ob.lapsed_on is not None and ob.met_on is None:
        missed = ob.rule in ENDED_BY_CONFERENCE or ob.lapsed_on > ob.due
        row["missed"] = missed
        if missed:
            row["late_by_working_days"] = calendar.working_days_between(ob.due, ob.lapsed_on)
    return row


def _actor(e: StoredEvent) -> str:
    return f"{e.actor.get('id')} ({e.actor.get('role')})"


def _timeline(events: Sequence[StoredEvent]) -> list[Json]:
    stage: str | None = None
    rows = []
    for e in events:
        after = e.decision.get("stage_after")
        if after != stage or e.type == "CaseOpened":
            rows.append(
                {
                    "seq": e.seq,
                    "occurred_on": e.occurred_on.isoformat(),
                    "recorded_at": timestamp_text(e.recorded_at),
                    "type": e.type,
                    "from": stage,
                    "to": after,
                    "actor": _actor(e),
                }
            )
            stage = after
    return rows


def _waivers(events: Sequence[StoredEvent]) -> list[Json]:
    """Each waiver, who recorded and authorised it, why, and which event it let through."""
    rows = []
    for e in events:
        if e.type != "RuleWaived":
            continue
        rule = e.data.get("rule")
        after = [later for later in events if later.seq > e.seq]
        used_by = next((later.seq for later in after if _spends(later, e, rule)), None)
        first = next((later for later in after if later.type != "RuleWaived"), None)
        if used_by is None and first is not None and "waivers_spent" not in first.decision:
            # A decision stored before revision 2: the next event spent every waiver.
            used_by = first.seq if rule in first.decision.get("waived", ()) else None
        rows.append(
            {
                "seq": e.seq,
                "rule": rule,
                "reason": e.data.get("reason"),
                "authorised_by": e.data.get("authorised_by"),
                "recorded_by": _actor(e),
                "occurred_on": e.occurred_on.isoformat(),
                "used_by_seq": used_by,
            }
        )
    return rows


def _spends(later: StoredEvent, waiver: StoredEvent, rule: object) -> bool:
    """The event that spent the waiver: the next one its rule judged, as its decision says
    (`waivers_spent`)."""
    spent = later.decision.get("waivers_spent") or {}
    return bool(spent.get(str(rule)) == waiver.seq)


def _retractions(events: Sequence[StoredEvent]) -> list[Json]:
    types = {e.seq: e.type for e in events}
    return [
        {
            "seq": e.seq,
            "retracted_seq": e.data.get("seq"),
            "retracted_type": types.get(int(e.data.get("seq", 0))),
            "reason": e.data.get("reason"),
            "recorded_by": _actor(e),
            "occurred_on": e.occurred_on.isoformat(),
        }
        for e in events
        if e.type == "EntryRetracted"
    ]


def _dissent(events: Sequence[StoredEvent]) -> list[Json]:
    rows = []
    for e in events:
        if e.type == "DissentRecorded":
            rows.append(
                {
                    "seq": e.seq,
                    "agency": e.data.get("agency"),
                    "about": e.data.get("about"),
                    "reason": e.data.get("reason"),
                }
            )
        for entry in e.data.get("dissent", ()) or ():
            rows.append(
                {
                    "seq": e.seq,
                    "agency": entry.get("agency"),
                    "about": e.type,
                    "reason": entry.get("reason"),
                }
            )
    return rows
