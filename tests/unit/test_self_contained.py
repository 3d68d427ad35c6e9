"""A user's clone has no `shared/` folder beside it: no test may read one. What the tests
quote (the seed documents, the census schema) is copied under tests/fixtures/."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).parents[1]
# Ways a test could reach outside the repository for the shared folder.
OUTSIDE = re.compile(
    r"""["']shared["']|\.\./shared|shared/(seeds|reference)|CPW_SHARED|CPW_SEEDS"""
)


def test_no_test_reads_the_shared_folder_beside_the_repository() -> None:
    readers = [
        f"{path.relative_to(TESTS)}:{n}: {line.strip()}"
        for path in sorted(TESTS.rglob("*.py"))
        if "node_modules" not in path.parts and path != Path(__file__)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert readers == []


def test_the_seed_documents_the_scenarios_quote_are_in_the_repository() -> None:
    seeds = sorted(p.name[:3] for p in (TESTS / "fixtures" / "seeds").glob("*.txt"))
    assert seeds == ["000", "001", "002", "003", "004"]
    assert (TESTS / "fixtures" / "seeds" / "README.md").is_file()
