"""What every `cpw` command shares: the app (store and service, opened on demand), today,
output, the point-in-time options, and the mapping of errors to exit codes.

The store, the service and the policy packs are imported only when a command opens the
app: `cpw --help`, completion and the self-documenting commands never load SQLAlchemy."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, NoReturn

import click

from cpworkflow.errors import (
    BadInputError,
    ConflictError,
    CpwError,
    IntegrityError,
    NotFoundError,
    RefusedError,
    StoreUnavailableError,
)

if TYPE_CHECKING:
    from cpworkflow.reads import Reads
    from cpworkflow.service import CaseService, PointInTime

DEFAULT_DB = "sqlite:///eventstore/cpworkflow.db"
MAX_LINE_BYTES = 1024 * 1024
EXIT_CODES: dict[type[CpwError], int] = {
    RefusedError: 1,
    BadInputError: 2,
    ConflictError: 3,
    IntegrityError: 4,
    NotFoundError: 5,
    StoreUnavailableError: 6,
}
INTERNAL_ERROR = 70  # a bug: one line, the traceback only with --log-level debug


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The extended ISO 8601 forms only (what `history` prints): date, T, hours and minutes,
# optional seconds and fraction, optional Z or ±HH:MM. ASCII digits only.
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})?"
)
MAX_COUNT = 2**31 - 1  # a seq or a version: the store's integer column


class WholeNumber(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.2 on
    """An integer written in ASCII digits (`int()` would take `٣` for 3), within bounds."""

    name = "integer"

    def __init__(self, minimum: int | None = None, maximum: int = MAX_COUNT) -> None:
        self.minimum, self.maximum = minimum, maximum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value)
        if not re.fullmatch(r"-?[0-9]{1,20}", text):
            self.fail(f"{text[:40]!r} is not a whole number (ASCII digits 0-9)", param, ctx)
        number = int(text)
        if (self.minimum is not None and number < self.minimum) or number > self.maximum:
            low = "" if self.minimum is None else f"{self.minimum} to "
            self.fail(f"{number} is out of range ({low}{self.maximum})", param, ctx)
        return number


def today() -> date:
    """The real date, unless CPW_TODAY=YYYY-MM-DD says otherwise (demos and tests)."""
    value = os.environ.get("CPW_TODAY")
    if not value:
        return date.today()
    parsed = parse_date(value, "CPW_TODAY")
    assert parsed is not None
    return parsed


class App:
    """Opens the store only when a command needs it. Read commands use `service`, which
    never creates anything: a missing store is StoreUnavailableError (exit 6). Commands
    that write use `writer`, which creates the store if it is missing."""

    def __init__(self, db: str, policy_files: tuple[str, ...] = ()) -> None:
        self.db = db
        self.policy_files = policy_files
        self._service: CaseService | None = None

    @property
    def service(self) -> CaseService:
        return self._open(create=False)

    @property
    def writer(self) -> CaseService:
        return self._open(create=True)

    def _open(self, *, create: bool) -> CaseService:
        if self._service is None:
            from cpworkflow.cli.startup import importing

            with importing("service"):
                from cpworkflow.policy.loading import policy_resolver
                from cpworkflow.service import CaseService
                from cpworkflow.store import EventStore

                policies = policy_resolver(*self.policy_files)
                store = EventStore(self.db)
            try:
                if not create:
                    store.require()
                elif not store.read_models.schema_current():  # one look at the store's catalogue
                    store.init()
            except CpwError:
                store.dispose()
                raise
            self._service = CaseService(store, today=today, policies=policies)
        return self._service

    @property
    def reads(self) -> Reads:
        from cpworkflow.cli.startup import importing

        with importing("reads"):
            from cpworkflow.reads import Reads
        return Reads(self.service)

    def close(self) -> None:
        """Close the store's connections (PostgreSQL sessions, SQLite files) on the way out."""
        if self._service is not None:
            self._service.store.dispose()
            self._service = None


