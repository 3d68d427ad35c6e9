"""The one error hierarchy. The CLI maps each class to an exit code in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    """One rule that refused a decision: its id, what is missing, and where the rule comes from."""

    rule: str
    reason: str
    source: str

    def line(self) -> str:
        return f"refused: {self.rule}: {self.reason} ({self.source})"


class CpwError(Exception):
    """Base class of every error cpworkflow raises on purpose."""


class RefusedError(CpwError):
    """A rule refused the event; nothing was written."""

    def __init__(self, refusals: tuple[Refusal, ...], *, line: int | None = None) -> None:
        self.refusals = refusals
        self.line = line
        super().__init__("; ".join(r.line() for r in refusals))


class BadInputError(CpwError):
    """Malformed input: names the field (or line) and what is wrong with it."""

    def __init__(self, message: str, *, field: str | None = None, line: int | None = None) -> None:
        self.field = field
        self.line = line
        where = ""
        if line is not None:
            where += f"line {line}: "
        if field is not None:
            where += f"{field}: "
        super().__init__(f"{where}{message}")


class ConflictError(CpwError):
    """Optimistic concurrency: the expected version did not match the stored one."""

    def __init__(self, case_id: str, expected: int, actual: int) -> None:
        self.case_id = case_id
        self.expected = expected
        self.actual = actual
        super().__init__(f"case {case_id}: expected version {expected}, but it is at {actual}")


class IntegrityError(CpwError):
    """A stored log is corrupt: broken hash chain, gap in seq, or an illegal step on replay."""

    def __init__(self, case_id: str, seq: int | None, problem: str) -> None:
        self.case_id = case_id
        self.seq = seq
        self.problem = problem
        at = f" at seq {seq}" if seq is not None else ""
        super().__init__(f"case {case_id}{at}: {problem}")


class NotFoundError(CpwError):
    """The case (or another named thing) does not exist."""
