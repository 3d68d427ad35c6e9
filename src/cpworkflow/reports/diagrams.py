"""The case lifecycle as a diagram, drawn from THE transition table (`lifecycle`), so the
picture cannot drift from the code: Mermaid (GitHub renders it) and Graphviz DOT, with one
case's path and current stage highlighted on request.

The text is written here from `lifecycle.machine_config()` rather than by `transitions`'
own Mermaid engine: that engine draws every fact as a labelled self-loop, marks the
attached model's state as active, and cannot number a case's steps or label the opening
event. Both drawings run top-down (they read at page width), carry a title (which pack,
which case, as of when) and a legend; a case's steps are numbered by their `seq` in
`cpw history`. The graph and a case's path on it are in `diagram_path`; rendering to
SVG/PNG is in `diagram_render`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

from cpworkflow.errors import BadInputError
from cpworkflow.lifecycle import machine as lifecycle
from cpworkflow.reports.diagram_path import (
    Edge,
    Highlight,
    Step,
    edges,
    highlight,
    not_drawn,
    path_of,
)
from cpworkflow.reports.diagram_render import DiagramToolMissing, dot_available, render

__all__ = [
    "DiagramToolMissing",
    "Edge",
    "Step",
    "case_title",
    "dot",
    "dot_available",
    "edges",
    "format_of",
    "mermaid",
    "path_of",
    "picture",
    "render",
    "write_all",
]

NAME = "case-lifecycle"
GENERATED = "Generated from src/cpworkflow/lifecycle/machine.py by `make diagrams`; do not edit."
FORMATS = ("mermaid", "dot", "svg", "png")
EXTENSIONS = {".mmd": "mermaid", ".mermaid": "mermaid", ".dot": "dot", ".gv": "dot",
              ".svg": "svg", ".png": "png"}  # fmt: skip
TITLE = "The case lifecycle (the same in every policy pack)"
CURRENT_FILL, VISITED_FILL, PATH_COLOUR = "#f97316", "#dbeafe", "#c2410c"
# What the colours and numbers mean, drawn on every highlighted diagram.
LEGEND = (
    ("current", CURRENT_FILL, "the case's stage now"),
    ("passed", VISITED_FILL, "a stage the case passed through"),
    ("(n)", PATH_COLOUR, "a step the case took: n is its seq in cpw history"),
)

MERMAID_LEGEND = (
    ("orange", LEGEND[0][2]),
    ("blue", LEGEND[1][2]),
    ("(n) before an event", LEGEND[2][2]),
)


def case_title(case_id: str, policy: str, as_of: str) -> str:
    """The title of a case's diagram: which case, under which pack, as it stood when."""
    return f"Case {case_id} on the lifecycle: policy {policy}, as of {as_of}"


log = logging.getLogger(__name__)


def mermaid(path: Sequence[Step] = (), current: str | None = None, title: str = TITLE) -> str:
    """A top-down Mermaid stateDiagram-v2 of the lifecycle, titled, with a note for its
    legend; `path` and `current` highlight a case."""
    mark = highlight(path, current)
    lit = bool(path or current)
    # YAML front matter: quoted, as a title holds ": " (a JSON string is a YAML string)
    lines = ["---", f"title: {json.dumps(title)}", "---", "stateDiagram-v2"]
    lines.append(f"  %% The case lifecycle. {GENERATED}")
    lines += [f"  %% {line}" for line in not_drawn()]
    lines.append("  direction TB")
    lines += [f"  {stage}" for stage in lifecycle.STAGES]
    for edge in edges():
        lines.append(f"  {edge.source or '[*]'} --> {edge.dest}: {mark.label(edge)}")
    lines.append(f"  note right of {lifecycle.FIRST_STAGE}")
    lines.append("    An arrow is an event that changes the stage, [the condition on its data].")
    if lit:
        lines += [f"    {key}: {meaning}" for key, meaning in MERMAID_LEGEND]
    lines.append("  end note")
    if lit:
        lines.append("  %% Mermaid cannot style single edges: the labels number the case's steps.")
        lines.append(f"  classDef visited fill:{VISITED_FILL},stroke:#1d4ed8,color:#000")
        lines.append(
            f"  classDef current fill:{CURRENT_FILL},stroke:#9a3412,stroke-width:3px,color:#000"
        )
        if mark.visited:
            lines.append(f"  class {','.join(mark.visited)} visited")
        if current:
            lines.append(f"  class {current} current")
    return "\n".join(lines) + "\n"


