"""Every command documents itself with an example and appears in the README's tour; the
examples, in the help and in the README, use only commands and options that exist."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

import click
import pytest
from cli_harness import ROOT, ok

from cpworkflow.cli import cli

README = ROOT / "README.md"
COMMANDS = sorted(cli.commands)
# The commands PRODUCT.md promises; the CLI must have no fewer (nor silently rename one).
PRODUCT_COMMANDS = [
    "audit",
    "cases",
    "checkpoint",
    "diagram",
    "due",
    "events",
    "export",
    "history",
    "import",
    "init",
    "keygen",
    "policies",
    "prove",
    "rebuild",
    "record",
    "restore",
    "rules",
    "serve",
    "show",
    "simulate",
    "verify",
]


def test_the_cli_has_exactly_the_commands_of_the_product() -> None:
    assert COMMANDS == PRODUCT_COMMANDS


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(name: str) -> None:
    text = ok(None, name, "--help").stdout
    assert text.startswith(f"Usage: cpw {name} ")
    assert "Example" in text
    assert name in [_without_global_options(tokens)[0] for tokens in _invocations(text)]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_appears_in_the_readme(name: str) -> None:
    assert re.search(rf"(^|[\s`]){re.escape('cpw ' + name)}\b", README.read_text(), re.M), (
        f"README.md does not show `cpw {name}`"
    )


def _invocations(text: str) -> Iterator[list[str]]:
    """Each `cpw ...` command line of a text (a help text, or the README's shell blocks):
    continuation lines joined; comments, pipes and redirections cut off."""
    for line in re.sub(r"\\\n\s*", " ", text).splitlines():
        if not line.strip().startswith(("cpw ", "cat ")):
            continue
        tokens = shlex.split(line, comments=True)
        while tokens:
            segment = tokens[: tokens.index("|")] if "|" in tokens else tokens
            tokens = tokens[len(segment) + 1 :]
            if segment[:1] == ["cpw"]:
                yield segment[1 : segment.index(">")] if ">" in segment else segment[1:]


def _options(command: click.Command) -> set[str]:
    return {opt for p in command.params if isinstance(p, click.Option) for opt in p.opts}


def _without_global_options(tokens: list[str]) -> list[str]:
    while tokens and tokens[0] in _options(cli):
        tokens = tokens[2:]
    assert tokens, "no command"
    return tokens


def _check(tokens: list[str]) -> None:
    """The tokens name a real command, and each option is one it (or `cpw`) takes."""
    tokens = _without_global_options(tokens)
    command = cli.commands.get(tokens[0])
    assert command is not None, f"no command {tokens[0]!r}"
    known = _options(command) | {"--help", "-h"}
    for arg in tokens[1:]:
        if arg.startswith("-") and arg != "-":
            assert arg.split("=", 1)[0] in known, f"cpw {tokens[0]} has no option {arg}"


def test_the_examples_in_every_help_text_are_real_invocations() -> None:
    for name in COMMANDS:
        invocations = list(_invocations(ok(None, name, "--help").stdout))
        assert invocations, name
        for tokens in invocations:
            _check(tokens)


def test_the_readme_tour_uses_only_real_commands_and_options() -> None:
    invocations = list(_invocations(README.read_text()))
    assert len(invocations) >= len(COMMANDS)
    for tokens in invocations:
        _check(tokens)
