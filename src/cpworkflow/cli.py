"""`cpw`: a thin command line over CaseService. Each command parses, makes one service
call, and renders. Errors map to exit codes in one place (`main`)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NoReturn

import click
import structlog

from cpworkflow import logs, render
from cpworkflow.errors import (
    BadInputError,
    ConflictError,
    CpwError,
    IntegrityError,
    NotFoundError,
    RefusedError,
)
from cpworkflow.reads import Reads
from cpworkflow.service import CaseService, PointInTime, unique_keys
from cpworkflow.store import EventStore

DEFAULT_DB = "sqlite:///eventstore/cpworkflow.db"
MAX_LINE_BYTES = 1024 * 1024
EXIT_CODES: dict[type[CpwError], int] = {
    RefusedError: 1,
    BadInputError: 2,
    ConflictError: 3,
    IntegrityError: 4,
    NotFoundError: 5,
}
log = structlog.get_logger("cpworkflow.cli")


def today() -> date:
    """The real date, unless CPW_TODAY=YYYY-MM-DD says otherwise (demos and tests)."""
    value = os.environ.get("CPW_TODAY")
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInputError(
            f"{value[:40]!r} is not a date (YYYY-MM-DD)", field="CPW_TODAY"
        ) from None


class App:
    """Opens the store only when a command needs it."""

    def __init__(self, db: str) -> None:
        self.db = db
        self._service: CaseService | None = None

    @property
    def service(self) -> CaseService:
        if self._service is None:
            store = EventStore(self.db)
            store.init()
            self._service = CaseService(store, today=today)
        return self._service

    @property
    def reads(self) -> Reads:
        return Reads(self.service)

    def close(self) -> None:
        """Close the store's connections (PostgreSQL sessions, SQLite files) on the way out."""
        if self._service is not None:
            self._service.store.dispose()
            self._service = None


pass_app = click.make_pass_decorator(App)


def emit(value: Any, as_json: bool, text: Callable[[Any], str]) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False) if as_json else text(value))


def json_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")(f)


def point_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--at-seq", type=click.IntRange(min=1), help="After the first N events.")(f)
    f = click.option(
        "--known-at", metavar="TIMESTAMP", help="What the system had been told by then (UTC)."
    )(f)
    f = click.option("--as-of", metavar="DATE", help="What had happened by then, as known now.")(f)
    return f


