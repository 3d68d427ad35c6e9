"""The one events table (SQLAlchemy Core). `eventstore/schema.sql` is generated from it.

Text that is compared or sorted (`case_id`, `recorded_at`) uses the "C" collation on
PostgreSQL, so both engines order it by code point, as SQLite's BINARY collation does.
`recorded_at` is fixed-width UTC text, `YYYY-MM-DDTHH:MM:SS.ffffffZ`: exactly the string
that is hashed, exact to the microsecond, and ordered chronologically by plain comparison.
"""

from __future__ import annotations

import sqlalchemy as sa

from cpworkflow.store.limits import MAX_CASE_ID, MAX_KEY, MAX_NAME, TIMESTAMP_WIDTH

__all__ = ["MAX_CASE_ID", "MAX_KEY", "MAX_NAME", "TIMESTAMP_WIDTH", "events", "metadata"]

TABLE = "events"
CASE_SEQ_UNIQUE = "events_case_seq_key"
CASE_KEY_UNIQUE = "events_case_key_idx"

metadata = sa.MetaData()


def _collated(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


events = sa.Table(
    TABLE,
    metadata,
    # SQLite: INTEGER PRIMARY KEY AUTOINCREMENT (a position is never reused).
    # PostgreSQL: an identity column, whose sequence is used inside the append lock.
    sa.Column(
        "position",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        sa.Identity(),
        primary_key=True,
    ),
    sa.Column("case_id", _collated(MAX_CASE_ID), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("type", sa.String(MAX_NAME), nullable=False),
    sa.Column("occurred_on", sa.Date, nullable=False),
    sa.Column("recorded_at", _collated(TIMESTAMP_WIDTH), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("decision", sa.Text, nullable=False),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("policy", sa.String(MAX_NAME), nullable=False),
    sa.Column("policy_version", sa.String(MAX_NAME), nullable=False),
    sa.Column("key", sa.String(MAX_KEY), nullable=True),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    # The optimistic concurrency control: two writers cannot both store seq N of a case.
    sa.UniqueConstraint("case_id", "seq", name=CASE_SEQ_UNIQUE),
    sa.CheckConstraint("seq >= 1", name="events_seq_from_1"),
    sa.CheckConstraint("schema_version >= 1", name="events_schema_version_from_1"),
    sqlite_autoincrement=True,
)

# Idempotency: a key is stored at most once per case.
KEY_INDEX = sa.Index(
    CASE_KEY_UNIQUE,
    events.c.case_id,
    events.c.key,
    unique=True,
    sqlite_where=events.c.key.is_not(None),
)


def for_postgresql() -> None:
    """The key index's WHERE clause for PostgreSQL. Given to the index only when a
    PostgreSQL engine is made (or its schema printed): naming a `postgresql_` option loads
    SQLAlchemy's PostgreSQL dialect (some 35 ms), which a SQLite command never needs."""
    KEY_INDEX.dialect_options["postgresql"]["where"] = events.c.key.is_not(None)
