"""Upcasters: small pure functions that bring a stored event's data from the schema version
it was written in to the current one (`events.SCHEMA_VERSION`), one version at a time.

Stored events are never rewritten; they are upcast as they are read. A step is registered
for (event type, version it reads) and returns the data of the next version:

    @DEFAULT_UPCASTERS.register("ChildVisited", 1)
    def _visit_v2(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "seen_by": data.get("visitor")}

Every type is at version 1 today, so the default registry is empty. Revision 2 of the
domain added only optional fields (and new types): a field left out means its default, so
a payload written before decodes to exactly what was stored and needs no step
(tests/unit/test_revision2_vocabulary.py checks every frozen and 0.1.0 payload). A field
whose absence old data cannot stand for, or a renamed one, bumps the type's version here
with a step that fills it. A stored version that
cannot be brought up to date (newer than this code, or a step missing) is an
`IntegrityError`: the log cannot be read as it stands, like any other corrupt log.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from cpworkflow.errors import IntegrityError
from cpworkflow.vocabulary.envelope import SCHEMA_VERSION

Data = dict[str, Any]
Upcaster = Callable[[Data], Data]


class Upcasters:
    """A registry of upcasters, keyed by (event type, version read), towards `current`."""

    def __init__(self, current: Mapping[str, int] = SCHEMA_VERSION) -> None:
        self.current = current
        self._steps: dict[tuple[str, int], Upcaster] = {}

    def register(self, event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Decorator: `step` turns `event_type` data of `from_version` into the next."""
        target = self.current.get(event_type)
        if target is None:
            raise ValueError(f"unknown event type {event_type!r}")
        if not 1 <= from_version < target:
            raise ValueError(f"{event_type} is at version {target}: no step from {from_version}")
        if (event_type, from_version) in self._steps:
            raise ValueError(f"an upcaster for {event_type} v{from_version} is already registered")

        def add(step: Upcaster) -> Upcaster:
            self._steps[(event_type, from_version)] = step
            return step

        return add

    def upcast(
        self,
        event_type: str,
        schema_version: int,
        data: Data,
        *,
        case_id: str = "?",
        seq: int | None = None,
    ) -> tuple[Data, int]:
        """`data` at the current version, and that version. Data already current is
        returned as it is; otherwise the steps work on a copy, never the stored dict.
        `case_id` and `seq` only make the IntegrityError say where."""
        target = self.current.get(event_type)
        if target is None:
            raise IntegrityError(case_id, seq, f"unknown event type {event_type!r}")
        if schema_version == target:
            return data, schema_version
        if not 1 <= schema_version < target:
            problem = f"{event_type} schema_version {schema_version} is not one this code reads"
            raise IntegrityError(case_id, seq, f"{problem} (1 to {target})")
        data = copy.deepcopy(data)
        for version in range(schema_version, target):
            step = self._steps.get((event_type, version))
            if step is None:
                problem = f"no upcaster for {event_type} from version {version} to {version + 1}"
                raise IntegrityError(case_id, seq, problem)
            data = step(data)
        return data, target

    def missing(self) -> list[tuple[str, int]]:
        """(event type, version) pairs with no step: empty when every chain is complete."""
        return [
            (event_type, version)
            for event_type, current in self.current.items()
            for version in range(1, current)
            if (event_type, version) not in self._steps
        ]


# The registry the service uses. Empty while every event type is at version 1.
DEFAULT_UPCASTERS = Upcasters()
