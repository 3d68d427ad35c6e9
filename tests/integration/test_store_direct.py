"""The direct path (store/sqlite_direct.py) against SQLAlchemy's on the same kind of SQLite
file: the same answers, the same stored rows, the same errors; the generated statements
are not stale; and the direct path's commands import no SQLAlchemy."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import new_event

from cpworkflow.errors import BadInputError, CpwError
from cpworkflow.records import CaseView
from cpworkflow.store import EventStore, sqlite_setup, sqlite_sql, sqlite_statements
from cpworkflow.store.read_tables import OBLIGATION_FIELDS, SUMMARY_FIELDS
from store_urls import through_sqlalchemy


def test_the_generated_statements_are_those_sqlalchemy_compiles_now() -> None:
    """Stale when it fails: run `make statements`."""
    for name, value in sqlite_sql.values().items():
        assert getattr(sqlite_statements, name) == value, f"{name} is stale: make statements"


def _paths(tmp_path: Path, name: str = "events.db") -> tuple[str, str]:
    """The same file as the direct path opens it and as SQLAlchemy does."""
    url = f"sqlite:///{tmp_path / name}"
    return url, through_sqlalchemy(url)


def test_only_a_plain_sqlite_file_url_takes_the_direct_path() -> None:
    assert sqlite_setup.plain_file("sqlite:///a/b.db") == Path("a/b.db")
    assert sqlite_setup.plain_file("sqlite:////abs/b.db") == Path("/abs/b.db")
    for other in (
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite:///file:x?mode=memory&uri=true",
        "sqlite:///b.db?timeout=3",
        "sqlite:///b%2Edb",
        "postgresql+psycopg://u@h/db",
        "sqlite:///",
    ):
        assert sqlite_setup.plain_file(other) is None, other


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite:///"])
def test_an_in_memory_url_is_refused_as_before(url: str) -> None:
    with pytest.raises(BadInputError, match="in-memory"):
        EventStore(url)


def _failure(store: EventStore, call: str) -> str:
    with pytest.raises(CpwError) as raised:
        getattr(store, call)("C1") if call != "require" else store.require()
    return f"{type(raised.value).__name__}: {raised.value}"


def _both(tmp_path: Path, name: str) -> tuple[EventStore, EventStore]:
    direct, general = _paths(tmp_path, name)
    return EventStore(direct), EventStore(general)


@pytest.mark.parametrize("call", ["require", "load", "version", "exists"])
def test_a_file_that_is_not_a_database_fails_alike(tmp_path: Path, call: str) -> None:
    (tmp_path / "junk.db").write_bytes(b"not a database at all, " * 100)
    direct, general = _both(tmp_path, "junk.db")
    assert _failure(direct, call) == _failure(general, call)
    assert "file is not a database" in _failure(direct, call)
    assert not direct.read_models.schema_current()
    assert not general.read_models.schema_current()


def test_a_missing_file_and_a_database_without_the_log_fail_alike(tmp_path: Path) -> None:
    direct, general = _both(tmp_path, "none.db")
    assert _failure(direct, "require") == _failure(general, "require")
    assert "no store at" in _failure(direct, "require")
    assert not (tmp_path / "none.db").exists()
    assert not direct.read_models.schema_current()
    sqlite3.connect(tmp_path / "other.db").execute("CREATE TABLE t (x)").connection.close()
    direct, general = _both(tmp_path, "other.db")
    assert _failure(direct, "require") == _failure(general, "require")
    assert "no events table" in _failure(direct, "require")


def test_an_old_schema_is_not_current_on_either_path(tmp_path: Path) -> None:
    direct_url, general_url = _paths(tmp_path)
    EventStore(general_url).init()
    assert EventStore(direct_url).read_models.schema_current()
    with sqlite3.connect(tmp_path / "events.db") as connection:
        connection.execute("DROP INDEX open_obligations_owner_idx")
    assert not EventStore(direct_url).read_models.schema_current()
    assert not EventStore(general_url).read_models.schema_current()


def _view(case_id: str, version: int) -> CaseView:
    summary: dict[str, Any] = {name: f"{name}-{version}" for name in SUMMARY_FIELDS}
    summary.update(version=version, position=0)
    del summary["position"]
    owed = {name: f"{name}-{version}" for name in OBLIGATION_FIELDS}
    owed["opened_seq"] = version
    return CaseView(case_id, summary, (owed,) if version % 2 else ())


_STEP = st.tuples(
    st.sampled_from(["C1", "C2"]),  # case
    st.integers(1, 3),  # events in the batch
    st.sampled_from([None, "k1", "k2"]),  # the first event's key
    st.sampled_from(["none", "right", "wrong"]),  # expected version
    st.booleans(),  # decided under the lock instead
)


def _outcome(store: EventStore, step: tuple[str, int, str | None, str, bool], n: int) -> Any:
    case_id, size, key, expect, locked = step
    events = [
        new_event(case_id, data={"n": n, "i": i}, key=key if i == 0 else None) for i in range(size)
    ]
    try:
        if locked:
            result = store.append_decided(case_id, lambda _: events[0], lambda: _view(case_id, n))
        else:
            version = store.version(case_id)
            expected = {"none": None, "right": version, "wrong": version + 5}[expect]
            result = store.append(case_id, events, expected, view=_view(case_id, n))
    except CpwError as err:
        return f"{type(err).__name__}: {err}"
    return result


def _tables(path: Path) -> dict[str, list[Any]]:
    with sqlite3.connect(path) as connection:
        return {
            t: connection.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
            for t in ("events", "case_summaries", "open_obligations", "read_model_state")
        }


def _reads(store: EventStore) -> list[Any]:
    """The caseload reads of the read models, with and without each kind of filter."""
    models = store.read_models
    found: list[Any] = [models.built(), models.known()]
    found += [models.knows_worker(w) for w in ("owner_id-1", "worker-2", "nobody", "")]
    for filters in ({}, {"case_id": "C1"}, {"role": "owner_role-1", "worker": "owner_id-1"}):
        due: dict[str, str | None] = {"case_id": None, "role": None, "worker": None, **filters}
        found.append(models.due(due, None))
        found.append(models.due(due, "due-5", offset=1, limit=2))
        found.append(models.due_page(due, None, offset=0, limit=1))
    found.append(models.due({"stage": "stage-3"}, None))
    for chosen in ({}, {"stage": "stage-3"}, {"worker": "worker-1", "team": "team-1"}):
        case: dict[str, str | None] = {"stage": None, "worker": None, "team": None, "pack": None}
        case.update(chosen)
        found.append(models.cases(case, "due-4"))
        found.append(models.cases(case, "due-4", overdue_only=True, offset=1, limit=1))
    return found


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(_STEP, max_size=8))
def test_appends_on_the_direct_path_equal_sqlalchemys(
    tmp_path_factory: pytest.TempPathFactory, steps: list[Any]
) -> None:
    """The same appends on two files, one by each path, with the same clock: the same
    results (or errors), the same loads and heads, the same stored rows."""
    folder = tmp_path_factory.mktemp("direct")
    stores = []
    for name, url in zip(("direct.db", "general.db"), _paths(folder, "x.db"), strict=True):
        url = url.replace("x.db", name).replace("x%2Edb", name.replace(".", "%2E"))
        ticks = iter(datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=s) for s in range(99))
        store = EventStore(url, clock=lambda ticks=ticks: next(ticks))
        store.init()
        stores.append(store)
    direct, general = stores
    assert direct._direct is not None and general._direct is None
    for n, step in enumerate(steps):
        assert _outcome(direct, step, n) == _outcome(general, step, n)
    for case_id in ("C1", "C2", "C3"):
        assert direct.load(case_id) == general.load(case_id)
        assert direct.load(case_id, to_seq=2) == general.load(case_id, to_seq=2)
        assert (direct.version(case_id), direct.last_hash(case_id)) == (
            general.version(case_id),
            general.last_hash(case_id),
        )
        assert direct.exists(case_id) == general.exists(case_id)
    assert _tables(folder / "direct.db") == _tables(folder / "general.db")
    assert _reads(direct) == _reads(general)
    assert direct.verify() == []
    for store in stores:
        store.dispose()


def test_the_direct_path_imports_no_sqlalchemy(tmp_path: Path) -> None:
    """require, schema_current, load, version, an append (and its repeat) and the caseload
    reads on a SQLite file, in a fresh process: no `sqlalchemy` module is imported (`python
    -X importtime`). The commands' own modules outside the store are another matter
    (tests/e2e/test_startup.py)."""
    url = f"sqlite:///{tmp_path / 'events.db'}"
    store = EventStore(url)
    store.init()
    store.dispose()
    code = (
        "import sys\n"
        "from datetime import date\n"
        "from cpworkflow.records import NewEvent\n"
        "from cpworkflow.store import EventStore\n"
        f"s = EventStore({url!r}); s.require(); assert s.read_models.schema_current()\n"
        "e = NewEvent(case_id='C1', type='ChildVisited', occurred_on=date(2025, 3, 4),"
        " actor={'id': 'sw1', 'role': 'social_worker'}, data={'seen': True}, schema_version=1,"
        " policy='default', policy_version='2025.1', decision={}, key='k1')\n"
        "s.append('C1', [e], 0); assert s.append('C1', [e]).duplicate\n"
        "assert s.version('C1') == 1 and len(s.load('C1')) == 1 and s.exists('C1')\n"
        "m = s.read_models; assert m.built() and not m.knows_worker('w') and m.known()\n"
        "m.due({'case_id': None, 'role': None, 'worker': None}, None)\n"
        "m.cases({'stage': None, 'worker': None, 'team': None, 'pack': None}, '2025-03-04')\n"
        "s.dispose()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sqlalchemy'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
    assert "sqlalchemy" not in done.stderr
