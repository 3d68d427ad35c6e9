"""Plain-text rendering of the read models for a terminal: aligned tables, short lines."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

Json = Mapping[str, Any]


def table(rows: Sequence[Sequence[object]], headers: Sequence[str]) -> str:
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines)


def csv_text(rows: Sequence[Json], fields: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=list(fields), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _obligation_rows(obligations: Sequence[Json]) -> list[list[object]]:
    return [
        [o["rule"], o["due"], o["status"], o.get("met_on") or "", _late(o), o["owner_role"]]
        for o in obligations
    ]


def _late(o: Json) -> str:
    if o.get("status") == "lapsed":
        if not o.get("missed"):
            return "not needed"
        late = o.get("late_by_working_days")
        return f"missed, {late} wd late" if late else "missed"
    if o.get("late_by_working_days"):
        return f"{o['late_by_working_days']} wd late"
    if o.get("overdue_by_working_days"):
        return f"{o['overdue_by_working_days']} wd overdue"
    return ""


OBLIGATION_HEADERS = ("RULE", "DUE", "STATUS", "MET ON", "LATE", "OWNER")


def show(view: Json) -> str:
    people = ", ".join(f"{role} {p.get('id')}" for role, p in view["people"].items()) or "none"
    lines = [
        f"Case {view['case_id']}: stage {view['stage']} since {view['stage_since']} "
        f"(version {view['version']}, policy {view['policy']} {view['policy_version']})",
        f"Categories: {', '.join(view['categories']) or 'none'}",
        f"People: {people}",
    ]
    lines += _plan(view["plan"])
    if view["pending_waivers"]:
        lines.append(f"Waivers pending for the next event: {', '.join(view['pending_waivers'])}")
    lines.append(f"Obligations as of {view['as_of']}:")
    # Met on time is history: counted, not listed (the audit lists each one).
    listed = [o for o in view["obligations"] if o["status"] != "met"]
    on_time = len(view["obligations"]) - len(listed)
    if listed:
        lines.append(table(_obligation_rows(listed), OBLIGATION_HEADERS))
    elif not on_time:
        lines.append("  none")
    if on_time:
        lines.append(f"{on_time} more met on time (cpw audit {view['case_id']} lists every one)")
    return "\n".join(lines)


def _plan(plan: Json) -> list[str]:
    """The child protection plan's dates and, after a step-down, the CiN plan in full."""
    lines = []
    if plan.get("started_on"):
        held = plan.get("review_conferences_held") or 0
        ended = f", ended {plan['ended_on']}" if plan.get("ended_on") else ""
        lines.append(
            f"Child protection plan: from {plan['started_on']}{ended};"
            f" {held} review conference{'' if held == 1 else 's'} held"
        )
    cin = plan.get("cin_plan")
    if cin:
        lines.append("Child in need plan:")
        lines += [f"  outcome: {o}" for o in cin.get("outcomes", ())]
        lines += [f"  action: {_action(a)}" for a in cin.get("actions", ())]
        if cin.get("contingency"):
            lines.append(f"  contingency: {cin['contingency']}")
        rhythm = [
            f"{label} every {cin[key]} weeks"
            for key, label in (
                ("visiting_interval_weeks", "visits"),
                ("review_interval_weeks", "reviews"),
            )
            if cin.get(key)
        ]
        if cin.get("first_meeting_date"):
            rhythm.insert(0, f"first meeting {cin['first_meeting_date']}")
        if rhythm:
            lines.append(f"  {'; '.join(rhythm)}")
    return lines


def _action(a: Json) -> str:
    owner = a.get("owner")
    who = owner.get("id") if isinstance(owner, dict) else owner
    when = f"every {a['every_weeks']} weeks" if a.get("every_weeks") else f"by {a.get('due')}"
    return f"{a.get('action')} ({who}, {when})"


def history(rows: Sequence[Json]) -> str:
    body = [
        [
            r["seq"],
            r["occurred_on"],
            r["recorded_at"][:19].replace("T", " "),
            r["type"] + (" [retracted]" if r["retracted"] else ""),
            f"{r['actor'].get('id')} ({r['actor'].get('role')})",
            r["stage_after"],
            ", ".join(r["waived_rules"]),
        ]
        for r in rows
    ]
    return table(body, ("SEQ", "OCCURRED", "RECORDED (UTC)", "TYPE", "ACTOR", "STAGE", "WAIVED"))