def parse_date(value: str | None, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInputError(
            f"{value[:40]!r} is not a real date (YYYY-MM-DD)", field=field
        ) from None


def parse_timestamp(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadInputError(
            f"{value[:40]!r} is not a timestamp (e.g. 2025-03-04T12:00:00Z)", field="--known-at"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def point(as_of: str | None, known_at: str | None, at_seq: int | None) -> PointInTime:
    if sum(x is not None for x in (as_of, known_at, at_seq)) > 1:
        raise BadInputError("give at most one of --as-of, --known-at, --at-seq")
    return PointInTime(
        at_seq=at_seq, as_of=parse_date(as_of, "--as-of"), known_at=parse_timestamp(known_at)
    )


class CpwGroup(click.Group):
    """Maps cpworkflow errors to their exit codes, for `cpw` and for CliRunner alike; a
    usage error is bad input too: one line on stderr, exit 2."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as err:
            usage_error(err)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CpwError as err:
            fail(err)
        except click.UsageError as err:
            usage_error(err)


def usage_error(err: click.UsageError) -> NoReturn:
    """`error: <what is wrong> (see 'cpw COMMAND --help')` on one line, exit 2. Without
    arguments, `cpw` still prints its help."""
    if isinstance(err, click.exceptions.NoArgsIsHelpError) or err.ctx is None:
        raise err
    message = " ".join(err.format_message().split())
    fail(BadInputError(f"{message} (see '{err.ctx.command_path} --help')"))


@click.group(name="cpw", cls=CpwGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    envvar="CPW_DB",
    default=DEFAULT_DB,
    show_default=True,
    help="SQLAlchemy URL (env CPW_DB).",
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="warning",
    show_default=True,
)
@click.version_option(package_name="cpworkflow")
@click.pass_context
def cli(ctx: click.Context, db: str, log_level: str) -> None:
    """cpworkflow: child protection cases as append-only event logs.

    \b
    Example:
      cpw init
      cpw record C1001 CaseOpened --on 2025-01-06 --actor sw1 --role social_worker \\
          --data '{"child": {"ref": "C1001", "birth_date": "2015-04-01"}}'
      cpw show C1001
    """
    logs.configure(log_level)
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(command=ctx.invoked_subcommand)
    ctx.obj = App(db)
    ctx.call_on_close(ctx.obj.close)


@cli.command()
@pass_app
def init(app: App) -> None:
    """Create the event store (idempotent).

    \b
    Example:
      cpw --db sqlite:///eventstore/cpworkflow.db init
    """
    app.service.store.init()
    click.echo(f"store ready: {_redacted(app.db)}")


def _redacted(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def _read_data(data: str | None, data_file: str | None) -> Any:
    if (data is None) == (data_file is None):
        raise BadInputError("give exactly one of --data or --data-file", field="--data")
    if data_file is not None:
        field = "--data-file"
        raw = sys.stdin.buffer.read() if data_file == "-" else _read_file(data_file, field)
    else:
        raw, field = (data or "").encode(), "--data"
    if len(raw) > MAX_LINE_BYTES:
        raise BadInputError("is larger than 1 MiB", field=field)
    try:
        return json.loads(raw, object_pairs_hook=unique_keys, parse_constant=_not_json)
    except (ValueError, UnicodeDecodeError) as err:
        raise BadInputError(f"is not valid JSON ({str(err)[:60]})", field=field) from None


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON value")


def _read_file(path: str, field: str = "FILE") -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as err:
        raise BadInputError(f"cannot read {path!r}: {err.strerror}", field=field) from None


@cli.command()
@click.argument("case_id")
@click.argument("event_type")
@click.option("--data", help="The event's data as JSON.")
@click.option("--data-file", help="Read the data JSON from a file, or - for stdin.")
@click.option("--on", "occurred_on", required=True, help="When it happened (YYYY-MM-DD).")
@click.option("--actor", required=True, help="Who records it (their id).")
@click.option("--role", required=True, help="The actor's role, e.g. social_worker.")
@click.option("--expect-version", type=int, help="Refuse unless the case is at this version.")
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
    """
    envelope: dict[str, Any] = {
        "case_id": case_id,
        "type": event_type,
        "occurred_on": occurred_on,
        "actor": {"id": actor, "role": role},
        "data": _read_data(data, data_file),
    }
    if key is not None:
        envelope["key"] = key
    result = app.service.record(envelope, expected_version=expect_version)
    emit(app.reads.recorded(result), as_json, render.recorded)


@cli.command(name="import")
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
    raw = sys.stdin.buffer.read() if file == "-" else _read_file(file)
    lines = raw.split(b"\n")
    for number, line in enumerate(lines, 1):
        if len(line) > MAX_LINE_BYTES:
            raise BadInputError("the line is longer than 1 MiB", line=number)
    if not any(line.strip() for line in lines):
        raise BadInputError("the file has no envelopes", field="FILE")
    with _progress(len(lines)) as tick:
        result = app.service.import_lines(lines, progress=tick)
    summary = {"events": result.events, "cases": result.cases, "duplicates": result.duplicates}
    emit(
        summary,
        as_json,
        lambda s: (
            f"imported {s['events']} events for {s['cases']} cases"
            + (f" ({s['duplicates']} repeated keys skipped)" if s["duplicates"] else "")
        ),
    )


class _progress:
    """A progress bar on a terminal; otherwise a log line every 10,000 lines."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar: Any = None

    def __enter__(self) -> Callable[[int], None]:
        if sys.stderr.isatty():
            self.bar = click.progressbar(length=self.total, label="importing", file=sys.stderr)
            self.bar.__enter__()
            return lambda n: self.bar.update(1)
        return lambda n: (
            log.info("import progress", line=n, total=self.total) if n % 10000 == 0 else None
        )

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


@cli.command()
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


@cli.command()
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


@cli.command()
@click.option("--as-of", metavar="DATE", help="Evaluate as of this date (default today).")
@click.option("--overdue", is_flag=True, help="Only what is overdue.")
@click.option("--case", "case_id", help="Only this case.")
@click.option("--role", help="Only obligations owned by this role.")
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


@cli.command()
@click.argument("case_id")
@json_option
@pass_app
def audit(app: App, case_id: str, as_json: bool) -> None:
    """Compliance report: each obligation met, late or open; waivers; retractions; integrity.

    \b
    Example:
      cpw audit C1001 --json > C1001-audit.json
    """
    emit(app.reads.audit(case_id), as_json, render.audit)


@cli.command()
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
    problems = app.service.verify(case_id)
    report = {"ok": not problems, "problems": problems}
    emit(report, as_json, render.verify)
    if problems:
        raise SystemExit(EXIT_CODES[IntegrityError])


@cli.command()
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
    from cpworkflow import diagrams

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


@cli.command()
@click.argument("case_ids", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "cin-census"]), required=True)
@click.option("--year", type=int, help="Census year (cin-census), e.g. 2026 for 2025-26.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to a file.")
@pass_app
def export(
    app: App, case_ids: tuple[str, ...], fmt: str, year: int | None, output: str | None
) -> None:
    """Data out: JSON Lines envelopes (round-trip through import) or the CIN census XML.

    \b
    Example:
      cpw export --format jsonl -o all.jsonl
      cpw export C1001 C1002 --format cin-census --year 2026 -o cin.xml
    """
    chunks: Iterator[bytes]
    if fmt == "jsonl":
        chunks = app.reads.export_jsonl(list(case_ids))
    else:
        chunks = iter([app.reads.census(list(case_ids), year or today().year)])
    if output is None:
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()
        return
    with Path(output).open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
    click.echo(f"wrote {output}", err=True)


@cli.command()
@click.option("--policy", default="default", show_default=True, help="Pack id or a .toml file.")
@json_option
def rules(policy: str, as_json: bool) -> None:
    """Every guard and timescale with its source, as the pack sets it.

    \b
    Example:
      cpw rules --policy sefton
    """
    from cpworkflow import selfdoc

    emit(selfdoc.rules(policy), as_json, render.rules)


@cli.command()
@json_option
def events(as_json: bool) -> None:
    """Every event type: its fields, and the stages that accept it.

    \b
    Example:
      cpw events --json
    """
    from cpworkflow import selfdoc

    emit(selfdoc.events(), as_json, render.events)


@cli.command()
@json_option
def policies(as_json: bool) -> None:
    """The policy packs, their versions and what differs.

    \b
    Example:
      cpw policies
    """
    from cpworkflow import selfdoc

    emit(selfdoc.policies(), as_json, render.policies)


def fail(err: CpwError) -> NoReturn:
    """Print the error (one line per refused rule) and exit with its code."""
    code = next((c for cls, c in EXIT_CODES.items() if isinstance(err, cls)), 2)
    if isinstance(err, RefusedError):
        prefix = f"line {err.line}: " if err.line is not None else ""
        for refusal in err.refusals:
            click.echo(prefix + refusal.line(), err=True)
    else:
        click.echo(f"error: {err}", err=True)
    raise SystemExit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the command, maps errors to exit codes, never shows a traceback
    for bad input."""
    try:
        cli.main(args=argv, prog_name="cpw", standalone_mode=False)
    except CpwError as err:  # raised while parsing, before a command runs
        fail(err)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        raise SystemExit(130) from None
    except click.ClickException as err:
        err.show()
        raise SystemExit(err.exit_code) from None
    except click.exceptions.Exit as err:
        raise SystemExit(err.exit_code) from None
