"""The folders are the layers, and imports go one way only:
vocabulary → policy → lifecycle → reports / store → service → cli. `records`, `errors` and
`logs` at the root are shared by all. The domain (vocabulary, policy, lifecycle) never
touches the database, the command line, logging or the clock."""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[2] / "src" / "cpworkflow"
SHARED = {"records", "errors"}
# Rank of each room; a module may import from its own rank or below. Reports and the store
# share a rank but may not import each other.
RANKS: dict[str, int] = {
    "vocabulary": 1,
    "policy": 2,
    "lifecycle": 3,
    "reports": 4,
    "store": 4,
    # A simulated caseload, written through the vocabulary (cpw simulate, the benchmarks).
    "workload": 4,
    "logs": 5,
    "service": 5,
    "reads": 5,
    "cli": 6,
    # The web view is an entry point beside the command line: it calls reads and service
    # as `cli` does, and neither imports the other except `cli.serve` starting it.
    "web": 6,
    "__main__": 6,
    # The package's face for library users: it re-exports the service, the store and the
    # errors (lazily), so it stands above them.
    "__init__": 7,
}
SIBLINGS_APART = {frozenset({"reports", "store"})}
DOMAIN = {"vocabulary", "policy", "lifecycle"}
FORBIDDEN_IN_DOMAIN = ("sqlalchemy", "click", "structlog", "psycopg", "sqlite3", "os", "pathlib")


def room_of(module: str) -> str:
    return module.split(".")[0]


def rank_of(module: str) -> int:
    room = room_of(module)
    if room in SHARED:
        return 0
    if room not in RANKS:
        raise AssertionError(f"{module} is in no room: add its folder to RANKS in this test")
    return RANKS[room]


def modules(package: Path) -> list[tuple[str, Path]]:
    found = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).with_suffix("")
        parts = rel.parts[:-1] if rel.parts[-1] == "__init__" and len(rel.parts) > 1 else rel.parts
        found.append((".".join(parts), path))
    return found


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            if node.module == "cpworkflow":
                names |= {f"cpworkflow.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            names.add("<relative import>")
    return names


def upward_imports(package: Path) -> list[str]:
    """Every import that goes against the flow, as `importer -> imported` lines."""
    found = []
    for module, path in modules(package):
        for name in sorted(imports_of(path)):
            if name == "<relative import>":
                found.append(f"{module} -> a relative import (imports are absolute)")
                continue
            if not name.startswith("cpworkflow."):
                continue
            target = name.removeprefix("cpworkflow.")
            if target == "__version__" or room_of(target) == room_of(module):
                continue
            apart = frozenset({room_of(module), room_of(target)}) in SIBLINGS_APART
            if rank_of(target) > rank_of(module) or apart:
                found.append(f"{module} -> {target}")
    return found


def test_imports_go_one_way_through_the_rooms() -> None:
    assert upward_imports(PACKAGE) == []


def test_the_package_root_holds_only_the_rooms_and_the_shared_modules() -> None:
    rooms = {p.name for p in PACKAGE.iterdir() if p.is_dir() and not p.name.startswith("__")}
    files = {p.stem for p in PACKAGE.glob("*.py")}
    assert rooms == {
        "vocabulary",
        "policy",
        "lifecycle",
        "reports",
        "store",
        "workload",
        "service",
        "cli",
        "web",
    }
    assert files == {"__init__", "__main__", "records", "errors", "logs", "reads"}


@pytest.mark.parametrize(
    "room",
    ["vocabulary", "policy", "lifecycle", "reports", "store", "workload", "service", "cli", "web"],
)
def test_no_module_name_repeats_its_folder(room: str) -> None:
    for path in (PACKAGE / room).rglob("*.py"):
        assert not path.stem.startswith(room.rstrip("s")), f"{path} repeats its folder's name"


def test_the_checker_reports_an_upward_import(tmp_path: Path) -> None:
    package = tmp_path / "cpworkflow"
    for room in ("vocabulary", "lifecycle", "store", "reports"):
        (package / room).mkdir(parents=True)
        (package / room / "__init__.py").write_text("")
    (package / "vocabulary" / "people.py").write_text(
        "from cpworkflow.lifecycle.case import Case\n"
    )
    (package / "lifecycle" / "case.py").write_text("from cpworkflow.vocabulary import people\n")
    (package / "reports" / "show.py").write_text(
        textwrap.dedent(
            """
            from cpworkflow.store import EventStore
            from . import sibling
            """
        )
    )
    assert upward_imports(package) == [
        "reports.show -> a relative import (imports are absolute)",
        "reports.show -> store",
        "vocabulary.people -> lifecycle.case",
    ]


def test_the_case_and_its_data_do_not_import_each_other() -> None:
    case = imports_of(PACKAGE / "lifecycle" / "case.py")
    assert "cpworkflow.lifecycle.case_data" not in case
    assert "cpworkflow.lifecycle.fold" not in case


DOMAIN_MODULES = [(m, p) for m, p in modules(PACKAGE) if room_of(m) in DOMAIN]


@pytest.mark.parametrize(("module", "path"), DOMAIN_MODULES, ids=[m for m, _ in DOMAIN_MODULES])
def test_the_domain_never_touches_the_database_the_cli_logging_or_the_clock(
    module: str, path: Path
) -> None:
    for name in imports_of(path):
        assert name.split(".")[0] not in FORBIDDEN_IN_DOMAIN, f"{module} imports {name}"
        assert name != "cpworkflow.logs", f"{module} logs"
    source = path.read_text()
    clock = re.search(r"\b(date\.today|datetime\.now|datetime\.utcnow|time\.time)\(", source)
    assert clock is None, f"{module} reads the clock: {clock.group(0) if clock else ''}"


def test_the_package_offers_a_library_user_the_service_the_store_and_the_errors() -> None:
    import subprocess
    import sys

    code = (
        "import sys, cpworkflow;"
        "assert 'cpworkflow.store' not in sys.modules;"
        "from cpworkflow import CaseService, EventStore, CpwError, RefusedError;"
        "print(CaseService.__module__, EventStore.__name__, issubclass(RefusedError, CpwError))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["cpworkflow.service.cases", "EventStore", "True"]