def dot(path: Sequence[Step] = (), current: str | None = None, title: str = TITLE) -> str:
    """Graphviz DOT of the same graph, top-down and titled; a case's path is drawn bold
    and numbered, with a legend."""
    mark = highlight(path, current)
    lines = [f"// The case lifecycle. {GENERATED}"]
    lines += [f"// {line}" for line in not_drawn()]
    lines += [
        "digraph case_lifecycle {",
        '  graph [rankdir=TB, nodesep=0.4, ranksep=0.6, fontname="Helvetica",'
        f' label="{_quoted(title)}", labelloc=t, fontsize=18];',
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica",'
        ' fontsize=12, margin="0.2,0.08"];',
        '  edge [fontname="Helvetica", fontsize=9, color="#444444", arrowsize=0.7];',
        '  start [shape=point, width=0.14, label="", fillcolor="#000000"];',
    ]
    for stage in lifecycle.STAGES:
        lines.append(f"  {stage}{_node_style(stage, mark)};")
    for edge in edges():
        lines.append(f"  {edge.source or 'start'} -> {edge.dest} [{_edge_style(edge, mark)}];")
    lines += _legend(lit=bool(path or current))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _legend(*, lit: bool) -> list[str]:
    """A key in the corner: what an arrow is and, on a case, what the colours mean."""
    rows = ['<tr><td colspan="2"><b>Legend</b></td></tr>']
    rows.append(
        '<tr><td>event [condition]</td><td align="left">an event that changes the stage</td></tr>'
    )
    if lit:
        for name, colour, meaning in LEGEND:
            # a stage is shown by its fill, a step by the colour of its number
            key = (
                f'<td><font color="{colour}"><b>{name}</b></font></td>'
                if name == "(n)"
                else f'<td bgcolor="{colour}">{name}</td>'
            )
            rows.append(f'<tr>{key}<td align="left">{meaning}</td></tr>')
    table = "".join(rows)
    return [
        '  legend [shape=plaintext, style="", fontsize=10, label=<'
        f'<table border="0" cellborder="1" cellspacing="0" cellpadding="4">{table}</table>>];'
    ]


def _node_style(stage: str, mark: Highlight) -> str:
    if stage == mark.current:
        return (
            f' [fillcolor="{CURRENT_FILL}", color="#9a3412", penwidth=3, fontname="Helvetica-Bold"]'
        )
    if stage in mark.visited:
        return f' [fillcolor="{VISITED_FILL}", color="#1d4ed8", penwidth=1.5]'
    return ""


def _edge_style(edge: Edge, mark: Highlight) -> str:
    text = mark.label(edge).replace(" [", r"\n[", 1)  # the condition on a second line
    label = f'label="{text}"'
    if edge.key in mark.numbers:
        return f'{label}, color="{PATH_COLOUR}", fontcolor="{PATH_COLOUR}", penwidth=2.5'
    if mark.numbers:
        return f'{label}, color="#b0b0b0", fontcolor="#909090"'
    return label


def picture(
    fmt: str, path: Sequence[Step] = (), current: str | None = None, title: str = TITLE
) -> bytes:
    """The diagram in one of FORMATS: Mermaid or DOT text, or an SVG or PNG drawn by
    Graphviz (`DiagramToolMissing` without it). The web view reuses the SVG."""
    if fmt == "mermaid":
        return mermaid(path, current, title).encode()
    text = dot(path, current, title)
    return text.encode() if fmt == "dot" else render(text, "svg" if fmt == "svg" else "png")


def format_of(output: str | None, fmt: str | None) -> str:
    """The format to write: `--format` if given, else the one the file's extension names,
    else Mermaid; a --format the extension contradicts is bad input."""
    suffix = Path(output).suffix.lower() if output else ""
    named = EXTENSIONS.get(suffix)
    if output is not None and named is None and fmt is None:
        known = ", ".join(EXTENSIONS)
        raise BadInputError(
            f"cannot tell the format from {suffix or 'a name without an extension'!r};"
            f" end the file in one of {known}, or give --format",
            field="-o",
        )
    if fmt is not None and named is not None and fmt != named:
        raise BadInputError(
            f"{fmt}, but -o {output} ends in {suffix}, which is {named}", field="--format"
        )
    return fmt or named or "mermaid"


def markdown() -> str:
    """The committed page: GitHub renders the fenced Mermaid block."""
    return (
        "# The case lifecycle\n\n"
        f"```mermaid\n{mermaid()}```\n\n"
        "Generated by `make diagrams` from `src/cpworkflow/lifecycle/machine.py` (the transition "
        "table the engine runs); policy packs do not change this graph, only the guards "
        "and timescales on it.\n"
    )


def write_all(folder: Path) -> list[Path]:
    """Write the committed diagrams into `folder`; the SVG only when Graphviz is installed
    (otherwise the committed SVG is kept and a warning says it was not refreshed)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {f"{NAME}.md": markdown().encode(), f"{NAME}.dot": dot().encode()}
    if dot_available():
        files[f"{NAME}.svg"] = render(dot(), "svg")
    else:
        log.warning("%s.svg not refreshed: %s", NAME, DiagramToolMissing())
    written = []
    for name, body in files.items():
        target = folder / name
        target.write_bytes(body)
        written.append(target)
    return written
