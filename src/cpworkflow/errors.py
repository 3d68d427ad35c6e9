"""The one error hierarchy. The CLI maps each class to an exit code in one place
(`cpworkflow.cli.support.EXIT_CODES`): refused 1, bad input 2, conflict 3, integrity 4,
not found 5, store missing or unreachable 6; anything else that escapes is a bug (70)."""

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


class KeyReusedError(ConflictError):
    """An idempotency key already stored for the case, sent again with different content:
    the client is confused about what it recorded, so nothing is written."""

    def __init__(self, case_id: str, key: str, seq: int, differs: str) -> None:
        CpwError.__init__(
            self,
            f"case {case_id}: key {key[:60]!r} is already recorded as seq {seq}"
            f" with a different {differs}; nothing was written (use a new key)",
        )
        self.case_id = case_id
        self.key = key
        self.expected = self.actual = seq


class IntegrityError(CpwError):
    """A stored log is corrupt: broken hash chain, gap in seq, or an illegal step on replay."""

    def __init__(self, case_id: str, seq: int | None, problem: str) -> None:
        self.case_id = case_id
        self.seq = seq
        self.problem = problem
        at = f" at seq {seq}" if seq is not None else ""
        super().__init__(f"case {case_id}{at}: {problem}")


class GuardsOffError(IntegrityError):
    """The database's own append-only guards (its triggers) are missing or disabled: it no
    longer refuses UPDATE and DELETE, so nothing more is written until they are back."""

    def __init__(self, problems: list[str]) -> None:
        CpwError.__init__(self, "; ".join(problems))
        self.case_id = ""
        self.seq = None
        self.problem = "; ".join(problems)
        self.problems = problems


class NotFoundError(CpwError):
    """The case (or another named thing) does not exist."""


class StoreUnavailableError(CpwError):
    """The store is missing (no such SQLite file, no events table: run `cpw init`) or the
    database cannot be reached or could not do what was asked."""
