"""An obligation: a timescale (T-…) opened by one event and met, or lapsed, by a later one.

Its due date is computed once, when it opens, and stored with the opening event; status
as of a date is plain date comparison, so a later change to the holiday calendar never
rewrites history.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

# Statuses: open (not yet due), overdue (open and past due), met (on or before due),
# met_late (after due; late_by_working_days says how late), lapsed (the stage it belonged
# to ended before it was met: for an auditor, a timescale that was never met).


def obligation_id(seq: int, rule: str) -> str:
    return f"{seq}:{rule}"


@dataclass(frozen=True, slots=True)
class Obligation:
    id: str
    rule: str
    due: date
    owner_role: str
    opened_seq: int
    opened_on: date
    met_on: date | None = None
    met_seq: int | None = None
    late_by_working_days: int | None = None
    lapsed_on: date | None = None

    @classmethod
    def from_json(cls, spec: Mapping[str, Any], *, opened_seq: int, opened_on: date) -> Obligation:
        return made(
            str(spec["id"]),
            str(spec["rule"]),
            date.fromisoformat(spec["due"]),
            str(spec["owner_role"]),
            opened_seq,
            opened_on,
        )

    @property
    def is_open(self) -> bool:
        return self.met_on is None and self.lapsed_on is None

    def status(self, as_of: date) -> str:
        if self.met_on is not None:
            return "met" if self.met_on <= self.due else "met_late"
        if self.lapsed_on is not None:
            return "lapsed"
        return "overdue" if as_of > self.due else "open"

    # meet, lapse and reopen build the new obligation directly (`made`) rather than with
    # dataclasses.replace (several times slower): they run for every obligation a replay
    # applies and a re-derivation looks at.

    def meet(self, on: date, seq: int, late_by: int) -> Obligation:
        return made(
            self.id, self.rule, self.due, self.owner_role, self.opened_seq, self.opened_on,
            on, seq, late_by, None,
        )  # fmt: skip

    def lapse(self, on: date) -> Obligation:
        return made(
            self.id, self.rule, self.due, self.owner_role, self.opened_seq, self.opened_on,
            self.met_on, self.met_seq, self.late_by_working_days, on,
        )  # fmt: skip

    def reopen(self) -> Obligation:
        if self.is_open and self.met_seq is None and self.late_by_working_days is None:
            return self  # already open: frozen, so the same one serves
        return made(self.id, self.rule, self.due, self.owner_role, self.opened_seq, self.opened_on)

    def to_json(self, as_of: date, text: Callable[[date], str] = date.isoformat) -> dict[str, Any]:
        """`text` writes a date (`date.isoformat`; a caller writing many obligations, whose
        dates repeat, may pass a memo of it: `DateTexts`)."""
        return {
            "id": self.id,
            "rule": self.rule,
            "due": text(self.due),
            "status": self.status(as_of),
            "met_on": text(self.met_on) if self.met_on else None,
            "late_by_working_days": self.late_by_working_days,
            "owner_role": self.owner_role,
            "opened_seq": self.opened_seq,
            "opened_on": text(self.opened_on),
            "lapsed_on": text(self.lapsed_on) if self.lapsed_on else None,
        }


class DateTexts(dict[date, str]):
    """`date.isoformat`, remembered: `DateTexts().__getitem__` is a `to_json` text that
    looks a date up (in C) and writes each one once. A case's obligations share their
    dates (two opened by each visit, met by the next), and writing one costs some
    eight lookups."""

    def __missing__(self, day: date) -> str:
        self[day] = found = day.isoformat()
        return found


class _Unfrozen:
    """Obligation's slots, in its order, writable. The frozen dataclass's __init__ sets
    each field through object.__setattr__, some nine times slower than a plain store; an
    Obligation is made for every obligation that evolve (so every decision of an import)
    opens, meets or lapses."""

    __slots__ = Obligation.__slots__
    id: str
    rule: str
    due: date
    owner_role: str
    opened_seq: int
    opened_on: date
    met_on: date | None
    met_seq: int | None
    late_by_working_days: int | None
    lapsed_on: date | None


def made(
    id: str,
    rule: str,
    due: date,
    owner_role: str,
    opened_seq: int,
    opened_on: date,
    met_on: date | None = None,
    met_seq: int | None = None,
    late_by_working_days: int | None = None,
    lapsed_on: date | None = None,
) -> Obligation:
    """`Obligation(...)` of these fields, the same in every way (type, fields, frozen):
    filled as an `_Unfrozen`, whose layout is Obligation's, then made the Obligation its
    layout is (Python allows the class of an instance to change between two such
    classes). tests/unit/test_obligation_made.py holds the two to each other."""
    ob = _Unfrozen()
    ob.id = id
    ob.rule = rule
    ob.due = due
    ob.owner_role = owner_role
    ob.opened_seq = opened_seq
    ob.opened_on = opened_on
    ob.met_on = met_on
    ob.met_seq = met_seq
    ob.late_by_working_days = late_by_working_days
    ob.lapsed_on = lapsed_on
    ob.__class__ = Obligation  # type: ignore[assignment]
    return ob  # type: ignore[return-value]
