"""The import direction goes one way: vocabulary → lifecycle → case model → reads and
adapters → service → CLI. The domain never touches the database, the CLI, logging or the
clock."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[2] / "src" / "cpworkflow"
LAYERS: list[set[str]] = [
    {
        "errors",
        "json_input",
        "records",
        "events",
        "event_types",
        "event_errors",
        "people",
        "plans",
        "census_codes",
        "upcasting",
        "workingdays",
        "policy",
        "policy_schema",
        "rulebook",
    },
    {"lifecycle", "obligation"},
    {
        "case",
        "case_data",
        "guards",
        "guards_plan",
        "guards_cin",
        "proposal",
        "obligations",
        "decide",
    },
    {
        "projections",
        "audit",
        "diagrams",
        "diagram_render",
        "census",
        "census_rules",
        "selfdoc",
        "render",
        "store",
    },
    {"service", "reads", "logs"},
    {"cli", "cli_support", "cli_write", "cli_read", "cli_docs", "__main__", "__init__"},
]
DOMAIN = set().union(*LAYERS[:3])
FORBIDDEN_IN_DOMAIN = ("sqlalchemy", "click", "structlog", "psycopg", "sqlite3", "os", "pathlib")


def layer_of(module: str) -> int:
    top = module.split(".")[0]
    for index, layer in enumerate(LAYERS):
        if top in layer:
            return index
    raise AssertionError(f"module {module} is in no layer: add it to LAYERS in this test")


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        found.append((".".join(rel.parts), path))
    return found


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize(("module", "path"), modules(), ids=[m for m, _ in modules()])
def test_a_module_imports_only_from_its_own_layer_or_below(module: str, path: Path) -> None:
    own = layer_of(module)
    for name in imports_of(path):
        if name.startswith("cpworkflow."):
            target = name.removeprefix("cpworkflow.")
            assert layer_of(target) <= own, f"{module} (layer {own}) imports {target}"


@pytest.mark.parametrize(
    ("module", "path"),
    [(m, p) for m, p in modules() if m.split(".")[0] in DOMAIN],
    ids=[m for m, _ in modules() if m.split(".")[0] in DOMAIN],
)
def test_the_domain_never_touches_the_database_the_cli_logging_or_the_clock(
    module: str, path: Path
) -> None:
    for name in imports_of(path):
        assert name.split(".")[0] not in FORBIDDEN_IN_DOMAIN, f"{module} imports {name}"
    source = path.read_text()
    clock = re.search(r"\b(date\.today|datetime\.now|datetime\.utcnow|time\.time)\(", source)
    assert clock is None, f"{module} reads the clock: {clock.group(0) if clock else ''}"
