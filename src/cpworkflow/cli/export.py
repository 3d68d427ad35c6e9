"""`cpw export`: data out — JSON Lines envelopes, the CIN census return, Ofsted's Annex A."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import click

from cpworkflow.cli.support import EXIT_CODES, App, Progress, parse_date, pass_app, today
from cpworkflow.errors import BadInputError
from cpworkflow.policy.loading import load_policy
from cpworkflow.reports.annex_a import LISTS
from cpworkflow.reports.census import CensusReturn
from cpworkflow.reports.census_rules import check_collection_year

FORMATS = ("jsonl", "cin-census", "annex-a")


@click.command()
@click.argument("case_ids", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option(
    "--year",
    type=int,
    help="cin-census: the collection year, in full (2026 is 1 April 2025 to 31 March 2026; "
    "default: the year of today's 31 March or the next).",
)
@click.option(
    "--la-code",
    envvar="CPW_LA_CODE",
    help="cin-census: the authority's three-digit LA code (env CPW_LA_CODE; else `la_code` "
    "in the --policy-file pack; without any, the return says 000, with a warning).",
)
@click.option(
    "--problems",
    "problems_file",
    type=click.Path(dir_okay=False),
    help="cin-census: also write the children who cannot be returned to this file (JSON).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="cin-census: exit 2, writing no return, if any child is left out.",
)
@click.option("--as-at", metavar="DATE", help="annex-a: the inspection date (required).")
@click.option(
    "--list",
    "list_number",
    type=click.Choice([str(n) for n in LISTS]),
    help="annex-a: only this list.",
)
@click.option("--csv", "as_csv", is_flag=True, help="annex-a: the list (--list N) as CSV.")
@click.option("--trace", is_flag=True, help="annex-a: add each row's case id and event seqs.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to a file.")
@pass_app
def export(
    app: App,
    case_ids: tuple[str, ...],
    fmt: str,
    year: int | None,
    la_code: str | None,
    problems_file: str | None,
    strict: bool,
    as_at: str | None,
    list_number: str | None,
    as_csv: bool,
    trace: bool,
    output: str | None,
) -> None:
    """Data out: JSON Lines (round-trips through import), the CIN census return, or
    Ofsted's Annex A lists 3-7 as at an inspection date.

    \b
    Example:
      cpw export --format jsonl -o all.jsonl
      cpw export --format cin-census --year 2026 --la-code 318 --problems left-out.json -o cin.xml
      cpw export --format annex-a --as-at 2026-03-02 -o annex-a.xlsx
      cpw export --format annex-a --as-at 2026-03-02 --list 7 --csv --trace
    """
    _only_for(fmt, "cin-census", {"--year": year, "--problems": problems_file, "--strict": strict})
    given = {"--as-at": as_at, "--list": list_number, "--csv": as_csv, "--trace": trace}
    _only_for(fmt, "annex-a", given)
    if fmt == "jsonl":  # no case named: the whole store, streamed from one query
        _write(app.reads.export_jsonl(list(case_ids)), output)
        return
    ids = list(case_ids) or app.service.case_ids()
    if fmt == "cin-census":
        _census(app, ids, year, la_code, problems_file, strict, output)
    else:
        _annex_a(app, ids, as_at, list_number, as_csv, trace, output)


def _only_for(fmt: str, owner: str, options: Mapping[str, object]) -> None:
    """An option of one format given with another is a mistake to say, not to ignore."""
    given = [name for name, value in options.items() if value not in (None, False)]
    if fmt != owner and given:
        raise BadInputError(f"{', '.join(given)} only apply to --format {owner}", field=given[0])


def _census(
    app: App,
    ids: list[str],
    year: int | None,
    la_code: str | None,
    problems_file: str | None,
    strict: bool,
    output: str | None,
) -> None:
    if year is None:  # the return that ends on the coming (or today's) 31 March
        now = today()
        year = now.year + (1 if now.month > 3 else 0)
    check_collection_year(year)  # before any warning: a wrong year is the first thing to say
    la_code = la_code or _pack_la_code(app.policy_files)
    if la_code is None:
        click.echo(
            "warning: no --la-code (or CPW_LA_CODE, or la_code in a --policy-file pack): "
            "the return says LEA 000",
            err=True,
        )
        la_code = "000"
    with Progress(len(ids), "census", every=1000) as tick:
        result = app.reads.census(ids, year, la_code, progress=tick)
    _report(result, problems_file)
    if result.problems and strict:
        click.echo(f"error: --strict: {len(result.problems)} left out; no return written", err=True)
        raise SystemExit(EXIT_CODES[BadInputError])
    _write([result.xml], output)


def _pack_la_code(files: tuple[str, ...]) -> str | None:
    """The LA code an authority's own pack names (`la_code`), when --la-code is not given."""
    codes = sorted({p.la_code for p in map(load_policy, files) if p.la_code})
    if len(codes) > 1:
        raise BadInputError(
            f"the --policy-file packs name different LA codes ({', '.join(codes)}): give --la-code"
        )
    return codes[0] if codes else None


def _report(result: CensusReturn, problems_file: str | None) -> None:
    """The children who cannot be returned: on stderr, and in the problems file."""
    if problems_file is not None:
        report = {"children": result.children, "left_out": [p.to_json() for p in result.problems]}
        Path(problems_file).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    if not result.problems:
        return
    click.echo(
        f"warning: {len(result.problems)} children cannot be returned and were left out of "
        f"the census ({result.children} returned):",
        err=True,
    )
    for p in result.problems:
        click.echo(f"  {p.child} (case {p.case_id}): {p.item}: {p.message}", err=True)


def _annex_a(
    app: App,
    ids: list[str],
    as_at: str | None,
    list_number: str | None,
    as_csv: bool,
    trace: bool,
    output: str | None,
) -> None:
    inspection = parse_date(as_at, "--as-at")
    if inspection is None:
        raise BadInputError(
            "annex-a needs the inspection date: --as-at YYYY-MM-DD", field="--as-at"
        )
    if as_csv and list_number is None:
        raise BadInputError("--csv writes one list: give --list N (3-7)", field="--csv")
    only = [int(list_number)] if list_number else list(LISTS)
    with Progress(len(ids), "annex A", every=1000) as tick:
        lists = app.reads.annex_a(ids, inspection, progress=tick)
    if lists.unread:
        click.echo(f"warning: {len(lists.unread)} cases left out of Annex A:", err=True)
        for reason in lists.unread:
            click.echo(f"  {reason}", err=True)
    if as_csv:
        _write([lists.csv(only[0], trace=trace)], output)
        return
    if output is None and sys.stdout.isatty():
        raise BadInputError("the workbook is binary: give -o FILE.xlsx (or --list N --csv)")
    _write([lists.xlsx(only, trace=trace)], output)


def _write(chunks: Iterable[bytes], output: str | None) -> None:
    if output is None:
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()
        return
    with Path(output).open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
    click.echo(f"wrote {output}", err=True)
