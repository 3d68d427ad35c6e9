"""The widths of the events table's columns (store/tables.py), without SQLAlchemy: the
input checks (store/inputs.py) refuse what would not fit."""

from __future__ import annotations

from cpworkflow.store.canonical import TIMESTAMP_EXAMPLE

MAX_CASE_ID = 64
MAX_NAME = 64
MAX_KEY = 200
TIMESTAMP_WIDTH = len(TIMESTAMP_EXAMPLE)