pass_app = click.make_pass_decorator(App)


def emit(value: Any, as_json: bool, text: Callable[[Any], str]) -> None:
    """The value as one JSON document (`json.dumps(value, indent=2, ensure_ascii=False)`'s
    text, written by msgspec where it gives the same) or as `text` renders it."""
    if as_json:
        from cpworkflow.reports.json_text import document

        click.echo(document(value))
    else:
        click.echo(text(value))


def json_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")(f)


def point_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--at-seq", type=WholeNumber(minimum=1), help="After the first N events.")(f)
    f = click.option(
        "--known-at", metavar="TIMESTAMP", help="What the system had been told by then (UTC)."
    )(f)
    f = click.option("--as-of", metavar="DATE", help="What had happened by then, as known now.")(f)
    return f


def parse_date(value: str | None, field: str) -> date | None:
    """A `YYYY-MM-DD` date (not `20250205`, not an ISO week date), or None."""
    if value is None:
        return None
    try:
        if not _DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise BadInputError(
            f"{value[:40]!r} is not a real date (YYYY-MM-DD)", field=field
        ) from None


def parse_timestamp(value: str | None) -> datetime | None:
    """`YYYY-MM-DDTHH:MM[:SS[.ffffff]]` with `Z` or `±HH:MM` (UTC if neither), within
    years 1 to 9999 once in UTC."""
    if value is None:
        return None
    try:
        if not _TIMESTAMP.fullmatch(value):
            raise ValueError(value)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise BadInputError(
            f"{value[:40]!r} is not a timestamp between years 1 and 9999 in UTC"
            " (e.g. 2025-03-04T12:00:00Z)",
            field="--known-at",
        ) from None


def case_id_value(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A click callback for a CASE_ID argument or `--case`: an id that breaks the id rule
    (`vocabulary/ids.py`) can name no case, so it is bad input (exit 2, saying why), as it
    is for `record`, not "not found"."""
    from cpworkflow.vocabulary import ids

    reason = None if value is None else ids.check(value)
    if reason is not None:
        where = "CASE_ID" if param.param_type_name == "argument" else "--case"
        raise BadInputError(reason, field=where)
    return value


def point(as_of: str | None, known_at: str | None, at_seq: int | None) -> PointInTime:
    from cpworkflow.service import PointInTime

    if sum(x is not None for x in (as_of, known_at, at_seq)) > 1:
        raise BadInputError("give at most one of --as-of, --known-at, --at-seq")
    return PointInTime(
        at_seq=at_seq, as_of=parse_date(as_of, "--as-of"), known_at=parse_timestamp(known_at)
    )


def fail(err: CpwError) -> NoReturn:
    """Print the error (one line per refused rule) and exit with its code."""
    code = next((c for cls, c in EXIT_CODES.items() if isinstance(err, cls)), 2)
    if isinstance(err, RefusedError):
        prefix = f"line {err.line}: " if err.line is not None else ""
        for refusal in err.refusals:
            click.echo(prefix + refusal.line(), err=True)
    else:
        click.echo(f"error: {err}", err=True)
    raise SystemExit(code)


class Progress:
    """A progress bar on stderr when it is a terminal; otherwise a log line every `every`
    steps. Used as `with Progress(total, "importing") as tick: ... tick(n)`."""

    def __init__(self, total: int, label: str, *, every: int = 1000) -> None:
        self.total, self.label, self.every = total, label, every
        self.bar: Any = None

    def __enter__(self) -> Callable[[int], None]:
        if sys.stderr.isatty():
            self.bar = click.progressbar(length=self.total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
            return lambda n: self.bar.update(1)
        from cpworkflow.logs import get_logger

        log = get_logger("cpworkflow.cli")
        return lambda n: (
            log.info(f"{self.label} progress", step=n, total=self.total)
            if n % self.every == 0
            else None
        )

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
