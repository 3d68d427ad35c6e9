"""The writing commands: init, record, import."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cpworkflow.cli import jsonl
from cpworkflow.cli.completion import complete_case_id, complete_event_type, complete_role
from cpworkflow.cli.support import (
    MAX_LINE_BYTES,
    App,
    Progress,
    WholeNumber,
    emit,
    json_option,
    pass_app,
)
from cpworkflow.errors import (
    BadInputError,
)
from cpworkflow.reports import tables as render
from cpworkflow.vocabulary.json_input import explain, unique_keys

if TYPE_CHECKING:
    from cpworkflow.service import Recorded


@click.command()
@click.option(
    "--roles",
    "make_roles",
    is_flag=True,
    help="PostgreSQL: also create a writer role (INSERT and SELECT on events) and a reader "
    "role (SELECT); run as the owner.",
)
@click.option("--writer-role", default="cpw_writer", show_default=True, help="With --roles.")
@click.option("--reader-role", default="cpw_reader", show_default=True, help="With --roles.")
@pass_app
def init(app: App, make_roles: bool, writer_role: str, reader_role: str) -> None:
    """Create the event store (idempotent), and check its append-only triggers (exit 4 if
    one is missing or disabled).

    \b
    Example:
      cpw --db sqlite:///eventstore/cpworkflow.db init
      cpw --db postgresql+psycopg://owner@db/cases init --roles
    """
    store = app.writer.store
    store.init()
    if make_roles:
        store.create_roles(writer_role, reader_role)
        click.echo(f"roles ready: {writer_role} (insert and read), {reader_role} (read)")
    click.echo(f"store ready: {_redacted(app.db)}")


def _redacted(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def _read_data(data: str | None, data_file: str | None) -> Any:
    if data is not None and data_file is not None:
        raise BadInputError("give one of --data or --data-file, not both", field="--data")
    if data_file is not None:
        field = "--data-file"
        raw = sys.stdin.buffer.read() if data_file == "-" else _read_file(data_file, field)
    else:
        raw, field = (data or "").encode(), "--data"
    if len(raw) > MAX_LINE_BYTES:
        raise BadInputError("is larger than 1 MiB", field=field)
    try:  # UTF-8 only: json.loads would guess UTF-16 or UTF-32 from the bytes
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise BadInputError(f"is not UTF-8 text (byte {err.start})", field=field) from None
    try:
        return json.loads(text, object_pairs_hook=unique_keys, parse_constant=_not_json)
    except RecursionError:
        raise BadInputError("is not valid JSON (nested too deeply)", field=field) from None
    except json.JSONDecodeError as err:
        raise BadInputError(f"is {explain(err)}", field=field) from None
    except ValueError as err:  # a repeated key, NaN or Infinity: their message is whole
        raise BadInputError(f"is not valid JSON ({err})", field=field) from None


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON value")


def _read_file(path: str, field: str = "FILE") -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as err:
        raise BadInputError(f"cannot read {path!r}: {err.strerror}", field=field) from None


@click.command()
@click.argument("case_id", shell_complete=complete_case_id)
@click.argument("event_type", shell_complete=complete_event_type)
@click.option("--data", help="The event's data as JSON (none: an event without required fields).")
@click.option("--data-file", help="Read the data JSON from a file, or - for stdin.")
@click.option("--on", "occurred_on", required=True, help="When it happened (YYYY-MM-DD).")
@click.option("--actor", required=True, help="Who records it (their id).")
@click.option(
    "--role",
    required=True,
    shell_complete=complete_role,
    help="The actor's role, e.g. social_worker (`cpw events TYPE` says who may record it).",
)
@click.option(
    "--expect-version",
    type=WholeNumber(),
    help="Refuse unless the case is at this version (never retried).",
)
@click.option("--key", help="Idempotency key: a repeat returns the original and writes nothing.")
@json_option
@pass_app
def record(
    app: App,
    case_id: str,
    event_type: str,
    data: str | None,
    data_file: str | None,
    occurred_on: str,
    actor: str,
    role: str,
    expect_version: int | None,
    key: str | None,
    as_json: bool,
) -> None:
    """Decide and append one event; print the new stage and what fell due.

    \b
    Example:
      cpw record C1001 ChildVisited --on 2025-02-03 --actor sw1 --role social_worker \\
          --data '{"seen": true, "seen_alone": true}'
      cpw record C1001 OutcomesRecorded --on 2025-02-05 --actor iro-7 --role cp_chair
    """
    no_data = data is None and data_file is None
    envelope: dict[str, Any] = {
        "case_id": case_id,
        "type": event_type,
        "occurred_on": occurred_on,
        "actor": {"id": actor, "role": role},
        "data": _no_data(event_type) if no_data else _read_data(data, data_file),
    }
    if key is not None:
        envelope["key"] = key
    try:
        result = app.writer.record(envelope, expected_version=expect_version)
    except BadInputError as err:
        raise _as_option(err) from None
    emit(_with_lateness(app, result), as_json, render.recorded)


# The envelope's fields that `record` takes as options, named as the user typed them.
OPTIONS = {"occurred_on": "--on", "actor.id": "--actor", "actor.role": "--role"}


def _as_option(err: BadInputError) -> BadInputError:
    option = OPTIONS.get(err.field or "")
    if option is None or err.line is not None:
        return err
    return BadInputError(str(err).removeprefix(f"{err.field}: "), field=option)


def _no_data(event_type: str) -> dict[str, Any]:
    """The data of an event given without --data: nothing, if its type needs nothing."""
    from cpworkflow.reports.selfdoc import required_fields  # only when --data is left out

    required = required_fields(event_type)
    if required:
        fields = ", ".join(required)
        raise BadInputError(
            f"{event_type} needs data with {fields}; `cpw events {event_type} --template`"
            " prints an example to start from",
            field="--data",
        )
    return {}


def _with_lateness(app: App, result: Recorded) -> dict[str, Any]:
    """What `record` prints, saying how late each thing it met was (as decided and stored)
    and how many working days overdue an obligation it opened already is: a conference
    recorded weeks after it was held opens timescales that are already past."""
    summary: dict[str, Any] = app.reads.recorded(result)
    obligations = result.case.obligations
    for met in summary["met"]:
        ob = obligations.get(met["id"])
        met["late_by_working_days"] = ob.late_by_working_days if ob is not None else None
    today = app.service.today()
    calendar = app.service.policies(result.case.policy).calendar()
    for due in summary["fell_due"]:
        overdue = due["status"] == "overdue"
        days = calendar.working_days_between(date.fromisoformat(due["due"]), today)
        due["overdue_by_working_days"] = days if overdue else None
    return summary


@click.command(name="import")
@click.argument("file")
@json_option
@pass_app
def import_(app: App, file: str, as_json: bool) -> None:
    """Append many envelopes from JSON Lines (FILE or - for stdin), all or nothing.

    \b
    Example:
      cpw import eventstore/samples/C1001.jsonl
      cat cases.jsonl | cpw import -
    """
    with jsonl.opened(file) as stream:  # read twice (checked, then decided), never whole
        count = jsonl.checked(stream)
        with Progress(count, "importing", every=10000) as tick:
            result = app.writer.import_lines(jsonl.lines(stream), progress=tick)
    summary = {"events": result.events, "cases": result.cases, "duplicates": result.duplicates}
    emit(
        summary,
        as_json,
        lambda s: (
            f"imported {s['events']} events for {s['cases']} cases"
            + (f" ({s['duplicates']} repeated keys skipped)" if s["duplicates"] else "")
        ),
    )
