"""The web view's connection URL: the same database, opened so that it cannot write, for
any URL a user gives `--db`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from cpworkflow.errors import BadInputError, StoreUnavailableError
from cpworkflow.records import NewEvent
from cpworkflow.store import EventStore
from cpworkflow.web.connection import read_only_url, store_label


def test_a_sqlite_file_with_spaces_in_its_path_opens_read_only(tmp_path: Path) -> None:
    folder = tmp_path / "case files #1 ?50%"
    url = f"sqlite:///{folder / 'events.db'}"
    EventStore(url).init()
    read_only = read_only_url(url)
    assert read_only.endswith("?mode=ro&uri=true") and "%2520" in read_only
    store = EventStore(read_only)
    assert store.count() == 0
    opened = NewEvent(
        case_id="C1",
        type="CaseOpened",
        occurred_on=date(2026, 1, 5),
        actor={"id": "sw-1", "role": "social_worker"},
        data={"child": {"ref": "C1"}},
        schema_version=1,
        policy="default",
        policy_version="2025.1",
        decision={"stage_after": "referral", "opened": [], "met": [], "lapsed": []},
    )
    with pytest.raises(StoreUnavailableError, match="readonly"):
        store.append("C1", [opened])
    store.dispose()


def test_a_relative_sqlite_path_is_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    EventStore("sqlite:///store/events.db").init()
    assert read_only_url("sqlite:///store/events.db") == (
        f"sqlite:///file:{tmp_path}/store/events.db?mode=ro&uri=true"
    )


def test_postgresql_keeps_its_options_and_adds_read_only_transactions() -> None:
    url = "postgresql+psycopg://reader:pw@db.example:5432/cpw?options=-csearch_path%3Dcpw"
    options = sa.make_url(read_only_url(url)).query["options"]
    assert options == "-csearch_path=cpw -c default_transaction_read_only=on"
    assert sa.make_url(read_only_url(url)).password == "pw"  # noqa: S105 - a test URL


@pytest.mark.parametrize("url", ["mysql://x/y", "not a url", "sqlite://", "sqlite:///:memory:"])
def test_a_url_that_cannot_be_served_is_bad_input(url: str) -> None:
    with pytest.raises(BadInputError):
        read_only_url(url)


def test_the_footer_names_the_store_without_its_password() -> None:
    label = store_label("postgresql+psycopg://reader:secret@db.example/cpw?options=x")
    assert label == "Store: PostgreSQL database cpw on db.example, read-only."
    assert "secret" not in label
    assert store_label("sqlite:////srv/cpw/events.db").startswith("Store: SQLite file events.db")
