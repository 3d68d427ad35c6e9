"""The reading commands: show, history, audit, verify (export is `cli.export`; the
caseload's due and cases are `cli.caseload`)."""

from __future__ import annotations

import click

from cpworkflow.cli.completion import complete_case_id
from cpworkflow.cli.support import (
    EXIT_CODES,
    App,
    Progress,
    case_id_value,
    emit,
    json_option,
    parse_date,
    pass_app,
    point,
    point_options,
)
from cpworkflow.errors import (
    BadInputError,
    IntegrityError,
)
from cpworkflow.reports import tables as render


@click.command()
@click.argument("case_id", shell_complete=complete_case_id, callback=case_id_value)
@point_options
@json_option
@pass_app
def show(
    app: App,
    case_id: str,
    as_of: str | None,
    known_at: str | None,
    at_seq: int | None,
    as_json: bool,
) -> None:
    """Stage, plan, categories, people and obligations, as the case stood then.

    \b
    Example:
      cpw show C1001
      cpw show C1001 --as-of 2025-03-01 --json
    """
    emit(app.reads.show(case_id, point(as_of, known_at, at_seq)), as_json, render.show)


@click.command()
@click.argument("case_id", shell_complete=complete_case_id, callback=case_id_value)
@point_options
@json_option
@pass_app
def history(
    app: App,
    case_id: str,
    as_of: str | None,
    known_at: str | None,
    at_seq: int | None,
    as_json: bool,
) -> None:
    """The timeline: seq, dates, type, actor, stage after; retractions and waivers marked.

    \b
    Example:
      cpw history C1001 --known-at 2025-03-01T09:00:00Z
    """
    emit(app.reads.history(case_id, point(as_of, known_at, at_seq)), as_json, render.history)


@click.command()
@click.argument("case_id", shell_complete=complete_case_id, callback=case_id_value)
@click.option("--as-of", metavar="DATE", help="What had happened by then, as known now.")
@json_option
@pass_app
def audit(app: App, case_id: str, as_of: str | None, as_json: bool) -> None:
    """Compliance report: each obligation met, late or open; waivers; retractions; integrity.

    \b
    Example:
      cpw audit C1001 --json > C1001-audit.json
      cpw audit C1001 --as-of 2025-06-30
    """
    report = app.reads.audit(case_id, parse_date(as_of, "--as-of"))
    emit(report, as_json, render.audit)
    if not report["integrity"]["ok"]:
        raise SystemExit(EXIT_CODES[IntegrityError])


@click.command()
@click.argument("case_id", required=False, shell_complete=complete_case_id, callback=case_id_value)
@click.option("--checkpoint", "checkpoint_file", help="Also prove the log grew from this one.")
@click.option("--public-key", "public_key_file", help="The key that signed --checkpoint.")
@json_option
@pass_app
def verify(
    app: App,
    case_id: str | None,
    checkpoint_file: str | None,
    public_key_file: str | None,
    as_json: bool,
) -> None:
    """Check the hash chain, sequence and replay of one case or all, and the append-only
    triggers; with --checkpoint, that the log is an append-only extension of the signed
    one (exit 4 on any failure).

    \b
    Example:
      cpw verify
      cpw verify C1001 --json
      cpw verify --checkpoint checkpoints/2026-06-30.txt --public-key audit-2026.pub
    """
    if (checkpoint_file is None) != (public_key_file is None):
        raise BadInputError("give --checkpoint and --public-key together", field="--checkpoint")
    cases = 1 if case_id else len(app.service.case_ids())
    with Progress(cases, "verifying", every=1000) as tick:
        problems = app.service.verify(case_id, progress=tick)
    # The database's own guards belong to the whole store: checked when verifying it all.
    guards = [] if case_id else app.service.store.guards_off()
    report: dict[str, object] = {"ok": not problems and not guards, "problems": problems}
    if guards:
        report["guards"] = guards
    if checkpoint_file is not None and public_key_file is not None:
        from cpworkflow.cli import trust  # the signature code, only for --checkpoint

        signed = trust.checkpoint_report(app, checkpoint_file, public_key_file)
        report["checkpoint"] = signed
        report["ok"] = bool(report["ok"]) and bool(signed["ok"])
    emit(report, as_json, render.verify)
    if not report["ok"]:
        raise SystemExit(EXIT_CODES[IntegrityError])
