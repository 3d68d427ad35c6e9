"""The lifecycle and self-documentation commands: diagram, rules, events, policies."""

from __future__ import annotations

from pathlib import Path

import click

from cpworkflow.cli.support import (
    App,
    emit,
    json_option,
    pass_app,
)
from cpworkflow.errors import (
    BadInputError,
)
from cpworkflow.reports import tables as render


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot", "svg", "png"]),
    default="mermaid",
    show_default=True,
)
@click.option("--case", "case_id", help="Highlight this case's path and current stage.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to a file.")
@click.option(
    "--write-all", type=click.Path(file_okay=False), help="Regenerate the committed diagrams here."
)
@pass_app
def diagram(
    app: App, fmt: str, case_id: str | None, output: str | None, write_all: str | None
) -> None:
    """The case lifecycle, drawn from the transition table itself.

    \b
    Example:
      cpw diagram --format mermaid
      cpw diagram --case C1001 --format svg -o C1001.svg
    """
    from cpworkflow.reports import diagrams

    if write_all is not None:
        for written in diagrams.write_all(Path(write_all)):
            click.echo(f"wrote {written}")
        return
    path: list[tuple[str | None, str, str]] = []
    current = None
    if case_id is not None:
        case, events = app.service.case(case_id)
        path, current = diagrams.path_of(events), case.stage
    text = (
        diagrams.dot(path, current)
        if fmt in ("dot", "svg", "png")
        else diagrams.mermaid(path, current)
    )
    body: bytes = (
        diagrams.render(text, "svg" if fmt == "svg" else "png")
        if fmt in ("svg", "png")
        else text.encode()
    )
    if output is not None:
        Path(output).write_bytes(body)
        click.echo(f"wrote {output}", err=True)
    elif fmt == "png":
        raise BadInputError("PNG is binary: give -o FILE", field="--format")
    else:
        click.echo(body.decode(), nl=False)


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

    emit(selfdoc.rules(policy), as_json, render.rules)


@click.command()
@json_option
def events(as_json: bool) -> None:
    """Every event type: its fields, and the stages that accept it.

    \b
    Example:
      cpw events --json
    """
    from cpworkflow.reports import selfdoc

    emit(selfdoc.events(), as_json, render.events)


@click.command()
@json_option
def policies(as_json: bool) -> None:
    """The policy packs, their versions and what differs.

    \b
    Example:
      cpw policies
    """
    from cpworkflow.reports import selfdoc

    emit(selfdoc.policies(), as_json, render.policies)
