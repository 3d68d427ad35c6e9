"""Which module holds each `cpw` command, and its short help: a command's module is imported
only when that command runs or shows its own help, so `cpw show` never loads the census,
the workbook writer or the signing code, and `cpw --help` (or completing a command name)
imports none of them.

The short help is the first sentence of the command's docstring, as `cpw --help` lists it;
tests/unit/test_cli_commands_table.py keeps each one equal to its command's.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping

import click

# name → (module in cpworkflow.cli, function in it, first sentence of its help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": (
        "write",
        "init",
        "Create the event store (idempotent), and check its append-only triggers (exit 4 if"
        " one is missing or disabled).",
    ),
    "record": (
        "write",
        "record",
        "Decide and append one event; print the new stage and what fell due.",
    ),
    "import": (
        "write",
        "import_",
        "Append many envelopes from JSON Lines (FILE or - for stdin), all or nothing.",
    ),
    "show": (
        "read",
        "show",
        "Stage, plan, categories, people and obligations, as the case stood then.",
    ),
    "history": (
        "read",
        "history",
        "The timeline: seq, dates, type, actor, stage after; retractions and waivers marked.",
    ),
    "audit": (
        "read",
        "audit",
        "Compliance report: each obligation met, late or open; waivers; retractions; integrity.",
    ),
    "verify": (
        "read",
        "verify",
        "Check the hash chain, sequence and replay of one case or all, and the append-only"
        " triggers; with --checkpoint, that the log is an append-only extension of the signed"
        " one (exit 4 on any failure).",
    ),
    "due": (
        "caseload",
        "due",
        "Open obligations across the caseload, soonest first: what each asks, who holds it (the"
        " person in that role on the case), and how many working days it is overdue.",
    ),
    "cases": (
        "caseload",
        "cases",
        "The caseload, one line a case, most overdue first: stage, since when, worker, team,"
        " pack, and counts of open and overdue obligations.",
    ),
    "rebuild": (
        "caseload",
        "rebuild",
        "Rebuild the read models (case summaries, open obligations) from the log.",
    ),
    "simulate": (
        "caseload",
        "simulate",
        "Write a realistic caseload of COUNT children as JSON Lines for `cpw import`.",
    ),
    "export": (
        "export",
        "export",
        "Data out: JSON Lines (round-trips through import), the CIN census return, or Ofsted's"
        " Annex A lists 3-7 as at an inspection date.",
    ),
    "diagram": (
        "docs",
        "diagram",
        "The case lifecycle, drawn from the transition table itself, top-down, with a title"
        " and a legend.",
    ),
    "rules": (
        "docs",
        "rules",
        "Every guard and timescale with its source, as the pack sets it.",
    ),
    "events": (
        "docs",
        "events",
        "Every event type: what it records, where it is allowed, who may record it, and each"
        " field's type, whether required and the values it allows.",
    ),
    "policies": (
        "docs",
        "policies",
        "The policy packs, their versions and what differs.",
    ),
    "serve": (
        "serve",
        "serve",
        "A read-only web view for auditors and managers: caseload, work tray, each case with"
        " its timeline and diagram, time travel, audit, rules.",
    ),
    "keygen": (
        "trust",
        "keygen",
        "Make an Ed25519 key pair for signing checkpoints.",
    ),
    "checkpoint": (
        "trust",
        "checkpoint",
        "Sign a checkpoint of the whole log: its origin, its size and the RFC 9162 Merkle root"
        " over every event's hash in position order.",
    ),
    "prove": (
        "trust",
        "prove",
        "A case's events as stored, each with its inclusion proof in the log's Merkle tree (of"
        " the checkpoint's size, or of today's log): a script of a few lines, in"
        " eventstore/README.md, checks it offline against the signed checkpoint.",
    ),
    "restore": (
        "trust",
        "restore",
        "Load an exported log (`cpw export --format jsonl`) into an empty store with its"
        " history: seq, recorded_at, decisions, keys and hashes byte for byte, every chain"
        " verified on the way in.",
    ),
}


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's `commands`: every name in COMMANDS, each command imported from its module
    the first time it is looked up. Commands added by hand are kept as given."""

    def __init__(self) -> None:
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            module, function, _ = COMMANDS[name]  # KeyError: no such command
            # __import__, not importlib.import_module: `python -X importtime` sees only it.
            found = __import__(f"cpworkflow.cli.{module}", fromlist=[function])
            self._loaded[name] = getattr(found, function)
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        raise TypeError("cpw's commands cannot be removed")

    def __iter__(self) -> Iterator[str]:
        yield from COMMANDS
        yield from (name for name in self._loaded if name not in COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS.keys() | self._loaded.keys())

    def __contains__(self, name: object) -> bool:
        return name in COMMANDS or name in self._loaded

    def short_help(self, name: str, limit: int = 45) -> str:
        """What `cpw --help` and completion say of a command, without importing it."""
        if name in self._loaded or name not in COMMANDS:
            return self[name].get_short_help_str(limit)
        # Cut to the width as click cuts the command's own help: by a stand-in holding it.
        return click.Command(name, help=COMMANDS[name][2]).get_short_help_str(limit)
