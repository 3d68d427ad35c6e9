"""The lifecycle as a graph to draw, from THE transition table (`lifecycle`): its edges
(one per stage-changing row and source stage), what is not drawn, and a case's path on it
with each step numbered by its event's seq.

Facts (internal transitions, `dest=None`) do not change the stage, so they are not edges:
a comment in each drawing names them.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from cpworkflow.lifecycle import machine as lifecycle

# An edge of the lifecycle: (source stage or None before CaseOpened, event, dest).
EdgeKey = tuple[str | None, str, str]


class Step(NamedTuple):
    """One step a case took along an edge, numbered by the event's seq in its history."""

    seq: int
    source: str | None
    trigger: str
    dest: str

    @property
    def edge(self) -> EdgeKey:
        return (self.source, self.trigger, self.dest)


@dataclass(frozen=True)
class Edge:
    """One arrow: a row of the table from one source stage (None: the case is opened)."""

    source: str | None
    trigger: str
    dest: str
    condition: str | None = None

    @property
    def key(self) -> EdgeKey:
        return (self.source, self.trigger, self.dest)

    @property
    def label(self) -> str:
        return f"{self.trigger} [{self.condition}]" if self.condition else self.trigger


def edges() -> tuple[Edge, ...]:
    """Every stage-changing transition, one per source stage, in table order."""
    drawn = [Edge(None, lifecycle.OPENING_EVENT, lifecycle.FIRST_STAGE)]
    for row in lifecycle.machine_config()["transitions"]:
        if row["dest"] is not None:
            condition = " and ".join(row["conditions"]) or None
            drawn += [Edge(s, row["trigger"], row["dest"], condition) for s in row["source"]]
    return tuple(drawn)


def not_drawn() -> list[str]:
    """The comment naming what is not drawn: internal transitions, which keep the stage."""
    rows = [r for r in lifecycle.machine_config()["transitions"] if r["dest"] is None]
    drawn = {e.trigger for e in edges()}
    within = [f"{r['trigger']} in {', '.join(r['source'])}" for r in rows if r["trigger"] in drawn]
    facts = ", ".join(dict.fromkeys(r["trigger"] for r in rows if r["trigger"] not in drawn))
    parts = "; ".join([*within, f"the facts {facts}"] if facts else within)
    text = f"Not drawn, as the stage does not change: {parts}"
    text += " (`cpw events` lists the stages that accept each)."
    return textwrap.wrap(text, width=90)


class _Event(Protocol):
    @property
    def seq(self) -> int: ...
    @property
    def type(self) -> str: ...
    @property
    def decision(self) -> Mapping[str, Any]: ...


def path_of(events: Iterable[_Event]) -> list[Step]:
    """The edges a case took, in order, from its events (each `decision["stage_after"]`),
    each numbered by its event's seq. A fact is not a step; a self-loop in the table (a CiN
    review meeting) is."""
    on_edges = {e.key for e in edges()}
    steps: list[Step] = []
    stage: str | None = None
    for event in events:
        after = event.decision["stage_after"]
        if (stage, event.type, after) in on_edges:
            steps.append(Step(event.seq, stage, event.type, after))
        stage = after
    return steps


@dataclass(frozen=True)
class Highlight:
    numbers: dict[EdgeKey, list[int]]  # the seqs of the steps taken along each edge
    visited: tuple[str, ...]  # stages the path passed through, in STAGES order
    current: str | None

    def label(self, edge: Edge) -> str:
        numbers = self.numbers.get(edge.key)
        return f"({_ranges(numbers)}) {edge.label}" if numbers else edge.label


def highlight(path: Sequence[Step], current: str | None) -> Highlight:
    if current is not None and current not in lifecycle.STAGES:
        raise ValueError(f"{current!r} is not a stage")
    on_edges = {e.key for e in edges()}
    numbers: dict[EdgeKey, list[int]] = {}
    for step in sorted(path):
        if step.edge not in on_edges:
            raise ValueError(
                f"step {step.seq} {step.source} -{step.trigger}-> {step.dest}"
                " is not in the lifecycle"
            )
        numbers.setdefault(step.edge, []).append(step.seq)
    passed = {stage for step in path for stage in (step.source, step.dest)} - {None, current}
    visited = tuple(stage for stage in lifecycle.STAGES if stage in passed)
    return Highlight(numbers, visited, current)


def _ranges(numbers: Sequence[int]) -> str:
    """1, 2, 3, 5 -> "1-3, 5"."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)
