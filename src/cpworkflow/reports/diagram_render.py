"""DOT text to SVG or PNG through Graphviz's `dot` binary (a subprocess, no shell).

Graphviz is a system package, not a Python dependency: without it, Mermaid and DOT text
still work and only rendering raises `DiagramToolMissing`.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Literal

from cpworkflow.errors import BadInputError, CpwError

Format = Literal["svg", "png"]
FORMATS: tuple[Format, ...] = ("svg", "png")
TIMEOUT_SECONDS = 60


class DiagramToolMissing(CpwError):
    """Graphviz's `dot` is not installed, so SVG and PNG cannot be rendered."""

    def __init__(self) -> None:
        super().__init__(
            "Graphviz 'dot' was not found; install the Debian package graphviz "
            "(apt-get install graphviz)"
        )


def dot_available() -> bool:
    return shutil.which("dot") is not None


def graphviz_version() -> str:
    """What `dot -V` says, e.g. "dot - graphviz version 2.43.0 (0)"."""
    result = subprocess.run([_dot(), "-V"], capture_output=True, check=True)
    return result.stderr.decode().strip()


def render(dot_text: str, fmt: Format) -> bytes:
    """The picture `dot` draws from the text, as SVG or PNG bytes."""
    if fmt not in FORMATS:
        raise BadInputError(f"cannot render {fmt!r}; choose one of {', '.join(FORMATS)}")
    result = subprocess.run(
        [_dot(), f"-T{fmt}"],
        input=dot_text.encode(),
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode != 0:
        problem = result.stderr.decode(errors="replace").strip().splitlines()
        raise BadInputError(f"Graphviz 'dot' refused the diagram: {' '.join(problem[:2])}")
    return result.stdout


def _dot() -> str:
    found = shutil.which("dot")
    if found is None:
        raise DiagramToolMissing
    return found
