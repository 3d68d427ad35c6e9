"""The read models' tables, kept beside the log (eventstore/README.md, "Read models").

`case_summaries` holds one row a case, `open_obligations` one row an open obligation; both
are written in the transaction that appends the events they derive from, and say which
log position they reflect. Unlike `events` they are rewritten (a case's rows are replaced
on every append), so they carry no append-only triggers: `verify` checks them against
replay and `cpw rebuild` recomputes them. `read_model_state` says they have been built.
Dates are ISO text, as in the JSON views, so both engines compare and sort them alike.
"""

from __future__ import annotations

import sqlalchemy as sa

from cpworkflow.store.tables import MAX_CASE_ID, MAX_KEY, MAX_NAME, metadata

DAY = 10  # YYYY-MM-DD


def _collated(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


case_summaries = sa.Table(
    "case_summaries",
    metadata,
    sa.Column("case_id", _collated(MAX_CASE_ID), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),  # the last seq the row reflects
    sa.Column("position", sa.BigInteger, nullable=False),  # ... and its log position
    sa.Column("stage", sa.String(MAX_NAME)),
    sa.Column("stage_since", sa.String(DAY)),
    sa.Column("policy", sa.String(MAX_NAME), nullable=False),
    sa.Column("policy_version", sa.String(MAX_NAME), nullable=False),
    sa.Column("worker", sa.String(MAX_KEY)),  # the social worker holding the case
    sa.Column("team", sa.String(MAX_KEY)),
    sa.Column("categories", sa.Text, nullable=False),
    sa.Column("plan_started_on", sa.String(DAY)),
    sa.Column("people", sa.Text, nullable=False),  # {role: person id}, JSON
)
sa.Index("case_summaries_stage_idx", case_summaries.c.stage)
sa.Index("case_summaries_worker_idx", case_summaries.c.worker)

open_obligations = sa.Table(
    "open_obligations",
    metadata,
    sa.Column("case_id", _collated(MAX_CASE_ID), primary_key=True),
    sa.Column("obligation_id", _collated(MAX_KEY), primary_key=True),
    sa.Column("rule", sa.String(MAX_NAME), nullable=False),
    sa.Column("due", sa.String(DAY), nullable=False),
    sa.Column("owner_role", sa.String(MAX_NAME), nullable=False),
    sa.Column("owner_id", sa.String(MAX_KEY)),  # who holds that role on the case
    sa.Column("opened_seq", sa.Integer, nullable=False),
    sa.Column("opened_on", sa.String(DAY), nullable=False),
)
# `cpw due` and the work tray read these columns in this order (soonest first): the index
# hands them over sorted, so a page is read without the rest and `due < today` is a range.
_DUE_ORDER = ("due", "case_id", "rule", "obligation_id", "owner_role", "owner_id")
sa.Index("open_obligations_due_order_idx", *(open_obligations.c[n] for n in _DUE_ORDER))
sa.Index("open_obligations_owner_idx", open_obligations.c.owner_id)

read_model_state = sa.Table(
    "read_model_state",
    metadata,
    sa.Column("name", sa.String(MAX_NAME), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
READ_TABLES = (case_summaries, open_obligations, read_model_state)
# Indexes of earlier versions that one of the above replaces: dropped from a store that has
# them when its read models' indexes are brought up to date (`read_models.upgrade`).
REPLACED_INDEXES = {open_obligations.name: ("open_obligations_due_idx",)}
SUMMARY_FIELDS = tuple(c.name for c in case_summaries.columns if c.name != "case_id")
OBLIGATION_FIELDS = tuple(c.name for c in open_obligations.columns if c.name != "case_id")
