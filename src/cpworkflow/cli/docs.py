"""The lifecycle and self-documentation commands: diagram, rules, events, policies."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cpworkflow.cli.completion import complete_case_id, complete_event_type
from cpworkflow.cli.support import (
    App,
    case_id_value,
    emit,
    json_option,
    pass_app,
    point,
    point_options,
    today,
)
from cpworkflow.errors import (
    BadInputError,
)
from cpworkflow.reports import doc_text

if TYPE_CHECKING:
    from cpworkflow.service import PointInTime


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot", "svg", "png"]),
    help="Default: what the -o file's extension says (.mmd .dot .gv .svg .png), else mermaid.",
)
@click.option(
    "--case",
    "case_id",
    shell_complete=complete_case_id,
    callback=case_id_value,
    help="Highlight this case's path and current stage.",
)
@point_options
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to a file.")
@click.option(
    "--write-all", type=click.Path(file_okay=False), help="Regenerate the committed diagrams here."
)
@pass_app
def diagram(
    app: App,
    fmt: str | None,
    case_id: str | None,
    as_of: str | None,
    known_at: str | None,
    at_seq: int | None,
    output: str | None,
    write_all: str | None,
) -> None:
    """The case lifecycle, drawn from the transition table itself, top-down, with a title
    and a legend. With --case, that case's steps are numbered by their seq in `cpw
    history`, the edges it took lit and its stage filled (as it stood at --as-of,
    --known-at or --at-seq, if given). SVG and PNG need Graphviz; binary output goes to
    stdout only when that is not a terminal.

    \b
    Example:
      cpw diagram --case C1001 -o C1001.svg
      cpw diagram --case C1001 --as-of 2025-06-01 --format png > C1001.png
      cpw diagram -o lifecycle.mmd
    """
    from cpworkflow.reports import diagrams

    if write_all is not None:
        for written in diagrams.write_all(Path(write_all)):
            click.echo(f"wrote {written}")
        return
    fmt = diagrams.format_of(output, fmt)
    if output is None and fmt == "png" and sys.stdout.isatty():
        raise BadInputError(
            "PNG is binary: give -o FILE.png or send stdout to a file (> FILE.png)",
            field="--format",
        )
    path: list[diagrams.Step] = []
    current, title = None, diagrams.TITLE
    if case_id is not None:
        moment = point(as_of, known_at, at_seq)
        case, events = app.service.case(case_id, moment)
        path, current = diagrams.path_of(events), case.stage
        title = diagrams.case_title(
            case_id, f"{case.policy} {case.policy_version}", _as_of_text(moment)
        )
    elif (as_of, known_at, at_seq) != (None, None, None):
        raise BadInputError("--as-of, --known-at and --at-seq need --case", field="--case")
    body = diagrams.picture(fmt, path, current, title)
    if output is not None:
        Path(output).write_bytes(body)
        click.echo(f"wrote {output}", err=True)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()


def _as_of_text(moment: PointInTime) -> str:
    if moment.at_seq is not None:
        return f"seq {moment.at_seq}"
    if moment.known_at is not None:
        return f"what was known at {moment.known_at:%Y-%m-%dT%H:%M:%SZ}"
    return str(moment.as_of or today())


@click.command()
@click.option("--policy", default="default", show_default=True, help="Pack id or a .toml file.")
@json_option
def rules(policy: str, as_json: bool) -> None:
    """Every guard and timescale with its source, as the pack sets it.

    \b
    Example:
      cpw rules --policy sefton
    """
    from cpworkflow.reports import selfdoc

    emit(selfdoc.rules(policy), as_json, doc_text.rules)


@click.command()
@click.argument("event_type", metavar="[TYPE]", required=False, shell_complete=complete_event_type)
@click.option("--template", is_flag=True, help="Print example data for TYPE that record takes.")
@click.option("--json-schema", is_flag=True, help="Print the JSON Schema of an envelope.")
@click.option("--policy", default="default", show_default=True, help="Whose roles to show.")
@json_option
def events(
    event_type: str | None, template: bool, json_schema: bool, policy: str, as_json: bool
) -> None:
    """Every event type: what it records, where it is allowed, who may record it, and each
    field's type, whether required and the values it allows. With TYPE, that one, with the
    structures its fields hold (a CinPlan, an Action, ...).

    \b
    Example:
      cpw events
      cpw events ReviewConferenceHeld
      cpw events ReviewConferenceHeld --template > rcpc.json
      cpw record C1001 ReviewConferenceHeld --data-file rcpc.json --on 2025-04-22 \\
          --actor iro-7 --role cp_chair
      cpw events --json-schema > envelope.schema.json
    """
    from cpworkflow.reports import selfdoc

    if template and json_schema:
        raise BadInputError("give one of --template or --json-schema", field="--template")
    if json_schema:
        click.echo(json.dumps(selfdoc.json_schema(), indent=2))
    elif template:
        if event_type is None:
            raise BadInputError("name the event type: cpw events TYPE --template", field="TYPE")
        click.echo(json.dumps(selfdoc.template(event_type), indent=2))
    else:
        emit(selfdoc.events(event_type, policy), as_json, doc_text.events)


@click.command()
@json_option
def policies(as_json: bool) -> None:
    """The policy packs, their versions and what differs.

    \b
    Example:
      cpw policies
    """
    from cpworkflow.reports import selfdoc

    emit(selfdoc.policies(), as_json, doc_text.policies)
