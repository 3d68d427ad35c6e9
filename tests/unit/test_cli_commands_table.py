"""`cpw`'s table of commands (cli/commands.py) says, for each command, the module that holds
it and its short help, so that listing the commands imports none of them. It cannot go
stale: each entry names a real command, every command is in it, and its short help is the
command's own."""

from __future__ import annotations

import pkgutil
from importlib import import_module

import click
import pytest
from click.testing import CliRunner

import cpworkflow.cli
from cpworkflow.cli import CpwGroup, cli
from cpworkflow.cli.commands import COMMANDS, LazyCommands


def _command(name: str) -> click.Command:
    module, function, _ = COMMANDS[name]
    return getattr(import_module(f"cpworkflow.cli.{module}"), function)  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_entry_names_the_command_of_that_name(name: str) -> None:
    command = _command(name)
    assert isinstance(command, click.Command)
    assert command.name == name


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_short_help_is_the_first_sentence_of_the_commands_own_help(name: str) -> None:
    command = _command(name)
    assert COMMANDS[name][2] == command.get_short_help_str(limit=10_000)
    for width in (30, 45, 60, 100):  # cut to the terminal as click would cut the command's
        assert LazyCommands().short_help(name, width) == command.get_short_help_str(width)


def test_every_command_defined_in_the_cli_package_is_in_the_table() -> None:
    defined = set()
    for module in pkgutil.iter_modules(cpworkflow.cli.__path__):
        found = vars(import_module(f"cpworkflow.cli.{module.name}")).values()
        defined |= {c.name for c in found if isinstance(c, click.Command) and c is not cli}
    assert defined == set(COMMANDS)


def test_the_command_list_in_help_is_what_click_itself_would_print() -> None:
    eager = click.Group("cpw", commands=[_command(name) for name in COMMANDS])
    for width in (50, 80, 120):
        group = CpwGroup("cpw", commands=LazyCommands())  # none of its commands loaded
        with click.Context(group, terminal_width=width) as lazy_ctx:
            lazy = click.HelpFormatter(width=width)
            group.format_commands(lazy_ctx, lazy)
        with click.Context(eager, terminal_width=width) as eager_ctx:
            plain = click.HelpFormatter(width=width)
            eager.format_commands(eager_ctx, plain)
        assert lazy.getvalue() == plain.getvalue()


def test_a_misspelt_command_is_still_refused_with_a_suggestion() -> None:
    result = CliRunner().invoke(cli, ["shw", "C1"])
    assert result.exit_code == 2
    assert "No such command 'shw'. Did you mean 'show'?" in result.stderr
