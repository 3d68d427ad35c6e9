"""The caseload commands: a simulated caseload to practise on (`simulate`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cpworkflow.cli.support import parse_date


@click.command()
@click.argument("count", type=click.IntRange(min=1))
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same file.")
@click.option(
    "--until",
    metavar="DATE",
    help="The last day the caseload reaches (default 2026-03-31, the end of the 2025-26 "
    "census year); cases begin in the three years before it.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to a file.")
def simulate(count: int, seed: int, until: str | None, output: str | None) -> None:
    """Write a realistic caseload of COUNT children as JSON Lines for `cpw import`.

    Every path of the lifecycle (s47 and plans, s17, no further action, step-down to child
    in need, reviews, closures, transfers, reopened cases), visits and core groups, some
    work late, a few retractions and waivers, across the default, lancashire and sefton
    packs. Names no one: staff by id, children by reference.

    \b
    Example:
      cpw simulate 300 --seed 7 -o caseload.jsonl
      CPW_TODAY=2026-04-01 cpw import caseload.jsonl
    """
    from cpworkflow.workload import caseload

    last_day = parse_date(until, "--until") or caseload.DEFAULT_UNTIL
    lines = caseload.jsonl(caseload.simulate(count, seed, last_day))
    if output is None:
        for line in lines:
            sys.stdout.buffer.write(line)
        sys.stdout.buffer.flush()
        return
    with Path(output).open("wb") as out:
        written = sum(out.write(line) > 0 for line in lines)
    click.echo(f"wrote {written} events for {count} children to {output}", err=True)
