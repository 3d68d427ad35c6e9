"""`cpw`: a thin command line over CaseService. Each command parses, makes one service
call, and renders; the commands live in cli.write, cli.read, cli.docs and their siblings,
each module imported only when one of its commands is used (`cli.commands`). Errors map
to exit codes in one place (`cli.support.fail`)."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from cpworkflow.cli.commands import LazyCommands
from cpworkflow.cli.support import (
    DEFAULT_DB,
    INTERNAL_ERROR,
    App,
    fail,
)
from cpworkflow.errors import (
    BadInputError,
    CpwError,
)

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

_SURROGATE = re.compile("[\ud800-\udfff]")


class CpwGroup(click.Group):
    """Maps cpworkflow errors to their exit codes, for `cpw` and for CliRunner alike; a
    usage error is bad input too: one line on stderr, exit 2. Its commands are a
    LazyCommands: listing them (help, completion) imports none."""

    commands: LazyCommands

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        for index, arg in enumerate(args):
            if _SURROGATE.search(arg):  # bytes that were not UTF-8, as Python passes them on
                before = args[index - 1] if index and args[index - 1].startswith("-") else ""
                where = before or f"argument {index + 1}"
                fail(BadInputError("is not valid UTF-8 text", field=where))
        self.argv = list(args)
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
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except RecursionError:
            fail(BadInputError("is nested too deeply to read", field="input"))
        except OSError as err:  # a file the user named: -o into a missing folder, say
            fail(_file_error(err, getattr(self, "argv", [])))
        except Exception as err:  # noqa: BLE001 - a bug: one line, never a traceback
            internal_error(err, ctx.params.get("log_level") == "debug")

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """`cpw --help`'s list of commands, from the short help kept beside each name."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        with formatter.section("Commands"):
            formatter.write_dl([(name, self.commands.short_help(name, limit)) for name in names])

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """The command names that start with what is typed (with their short help), then
        the group's own options, as click's would, but importing no command."""
        from click.shell_completion import CompletionItem

        names = [name for name in self.list_commands(ctx) if name.startswith(incomplete)]
        found = [CompletionItem(name, help=self.commands.short_help(name)) for name in names]
        return found + click.Command.shell_complete(self, ctx, incomplete)


def _file_error(err: OSError, argv: list[str]) -> BadInputError:
    """`-o: cannot write 'x/y.svg': No such file or directory`, naming the option given
    with that file when there is one."""
    name = "" if err.filename is None else str(err.filename)
    option = next(
        (argv[i - 1] for i, a in enumerate(argv) if i and a == name and argv[i - 1][:1] == "-"),
        "file",
    )
    return BadInputError(f"cannot use {name[:200]!r}: {err.strerror or err}", field=option)


def internal_error(err: Exception, debug: bool) -> NoReturn:
    """`internal error (<type>); nothing was written` on one line, exit 70. A write runs in
    one transaction, rolled back when the error leaves it. The traceback (which may quote
    values) is shown only with --log-level debug."""
    if debug:
        import traceback

        traceback.print_exception(err, file=sys.stderr)
    click.echo(
        f"internal error ({type(err).__name__}); nothing was written"
        " (run with --log-level debug for the traceback, and report it)",
        err=True,
    )
    raise SystemExit(INTERNAL_ERROR)


def usage_error(err: click.UsageError) -> NoReturn:
    """`error: <what is wrong> (see 'cpw COMMAND --help')` on one line, exit 2. Without
    arguments, `cpw` still prints its help."""
    if isinstance(err, click.exceptions.NoArgsIsHelpError) or err.ctx is None:
        raise err
    message = " ".join(err.format_message().split())
    fail(BadInputError(f"{message} (see '{err.ctx.command_path} --help')"))


@click.group(
    name="cpw",
    cls=CpwGroup,
    commands=LazyCommands(),
    context_settings={"help_option_names": ["-h", "--help"]},
)
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
@click.option(
    "--policy-file",
    "policy_files",
    multiple=True,
    envvar="CPW_POLICY_FILES",
    type=click.Path(dir_okay=False),
    help="An authority's own pack (.toml, may extend a packaged one); cases name it by "
    "its id. Repeatable; env CPW_POLICY_FILES (separated by ':').",
)
@click.version_option(package_name="cpworkflow")
@click.pass_context
def cli(ctx: click.Context, db: str, log_level: str, policy_files: tuple[str, ...]) -> None:
    """cpworkflow: child protection cases as append-only event logs.

    \b
    Example:
      cpw init
      cpw record C1001 CaseOpened --on 2025-01-06 --actor sw1 --role social_worker \\
          --data '{"child": {"ref": "C1001", "birth_date": "2015-04-01"}}'
      cpw show C1001
    """
    from cpworkflow import logs  # structlog itself only for a line that passes the level

    logs.configure(log_level)
    logs.start_command(ctx.invoked_subcommand)
    ctx.obj = App(db, policy_files)
    ctx.call_on_close(ctx.obj.close)


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the command, maps errors to exit codes, never shows a traceback
    for bad input."""
    from cpworkflow.cli.startup import skip_last_collection

    skip_last_collection()
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
