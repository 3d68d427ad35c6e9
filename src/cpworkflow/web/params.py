"""Query parameters, checked: each page names the parameters it accepts, and anything
else — an unknown name, a repeated one, a date that is not a date — is a BadInputError
naming the parameter, which the app turns into a 400 page."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime

from starlette.datastructures import QueryParams

from cpworkflow.errors import BadInputError

MAX_PER_PAGE = 200
MAX_TEXT = 64


class Params:
    def __init__(self, query: QueryParams, accepted: Collection[str]) -> None:
        for name in query:
            if name not in accepted:
                known = ", ".join(sorted(accepted)) or "none"
                raise BadInputError(
                    f"is not a parameter of this page (it takes {known})", field=name[:40]
                )
            if len(query.getlist(name)) > 1:
                raise BadInputError("is given more than once", field=name)
        self.query = query

    def text(self, name: str) -> str | None:
        value = self.query.get(name, "").strip()
        if not value:
            return None
        if len(value) > MAX_TEXT or not value.isprintable():
            raise BadInputError(f"must be printable and at most {MAX_TEXT} characters", field=name)
        return value

    def choice(self, name: str, choices: Collection[str]) -> str | None:
        value = self.text(name)
        if value is not None and value not in choices:
            raise BadInputError(f"must be one of {', '.join(choices)}", field=name)
        return value

    def number(self, name: str, default: int, maximum: int) -> int:
        value = self.text(name)
        if value is None:
            return default
        if not value.isdigit() or not 1 <= int(value) <= maximum:
            raise BadInputError(f"must be a whole number from 1 to {maximum}", field=name)
        return int(value)

    def day(self, name: str) -> date | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise BadInputError("is not a real date (YYYY-MM-DD)", field=name) from None

    def moment(self, name: str) -> datetime | None:
        """A timestamp in UTC; the date picker's `2025-03-01T09:00` (no zone) is read as UTC."""
        value = self.text(name)
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise BadInputError(
                "is not a timestamp (e.g. 2025-03-04T12:00:00Z)", field=name
            ) from None
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
