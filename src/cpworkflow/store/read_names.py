"""What the caseload reads of the read models give and take, by name, without SQLAlchemy:
read_models.py builds their statements and the direct path (sqlite_direct.py) runs them,
one compiled for each set of the parameters in `DUE_GIVEN` and `CASES_GIVEN` that is given
(store/sqlite_sql.py)."""

from __future__ import annotations

from typing import Any

DUE_COLUMNS = ("case_id", "rule", "due", "owner_role", "owner_id", "stage", "policy")
CASE_COLUMNS = ("case_id", "version", "stage", "stage_since", "policy", "worker", "team", "people")
CASES_ROW = (*CASE_COLUMNS, "open", "overdue", "oldest_overdue")
DUE_FILTERS = ("case_id", "role", "worker", "stage")
CASE_FILTERS = ("stage", "worker", "team", "pack")
DUE_GIVEN = (*DUE_FILTERS, "before", "limit")
CASES_GIVEN = (*CASE_FILTERS, "overdue", "limit")


def given(values: dict[str, Any], order: tuple[str, ...]) -> str:
    """The names in `order` whose values are given (not None), as a statement's name ends."""
    return ",".join(n for n in order if values.get(n) is not None)


def named(workers: set[Any], teams: set[Any]) -> dict[str, list[str]]:
    """`known`'s answer from the values found."""
    return {
        "workers": sorted(str(w) for w in workers if w),
        "teams": sorted(str(t) for t in teams if t),
    }
