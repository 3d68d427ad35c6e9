"""The reading commands: show, history, due, audit, verify (export is `cli.export`)."""

from __future__ import annotations

import click

from cpworkflow.cli.support import (
    EXIT_CODES,
    App,
    Progress,
    emit,
    json_option,
    parse_date,
    pass_app,
    point,
    point_options,
)
from cpworkflow.errors import (
    IntegrityError,
)
from cpworkflow.reports import tables as render
from cpworkflow.vocabulary.people import ROLES


@click.command()
@click.argument("case_id")
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
@click.argument("case_id")
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
@click.option("--as-of", metavar="DATE", help="Evaluate as of this date (default today).")
@click.option("--overdue", is_flag=True, help="Only what is overdue.")
@click.option("--case", "case_id", help="Only this case.")
@click.option("--role", type=click.Choice(ROLES), help="Only obligations owned by this role.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV on stdout.")
@json_option
@pass_app
def due(
    app: App,
    as_of: str | None,
    overdue: bool,
    case_id: str | None,
    role: str | None,
    as_csv: bool,
    as_json: bool,
) -> None:
    """Open obligations across the caseload, soonest first.

    \b
    Example:
      cpw due --overdue --role social_worker
      cpw due --as-of 2025-06-30 --csv > due.csv
    """
    rows = app.reads.due(parse_date(as_of, "--as-of"), overdue, case_id, role)
    if as_csv:
        click.echo(
            render.csv_text(rows, ("case_id", "rule", "due", "status", "owner_role")), nl=False
        )
    else:
        emit(rows, as_json, render.due)


@click.command()
@click.argument("case_id")
@json_option
@pass_app
def audit(app: App, case_id: str, as_json: bool) -> None:
    """Compliance report: each obligation met, late or open; waivers; retractions; integrity.

    \b
    Example:
      cpw audit C1001 --json > C1001-audit.json
    """
    report = app.reads.audit(case_id)
    emit(report, as_json, render.audit)
    if not report["integrity"]["ok"]:
        raise SystemExit(EXIT_CODES[IntegrityError])


@click.command()
@click.argument("case_id", required=False)
@json_option
@pass_app
def verify(app: App, case_id: str | None, as_json: bool) -> None:
    """Check the hash chain, sequence and replay of one case or all (exit 4 on failure).

    \b
    Example:
      cpw verify
      cpw verify C1001 --json
    """
    cases = 1 if case_id else len(app.service.case_ids())
    with Progress(cases, "verifying", every=1000) as tick:
        problems = app.service.verify(case_id, progress=tick)
    # The database's own guards belong to the whole store: checked when verifying it all.
    guards = [] if case_id else app.service.store.guards_off()
    report: dict[str, object] = {"ok": not problems and not guards, "problems": problems}
    if guards:
        report["guards"] = guards
    emit(report, as_json, render.verify)
    if not report["ok"]:
        raise SystemExit(EXIT_CODES[IntegrityError])
