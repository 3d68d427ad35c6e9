"""Start-up: a command imports only what it needs. `show` and `record` on a SQLite store load
neither SQLAlchemy's PostgreSQL dialect nor the code of other commands (census, workbook,
diagrams, simulated caseloads, the web view); `cpw --help` and shell completion load no
command at all (measured with `python -X importtime`, the same tool a developer would use).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from cli_harness import TODAY

from cpworkflow.cli.commands import COMMANDS

CHILD = '{"child": {"ref": "R-1", "birth_date": "2015-03-01"}}'
SW = ["--actor", "sw-1", "--role", "social_worker"]
OPENED = ["record", "C1", "CaseOpened", "--on", "2025-01-06", "--data", CHILD, *SW]
VISITED = ["record", "C1", "ChildVisited", "--on", "2025-01-07", "--data", '{"seen": true}', *SW]
# What belongs to other commands: the returns and their workbook writer, the diagrams,
# the simulated caseload and the web view.
OTHER_COMMANDS = (
    "cpworkflow.reports.census",
    "cpworkflow.reports.annex_a",
    "xlsxwriter",
    "cpworkflow.reports.diagram",
    "cpworkflow.workload",
    "cpworkflow.web",
    "starlette",
    "jinja2",
    "uvicorn",
)
# The service's bulk import, verify and rebuild.
VERIFY_AND_IMPORT = (
    "cpworkflow.service.integrity",
    "cpworkflow.service.halves",
    "cpworkflow.service.importing",
    "cpworkflow.service.import_halves",
)
COMMAND_MODULES = {f"cpworkflow.cli.{module}" for module, _, _ in COMMANDS.values()}


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "CPW_TODAY": TODAY, **(env or {})}
    environment.pop("CPW_DB", None)
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cpworkflow", *args],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    )


def _imported(done: subprocess.CompletedProcess[str]) -> set[str]:
    return set(_reached(done))


def _reached(done: subprocess.CompletedProcess[str]) -> dict[str, tuple[str, ...]]:
    """Each module imported, with the imports that first reached it, outermost first.
    `-X importtime` prints a module after the modules it imported, indented two spaces a
    level deeper: read backwards, a module's importer is the last one seen a level up."""
    lines = [
        line.split("|", 2)[2].rstrip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and line.count("|") == 2
    ]
    above: list[str] = []
    reached = {}
    for text in reversed(lines[1:]):  # the first line is the header
        depth = (len(text) - len(text.lstrip()) - 1) // 2  # " name", "   name", ...
        del above[depth:]
        reached[text.strip()] = tuple(above)
        above.append(text.strip())
    return reached


def _under(modules: set[str], *prefixes: str) -> set[str]:
    return {m for m in modules if any(m == p or m.startswith(f"{p}.") for p in prefixes)}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('startup') / 'events.db'}"
    _run("--db", url, *OPENED)
    return url


