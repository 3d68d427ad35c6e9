"""Case data is shown, never run: whatever a record holds — markup in a reason, a case
reference with angle brackets — reaches the page escaped, in every place it appears."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from cpworkflow.service import CaseService
from cpworkflow.store import EventStore
from cpworkflow.web.app import create_app
from webstore import TODAY, reads_on

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
CASE = "C<i>7"
SW = {"id": "sw-<b>1", "role": "social_worker"}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'events.db'}"
    store = EventStore(url)
    store.init()
    service = CaseService(store, today=lambda: TODAY)
    opened = {"child": {"ref": CASE, "birth_date": "2019-02-03"}}
    for type_, data in (
        ("CaseOpened", opened),
        ("DissentRecorded", {"agency": HOSTILE, "about": HOSTILE, "reason": HOSTILE}),
    ):
        service.record(
            {"case_id": CASE, "type": type_, "occurred_on": "2026-01-05", "actor": SW, "data": data}
        )
    store.dispose()
    reads = reads_on(url)
    with TestClient(create_app(reads)) as client:
        yield client
    reads.service.store.dispose()


@pytest.mark.parametrize("page", ["", "/audit"])
def test_markup_in_a_record_is_shown_as_text(hostile: TestClient, page: str) -> None:
    response = hostile.get(f"/cases/{quote(CASE, safe='')}{page}")
    assert response.status_code == 200
    assert "<script>" not in response.text and "<img" not in response.text
    assert "<i>7" not in response.text and "<b>1" not in response.text
    assert "&lt;script&gt;" in response.text and "C&lt;i&gt;7" in response.text


def test_a_case_reference_with_markup_is_escaped_in_the_caseload_and_its_link(
    hostile: TestClient,
) -> None:
    html = hostile.get("/").text
    assert "C&lt;i&gt;7" in html
    assert 'href="/cases/C%3Ci%3E7"' in html
    assert "<i>" not in html


def test_the_stored_markup_is_not_lost_only_escaped(hostile: TestClient) -> None:
    html = hostile.get(f"/cases/{quote(CASE, safe='')}").text
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
