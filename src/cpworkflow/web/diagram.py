"""The lifecycle diagram with a case's path lit, as the SVG `cpw diagram --case` draws,
ready to sit inline in a page (no XML prolog, no doctype). Cached by path: many cases
share one, and Graphviz takes tens of milliseconds a drawing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from markupsafe import Markup

from cpworkflow.records import StoredEvent
from cpworkflow.reports import diagrams

LABEL = "The case lifecycle: the stages this case passed through and its current stage lit"


def svg(events: Iterable[StoredEvent], current: str | None) -> Markup | None:
    """The picture, or None when Graphviz is not installed (the page says so)."""
    if not diagrams.dot_available():
        return None
    return _drawn(tuple(diagrams.path_of(events)), current)


@lru_cache(maxsize=256)
def _drawn(path: Sequence[diagrams.Step], current: str | None) -> Markup:
    text = diagrams.render(diagrams.dot(path, current), "svg").decode()
    start = text.find("<svg")
    body = text[start:] if start >= 0 else text
    # Graphviz's own text is escaped by Graphviz; the labels are stage and event names.
    labelled = body.replace("<svg", f'<svg role="img" aria-label="{LABEL}"', 1)
    return Markup(labelled)  # noqa: S704 - Graphviz output from the transition table