@pytest.fixture(scope="module")
def reached(db: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """What each of the everyday commands on SQLite imported, and from where."""
    everyday = (["show", "C1", "--json"], ["history", "C1"], VISITED, ["due", "--json"], ["cases"])
    return {args[0]: _reached(_run("--db", db, *args)) for args in everyday}


@pytest.fixture(scope="module")
def show(reached: dict[str, dict[str, tuple[str, ...]]]) -> set[str]:
    return set(reached["show"])


@pytest.fixture(scope="module")
def record(reached: dict[str, dict[str, tuple[str, ...]]]) -> set[str]:
    return set(reached["record"])


def test_show_and_record_on_sqlite_load_no_postgresql_dialect(
    show: set[str], record: set[str]
) -> None:
    for modules in (show, record):
        assert "cpworkflow.store.event_store" in modules  # the measurement sees the store
        assert not _under(modules, "sqlalchemy.dialects.postgresql", "psycopg")


def test_the_everyday_commands_import_structlog_only_to_log_a_line(
    reached: dict[str, dict[str, tuple[str, ...]]],
) -> None:
    for command, modules in reached.items():
        assert "cpworkflow.logs" in modules, command  # the measurement sees the logger
        assert not _under(set(modules), "structlog", "asyncio"), command


def test_the_everyday_commands_on_a_sqlite_file_import_no_sqlalchemy(
    reached: dict[str, dict[str, tuple[str, ...]]],
) -> None:
    # show, history, record, due and cases run on the stdlib driver (store/sqlite_direct.py):
    # SQLAlchemy's import alone is most of a cold command's time
    for command, modules in reached.items():
        assert "cpworkflow.store.sqlite_direct" in modules, command  # the store is seen
        assert not _under(set(modules), "sqlalchemy", "greenlet"), (command, modules.keys())


def test_show_and_record_load_no_other_commands_code(show: set[str], record: set[str]) -> None:
    assert not _under(show, *OTHER_COMMANDS)
    assert not _under(record, *OTHER_COMMANDS)
    assert _under(show, *COMMAND_MODULES) == {"cpworkflow.cli.read"}
    assert _under(record, *COMMAND_MODULES) == {"cpworkflow.cli.write"}


def test_show_and_record_load_no_shell_completion_code(show: set[str], record: set[str]) -> None:
    assert "cpworkflow.cli.completion" in show  # its functions are named by the arguments
    assert not _under(show, "click.shell_completion")
    assert not _under(record, "click.shell_completion")


def test_show_and_record_load_no_signing_code(show: set[str], record: set[str]) -> None:
    assert not _under(show, "cryptography", "cpworkflow.store.checkpoint")
    assert not _under(record, "cryptography", "cpworkflow.store.checkpoint")


def test_show_and_record_load_neither_verify_nor_import_nor_their_second_process(
    show: set[str], record: set[str]
) -> None:
    # verify and import fork a second process on a big store; a show or record never does
    assert "cpworkflow.service.cases" in show  # the measurement sees where they would come from
    for modules in (show, record):
        assert not _under(modules, *VERIFY_AND_IMPORT, "multiprocessing", "secrets")


def test_show_and_record_count_working_days_from_the_table_not_the_holidays_package(
    show: set[str], record: set[str]
) -> None:
    assert "cpworkflow.policy.bank_holiday_table" in show
    assert not _under(show, "holidays")
    assert not _under(record, "holidays")


def test_help_lists_every_command_and_imports_none_of_them() -> None:
    done = _run("--help")
    listed = done.stdout.split("Commands:", 1)[1].split()
    assert set(COMMANDS) <= set(listed)
    assert not _under(_imported(done), *COMMAND_MODULES, "sqlalchemy", "structlog")


def test_a_commands_help_imports_that_command_alone() -> None:
    done = _run("record", "--help")
    assert done.stdout.startswith("Usage: cpw record ")
    assert _under(_imported(done), *COMMAND_MODULES) == {"cpworkflow.cli.write"}


def test_completing_a_command_name_or_an_event_type_opens_no_store() -> None:
    names = _run(env={"_CPW_COMPLETE": "bash_complete", "COMP_WORDS": "cpw s", "COMP_CWORD": "1"})
    offered = {line.split(",", 1)[1] for line in names.stdout.splitlines()}
    assert offered == {name for name in COMMANDS if name.startswith("s")}
    assert not _under(_imported(names), *COMMAND_MODULES, "sqlalchemy")
    words = "cpw record C1 ChildV"
    types = _run(env={"_CPW_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": "3"})
    assert types.stdout.splitlines() == ["plain,ChildVisited"]
    assert not _under(_imported(types), "sqlalchemy")


def test_a_postgresql_url_still_gets_its_dialect_and_the_partial_key_index() -> None:
    from cpworkflow.store import EventStore
    from cpworkflow.store.tables import KEY_INDEX

    EventStore("postgresql+psycopg://nobody@127.0.0.1:1/none").dispose()
    assert KEY_INDEX.dialect_options["postgresql"]["where"] is not None


# A command run as `cpw` runs it, with a probe: every SQL statement SQLite runs for it
# (its trace, whichever way the store sends them), and the state of the garbage collector
# once the command is done.
PROBE = """
import gc, json, sqlite3, sys
from cpworkflow.cli import main

sent = []
connect = sqlite3.connect


def traced(*args, **kwargs):  # SQLAlchemy's driver and the direct path's are both sqlite3's
    connection = connect(*args, **kwargs)
    connection.set_trace_callback(sent.append)
    return connection


sqlite3.connect = sqlite3.dbapi2.connect = traced
try:
    main(sys.argv[1:])
except SystemExit as done:
    assert not done.code, done.code
print(json.dumps({"sql": sent, "collecting": gc.isenabled(), "frozen": gc.get_freeze_count()}))
"""


def _probe(*args: str) -> dict[str, object]:
    environment = {**os.environ, "CPW_TODAY": TODAY}
    environment.pop("CPW_DB", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    )
    last: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return last


def test_a_record_on_a_store_at_the_current_schema_looks_at_its_catalogue_once(db: str) -> None:
    seen = _probe("--db", db, *VISITED[:3], "--on", "2025-01-08", *VISITED[5:])
    sql = [" ".join(str(s).split()).upper() for s in seen["sql"]]  # type: ignore[union-attr]
    assert sum("SQLITE_MASTER" in s for s in sql) == 1
    assert not [s for s in sql if s.startswith(("CREATE", "DROP"))]
    assert not [s for s in sql if "TABLE_INFO" in s or "INDEX_LIST" in s]  # no inspection
    assert any(s.startswith("INSERT INTO EVENTS") for s in sql)


def test_start_up_leaves_the_collector_on_for_the_commands_work(db: str) -> None:
    shown = _probe("--db", db, "show", "C1", "--json")
    assert shown["collecting"] is True
    assert isinstance(shown["frozen"], int) and shown["frozen"] > 10_000  # what start-up made
    assert _probe("rules")["collecting"] is True  # a command that opens no store
