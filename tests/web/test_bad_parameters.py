"""A bad parameter is a 400 page that names it, a missing case or page a 404 page; never
a traceback, and never the bad value echoed unescaped."""

from __future__ import annotations

import pytest
from pagetext import text
from starlette.testclient import TestClient

BAD = [
    ("/?page=0", "page: must be a whole number from 1 to"),
    ("/?page=abc", "page: must be a whole number"),
    ("/?page=99", "page: is past the last page (1)"),
    ("/?per_page=1000", "per_page: must be a whole number from 1 to 200"),
    ("/?stage=nowhere", "stage: must be one of referral, cp_plan"),
    ("/?stage=cin&stage=closed", "stage: is given more than once"),
    ("/?colour=red", "colour: is not a parameter of this page"),
    ("/?worker=" + "w" * 65, "worker: must be printable and at most 64 characters"),
    ("/tray?overdue=yes", "overdue: must be one of 1"),
    ("/?worker=nobody", "worker: unknown worker 'nobody'; known workers: "),
    ("/tray?worker=nobody", "worker: unknown worker 'nobody'"),
    ("/tray?role=king", "role: unknown role 'king'; the roles are social_worker"),
    ("/cases/C1001?as_of=2025-02-30", "as_of: is not a real date (YYYY-MM-DD)"),
    ("/cases/C1001?known_at=yesterday", "known_at: is not a timestamp"),
    (
        "/cases/C1001?as_of=2025-03-01&known_at=2025-03-01T09:00",
        "known_at: give as_of or known_at, not both",
    ),
    (
        "/cases/C1001/audit?as_of=2025-03-01",
        "as_of: is not a parameter of this page (it takes none)",
    ),
    ("/rules?pack=blackpool", "pack: must be one of"),
]


@pytest.mark.parametrize(("url", "message"), BAD, ids=[u for u, _ in BAD])
def test_a_bad_parameter_is_a_400_page_naming_it(
    client: TestClient, url: str, message: str
) -> None:
    response = client.get(url)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    words = text(response.text)
    assert "That request cannot be answered" in words
    assert message in words
    assert "Traceback" not in response.text


def test_a_bad_value_is_never_echoed_as_markup(client: TestClient) -> None:
    response = client.get("/?<script>alert(1)</script>=1")
    assert response.status_code == 400
    assert "<script>" not in response.text
    assert "&lt;script&gt;" in response.text


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/cases/C9999", "case C9999 not found"),
        ("/cases/C1001?as_of=2020-01-01", "case C1001 had no events by then"),
        ("/cases/C9999/audit", "case C9999 not found"),
        ("/nowhere", "There is no such page."),
    ],
)
def test_a_missing_case_or_page_is_a_404_page(client: TestClient, url: str, message: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert message in text(response.text)


def test_nothing_can_be_posted_to_a_page(client: TestClient) -> None:
    assert client.post("/cases/C1001").status_code == 405
    assert client.delete("/").status_code == 405
