"""`make demo` (scripts/demo.sh), run for real: it tells one child's case as a story, shows
a rule refusing a step, the case on a past date, the audit, and ends with the diagram's
path; afterwards `cpw show` on the demo's case works in the same store, and a second run
writes nothing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cpworkflow.store import EventStore

ROOT = Path(__file__).parents[2]
CPW = Path(sys.executable).parent / "cpw"
pytestmark = pytest.mark.slow  # some 20 real `cpw` processes a run


def run_demo(db: str, out: Path, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CPW_DB": db, "CPW": str(CPW), "DEMO_OUT": str(out)}
    env.pop("CPW_TODAY", None)
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "demo.sh")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )


def without_graphviz(tmp_path: Path) -> str:
    """A PATH holding only what the demo script itself calls, so `dot` is not on it."""
    folder = tmp_path / "bin-without-dot"
    folder.mkdir()
    for tool in ("bash", "tr", "realpath", "mkdir"):
        found = shutil.which(tool)
        assert found is not None, tool
        (folder / tool).symlink_to(found)
    return str(folder)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, str]:
    folder = tmp_path_factory.mktemp("demo")
    db = f"sqlite:///{folder / 'demo.db'}"
    done = run_demo(db, folder)
    assert done.returncode == 0, done.stderr
    return db, folder, done.stdout


def test_the_demo_tells_the_case_step_by_step_from_referral_to_closure(
    first_run: tuple[str, Path, str],
) -> None:
    _, _, out = first_run
    steps = re.findall(r"^(\d+)\. (.+)$", out, re.MULTILINE)
    assert [int(n) for n, _ in steps] == list(range(1, len(steps) + 1))
    assert 12 <= len(steps) <= 20
    assert all(sentence.endswith((".", "...", ":")) for _, sentence in steps)
    assert "DEMO-1: CaseOpened recorded as seq 1; stage referral" in out
    assert f"DEMO-1: FinalChildInNeedReviewHeld recorded as seq {len(steps)}; stage closed" in out


def test_the_demo_shows_a_rule_refusing_a_step_by_its_id_and_source(
    first_run: tuple[str, Path, str],
) -> None:
    _, _, out = first_run
    assert "Refused:" in out
    assert "refused: G-FIRST-REVIEW: " in out  # refusals go to stderr, which the demo shows
    assert re.search(r"^refused: G-FIRST-REVIEW: .+ \(001, 002\)$", out, re.MULTILINE)


def test_the_demo_says_how_late_and_how_overdue(first_run: tuple[str, Path, str]) -> None:
    _, _, out = first_run
    assert "met: T-CP-VISIT on 2025-10-24, 5 working days late" in out
    assert "due: T-OUTCOMES by 2025-12-15 (cp_chair): already overdue by 2 working days" in out


def test_the_demo_shows_the_case_on_a_past_date_its_history_and_audit(
    first_run: tuple[str, Path, str],
) -> None:
    _, _, out = first_run
    assert "Case DEMO-1: stage cp_plan since 2025-09-22" in out  # as it stood on 2025-11-01
    assert "Audit of case DEMO-1 as of 2026-04-01: stage closed" in out
    assert "Integrity: hash chain, sequence and replay verified" in out


def test_the_demo_ends_with_the_path_of_its_diagram(first_run: tuple[str, Path, str]) -> None:
    _, folder, out = first_run
    last = out.rstrip().splitlines()[-1]
    assert last.startswith("The diagram: ")
    picture = Path(last.removeprefix("The diagram: "))
    assert picture.is_file()
    assert picture.parent == folder.resolve()
    if shutil.which("dot"):
        assert picture.name == "DEMO-1-lifecycle.svg"
        root = ET.parse(picture).getroot()  # noqa: S314 - drawn by our own dot call
        texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
        assert "Case DEMO-1 on the lifecycle: policy default 2025.1, as of 2026-04-01" in texts
        assert {"(1) CaseOpened", "(17) FinalChildInNeedReviewHeld"} <= texts


def test_after_the_demo_cpw_show_finds_its_case_in_the_same_store(
    first_run: tuple[str, Path, str],
) -> None:
    db, _, out = first_run
    assert f"CPW_DB={db} {CPW} show DEMO-1" in out
    shown = subprocess.run(
        [str(CPW), "show", "DEMO-1"],
        capture_output=True,
        text=True,
        env={**os.environ, "CPW_DB": db},
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("Case DEMO-1: stage closed")


def test_a_second_run_without_graphviz_writes_nothing_and_says_why_there_is_no_svg(
    first_run: tuple[str, Path, str], tmp_path: Path
) -> None:
    db, _, _ = first_run
    before = EventStore(db).count()
    again = run_demo(db, tmp_path, path=without_graphviz(tmp_path))
    assert again.returncode == 0, again.stderr
    assert "DEMO-1 is already in this store" in again.stdout
    assert "key already recorded as seq 1; nothing written" in again.stdout
    assert EventStore(db).count() == before
    assert "Graphviz 'dot' is not installed, so no SVG: sudo apt-get install -y graphviz" in (
        again.stdout
    )
    last = again.stdout.rstrip().splitlines()[-1]
    assert last == f"The diagram: {(tmp_path / 'DEMO-1-lifecycle.mmd').resolve()}"
    assert "\nstateDiagram-v2\n" in (tmp_path / "DEMO-1-lifecycle.mmd").read_text()
