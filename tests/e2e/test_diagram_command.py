"""`cpw diagram` as a reader meets it: the format follows the file's extension, pictures go
to stdout unless that is a terminal, a case's diagram is titled (pack, case, as of) and its
steps carry their seq in `cpw history`."""

from __future__ import annotations

import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_harness import TODAY, cpw, json_of, ok

CPW = Path(sys.executable).parent / "cpw"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz 'dot' is not installed (apt-get install graphviz); CI installs it",
)


def environment(db: str) -> dict[str, str]:
    return {**os.environ, "CPW_DB": db, "CPW_TODAY": TODAY}


@needs_dot
@pytest.mark.parametrize(
    ("name", "starts"),
    [("c.svg", b"<?xml"), ("c.png", PNG_MAGIC), ("c.dot", b"// The case"), ("c.gv", b"//")],
)
def test_the_format_follows_the_extension_of_the_output_file(
    samples_db: str, tmp_path: Path, name: str, starts: bytes
) -> None:
    target = tmp_path / name
    assert ok(samples_db, "diagram", "--case", "C1001", "-o", str(target)).stderr == (
        f"wrote {target}\n"
    )
    assert target.read_bytes().startswith(starts)


def test_a_mermaid_file_needs_no_graphviz(samples_db: str, tmp_path: Path) -> None:
    target = tmp_path / "C1003.mmd"
    ok(samples_db, "diagram", "--case", "C1003", "-o", str(target))
    assert target.read_text().startswith('---\ntitle: "Case C1003 on the lifecycle')


def test_an_extension_that_names_no_format_is_refused_naming_those_that_do(
    samples_db: str, tmp_path: Path
) -> None:
    result = cpw(samples_db, "diagram", "-o", str(tmp_path / "c.txt"))
    assert result.exit_code == 2
    assert result.stderr == (
        "error: -o: cannot tell the format from '.txt'; end the file in one of .mmd,"
        " .mermaid, .dot, .gv, .svg, .png, or give --format\n"
    )
    assert not (tmp_path / "c.txt").exists()


def test_a_format_that_contradicts_the_extension_is_refused(
    samples_db: str, tmp_path: Path
) -> None:
    target = tmp_path / "c.svg"
    result = cpw(samples_db, "diagram", "--format", "png", "-o", str(target))
    assert (result.exit_code, result.stderr) == (
        2,
        f"error: --format: png, but -o {target} ends in .svg, which is svg\n",
    )


@needs_dot
def test_a_png_goes_to_stdout_when_stdout_is_a_file(samples_db: str, tmp_path: Path) -> None:
    target = tmp_path / "c.png"
    with target.open("wb") as out:
        done = subprocess.run(
            [str(CPW), "diagram", "--case", "C1001", "--format", "png"],
            stdout=out,
            stderr=subprocess.PIPE,
            env=environment(samples_db),
            check=False,
        )
    assert (done.returncode, done.stderr) == (0, b"")
    assert target.read_bytes().startswith(PNG_MAGIC)


def test_a_png_is_not_poured_onto_a_terminal(samples_db: str) -> None:
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [str(CPW), "diagram", "--format", "png"],
            stdout=follower,
            stderr=subprocess.PIPE,
            env=environment(samples_db),
            check=False,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 2
    assert done.stderr.decode() == (
        "error: --format: PNG is binary: give -o FILE.png or send stdout to a file (> FILE.png)\n"
    )


def test_a_cases_diagram_is_titled_with_the_case_its_pack_and_the_day(samples_db: str) -> None:
    text = ok(samples_db, "diagram", "--case", "C1001").stdout
    assert text.startswith(
        f'---\ntitle: "Case C1001 on the lifecycle: policy default 2025.1, as of {TODAY}"\n---\n'
    )
    past = ok(samples_db, "diagram", "--case", "C1001", "--as-of", "2025-06-01").stdout
    assert 'as of 2025-06-01"\n' in past
    assert "class cp_plan current" in past  # where the case stood then, not now
    plain = ok(samples_db, "diagram").stdout
    assert plain.startswith('---\ntitle: "The case lifecycle (the same in every policy pack)"\n')


def test_the_steps_on_the_path_are_the_seqs_of_cpw_history(samples_db: str) -> None:
    history = json_of(samples_db, "history", "C1001")
    changes = [
        e["seq"]
        for before, e in zip([None, *history], history, strict=False)
        if before is None or before["stage_after"] != e["stage_after"]
    ]
    text = ok(samples_db, "diagram", "--case", "C1001").stdout
    numbered = re.findall(r": \(([\d, -]+)\) ", text)
    seqs: set[int] = set()
    for label in numbered:
        for part in label.split(", "):
            low, _, high = part.partition("-")
            seqs.update(range(int(low), int(high or low) + 1))
    assert set(changes) <= seqs
    assert seqs <= {e["seq"] for e in history}
    assert max(seqs) > len(changes)  # numbered by seq, not by counting the steps


def test_a_point_in_time_without_a_case_is_refused(samples_db: str) -> None:
    result = cpw(samples_db, "diagram", "--as-of", "2025-06-01")
    assert (result.exit_code, result.stderr) == (
        2,
        "error: --case: --as-of, --known-at and --at-seq need --case\n",
    )


def test_without_graphviz_an_svg_is_refused_naming_the_package(
    samples_db: str, tmp_path: Path
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "cpworkflow", "diagram", "-o", str(tmp_path / "c.svg")],
        capture_output=True,
        env={**environment(samples_db), "PATH": str(empty)},
        check=False,
    )
    assert done.returncode == 2
    assert b"install the Debian package graphviz (apt-get install graphviz)" in done.stderr
    assert not (tmp_path / "c.svg").exists()
