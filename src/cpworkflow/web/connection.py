"""A store that cannot write: the web view opens the database read-only, so no bug in a
page can ever change a child's record.

SQLite: the file is opened as a URI with `mode=ro` (the driver refuses every write).
PostgreSQL: every transaction starts read-only (`default_transaction_read_only=on`, set
as a connection option), so an INSERT fails with `read_only_sql_transaction`.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

from cpworkflow.errors import BadInputError, StoreUnavailableError


def read_only_url(url: str) -> str:
    """The same database as `url`, opened so that it cannot be written."""
    try:
        parsed = sa.make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        raise BadInputError("is not a database URL", field="--db") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite(parsed)
    if backend == "postgresql":
        options = parsed.query.get("options", "")
        joined = " ".join([options] if isinstance(options, str) else list(options))
        read_only = f"{joined} -c default_transaction_read_only=on".strip()
        return parsed.update_query_dict({"options": read_only}).render_as_string(
            hide_password=False
        )
    raise BadInputError("must be a sqlite:/// or postgresql+psycopg:// URL", field="--db")


def _sqlite(parsed: sa.URL) -> str:
    database = parsed.database or ""
    if parsed.query.get("uri") in ("true", "1"):
        if parsed.query.get("mode") != "ro":
            return parsed.update_query_dict({"mode": "ro"}).render_as_string()
        return parsed.render_as_string()
    if not database or database == ":memory:":
        raise BadInputError(
            "give the store's file, e.g. sqlite:///eventstore/cpworkflow.db", field="--db"
        )
    path = Path(database).absolute()
    if not path.is_file():
        raise StoreUnavailableError(f"no store at {path} (create one with `cpw init`)")
    # Quoted twice: SQLAlchemy decodes the URL once, and SQLite decodes the file URI
    # again (a space, `#` or `?` in a folder's name must reach SQLite escaped).
    return f"sqlite:///file:{quote(quote(path.as_posix()))}?mode=ro&uri=true"


def store_label(url: str) -> str:
    """Which store is shown, for the page footer: never a password or a query string."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"Store: SQLite file {Path(parsed.database or '').name}, opened read-only."
    return f"Store: PostgreSQL database {parsed.database} on {parsed.host}, read-only."