def due(rows: Sequence[Json]) -> str:
    if not rows:
        return "Nothing due."
    body = [[r["case_id"], r["rule"], r["due"], r["status"], r["owner_role"]] for r in rows]
    return table(body, ("CASE", "RULE", "DUE", "STATUS", "OWNER"))


def audit(report: Json) -> str:
    integrity = report["integrity"]
    lines = [
        f"Audit of case {report['case_id']} as of {report['as_of']}: stage {report['stage']}, "
        f"{report['version']} events, policies {', '.join(report['policies_in_force'])}",
        "Integrity: "
        + ("hash chain, sequence and replay verified" if integrity["ok"] else "FAILED"),
    ]
    lines += [f"  {p['kind']} at seq {p['seq']}: {p['message']}" for p in integrity["problems"]]
    lines.append("\nStage timeline:")
    lines.append(
        table(
            [
                [t["seq"], t["occurred_on"], t["type"], t["from"] or "-", t["to"], t["actor"]]
                for t in report["timeline"]
            ],
            ("SEQ", "OCCURRED", "EVENT", "FROM", "TO", "BY"),
        )
    )
    lines.append("\nObligations:")
    lines.append(table(_obligation_rows(report["obligations"]), OBLIGATION_HEADERS))
    summary = ", ".join(f"{k} {v}" for k, v in report["summary"].items())
    lines.append(f"Summary: {summary or 'no obligations'}")
    lines.append("\nWaivers:")
    lines += [
        f"  seq {w['seq']}: {w['rule']} waived by {w['recorded_by']}, authorised by "
        f"{(w['authorised_by'] or {}).get('id')}: {w['reason']} (used by seq {w['used_by_seq']})"
        for w in report["waivers"]
    ] or ["  none"]
    lines.append("\nRetractions:")
    lines += [
        f"  seq {r['seq']} retracts seq {r['retracted_seq']} ({r['retracted_type']}) by "
        f"{r['recorded_by']}: {r['reason']}"
        for r in report["retractions"]
    ] or ["  none"]
    lines.append("\nDissent:")
    lines += [
        f"  seq {d['seq']}: {d['agency']} about {d['about']}: {d['reason']}"
        for d in report["dissent"]
    ] or ["  none"]
    return "\n".join(lines)


def recorded(r: Json) -> str:
    head = f"{r['case_id']}: {r['type']} recorded as seq {r['seq']}; stage {r['stage']}"
    if r["duplicate"]:
        head = f"{r['case_id']}: key already recorded as seq {r['seq']}; nothing written"
    lines = [head]
    if r["waived_rules"]:
        lines.append(f"waived: {', '.join(r['waived_rules'])}")
    lines += [_met(m) for m in r["met"]]
    lines += [_fell_due(o) for o in r["fell_due"]]
    return "\n".join(lines)


def _met(m: Json) -> str:
    line = f"met: {m['id'].split(':', 1)[1]} on {m['on']}"
    late = m.get("late_by_working_days")
    return f"{line}, {_working_days(late)} late" if late else line


def _fell_due(o: Json) -> str:
    line = f"due: {o['rule']} by {o['due']} ({o['owner_role']})"
    if o.get("status") == "overdue":
        days = o.get("overdue_by_working_days")
        return f"{line}: already overdue" + (f" by {_working_days(days)}" if days else "")
    return line


def _working_days(n: int) -> str:
    return f"{n} working day{'' if n == 1 else 's'}"


def verify(report: Json) -> str:
    if report["ok"] and "checkpoint" in report:
        signed = report["checkpoint"]
        return (
            "verified: hash chains, sequences and replay are intact; the log of"
            f" {signed['size_now']} events extends the checkpoint of {signed['size']}"
        )
    if report["ok"]:
        return "verified: hash chains, sequences and replay are intact"
    return "\n".join(
        [
            f"INTEGRITY FAILURE: case {p['case_id']} seq {p['seq']}: {p['kind']}: {p['message']}"
            for p in report["problems"]
        ]
        + [f"INTEGRITY FAILURE: {guard}" for guard in report.get("guards", ())]
        + [
            f"INTEGRITY FAILURE: checkpoint: {problem}"
            for problem in report.get("checkpoint", {}).get("problems", ())
        ]
    )
