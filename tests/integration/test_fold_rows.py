"""`show --as-of` reads a case's events as the fold reads them (store/fold_rows.py), not
as `load` returns them; the case it shows must be the one the full load gives
(`CaseService.case`, the definition), for every case, date and moment, and a row the short
read cannot take must give what the full load gives: the same events, or the same error."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpworkflow.errors import IntegrityError, NotFoundError
from cpworkflow.reads import Reads
from cpworkflow.reports import projections
from cpworkflow.service import CaseService, PointInTime
from cpworkflow.store import EventStore
from cpworkflow.workload.caseload import simulate

Row = dict[str, Any]
TODAY = date(2026, 4, 1)
CHILDREN = 12


class Ticking:
    """A clock a minute further on at every write, so known-at moments fall between them."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture(scope="module")
def caseload(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaseService]:
    path = tmp_path_factory.mktemp("fold_rows") / "caseload.db"
    store = EventStore(f"sqlite:///{path}", clock=Ticking())
    store.init()
    service = CaseService(store, today=lambda: TODAY)
    for envelope in simulate(CHILDREN, seed=3):  # one write each: recorded_at differs
        service.import_lines([json.dumps(envelope)])
    yield service
    store.dispose()


def definition(service: CaseService, case_id: str, point: PointInTime) -> object:
    """`show --as-of` as the full load gives it, or the error it raises."""
    try:
        case = service.case(case_id, point)[0]
    except NotFoundError as err:
        return ("NotFoundError", str(err))
    return projections.show(case, point.as_of or TODAY, service.policies(case.policy).calendar())


def shown(service: CaseService, case_id: str, point: PointInTime) -> object:
    try:
        return Reads(service).show(case_id, point)
    except NotFoundError as err:
        return ("NotFoundError", str(err))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    number=st.integers(1, CHILDREN + 1),  # one more: a case that is not there
    offset=st.integers(-40, 900),
    known_after=st.none() | st.integers(0, 400),
)
def test_show_as_of_is_the_full_loads_case_for_every_case_date_and_moment(
    caseload: CaseService, number: int, offset: int, known_after: int | None
) -> None:
    case_ids = caseload.case_ids()
    case_id = case_ids[number - 1] if number <= len(case_ids) else "NOT-THERE"
    first = caseload.store.load(case_ids[0])[0]
    known_at = None
    if known_after is not None:
        known_at = first.recorded_at + timedelta(minutes=known_after, seconds=30)
    point = PointInTime(as_of=first.occurred_on + timedelta(days=offset), known_at=known_at)
    assert shown(caseload, case_id, point) == definition(caseload, case_id, point)


def _store_with_row(tmp_path: Path, changes: Callable[[Row], Row]) -> EventStore:
    """A store with a case's first two events, and its third as a row written with these
    changes by an insert that goes round the store (as a bad restore or a hand edit could)."""
    story = [json.dumps(e) for e in simulate(1, seed=3)][:3]
    stores = {}
    for name, events in (("odd", story[:2]), ("whole", story)):
        stores[name] = EventStore(f"sqlite:///{tmp_path / name}.db")
        stores[name].init()
        CaseService(stores[name], today=lambda: TODAY).import_lines(events)
    with stores["whole"]._engine.begin() as connection:
        query = sa.text("SELECT * FROM events WHERE seq = 3")
        row = dict(connection.execute(query).mappings().one())
    values = changes({k: v for k, v in row.items() if k != "position"})
    columns = ", ".join(f'"{k}"' for k in values)
    marks = ", ".join(f":{k}" for k in values)
    with stores["odd"]._engine.begin() as connection:
        connection.execute(sa.text(f"INSERT INTO events ({columns}) VALUES ({marks})"), values)
    stores["whole"].dispose()
    return stores["odd"]


@pytest.mark.parametrize(
    "changes",
    [
        lambda row: row | {"data": "[1, 2]"},  # JSON, but not an object
        lambda row: row | {"decision": "{not json"},
        lambda row: row | {"occurred_on": "2025-1-5"},  # not exact ISO text
        lambda row: row | {"actor": 7},  # another type
        # the same object in other text than the store writes: read alike
        lambda row: row | {"data": json.dumps(json.loads(row["data"]), indent=1)},
    ],
)
def test_a_row_the_short_read_cannot_take_gives_what_the_full_load_gives(
    tmp_path: Path, changes: Callable[[Row], Row]
) -> None:
    store = _store_with_row(tmp_path, changes)
    service = CaseService(store, today=lambda: TODAY)
    case_id = store.case_ids()[0]
    point = PointInTime(as_of=TODAY)
    try:
        expected: object = definition(service, case_id, point)
    except IntegrityError as err:
        expected = ("IntegrityError", str(err))
    try:
        got: object = shown(service, case_id, point)
    except IntegrityError as err:
        got = ("IntegrityError", str(err))
    assert got == expected
