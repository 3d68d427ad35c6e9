"""Who may see the records and how they are sent: the headers on every page, the token
gate (bearer token or the login page's cookie), where the server may listen, and a
connection that cannot write, on both engines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from pagetext import text
from starlette.testclient import TestClient

from cpworkflow.errors import BadInputError, StoreUnavailableError
from cpworkflow.records import NewEvent
from cpworkflow.store import EventStore
from cpworkflow.web.app import create_app
from cpworkflow.web.connection import read_only_url
from cpworkflow.web.security import COOKIE
from cpworkflow.web.serving import check_binding
from webstore import reads_on

TOKEN = "s3cret-token-for-tests"  # noqa: S105 - a test token, not a credential


@pytest.fixture(scope="module")
def guarded(web_store: str) -> Iterator[TestClient]:
    reads = reads_on(web_store)
    with TestClient(create_app(reads, token=TOKEN), follow_redirects=False) as test_client:
        yield test_client
    reads.service.store.dispose()


@pytest.mark.parametrize("url", ["/", "/cases/C1001", "/cases/C1001/audit", "/tray", "/rules"])
def test_every_page_forbids_framing_sniffing_and_caching(client: TestClient, url: str) -> None:
    headers = client.get(url).headers
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src" not in csp  # no script may run at all
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"
    assert headers["referrer-policy"] == "no-referrer"


def test_an_error_page_carries_the_same_headers(client: TestClient) -> None:
    headers = client.get("/?page=0").headers
    assert headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_without_the_token_a_program_is_refused_and_a_browser_sent_to_sign_in(
    guarded: TestClient,
) -> None:
    refused = guarded.get("/cases/C1001")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert "C1001" not in refused.text
    browser = guarded.get("/cases/C1001", headers={"accept": "text/html"})
    assert browser.status_code == 303
    assert browser.headers["location"] == "/login?next=/cases/C1001"
    wrong = guarded.get("/", headers={"authorization": "Bearer not-it"})
    assert wrong.status_code == 401


def test_the_bearer_token_opens_every_page(guarded: TestClient) -> None:
    response = guarded.get("/cases/C1001", headers={"authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert "Case C1001" in text(response.text)


def test_the_login_page_takes_the_token_and_sets_a_session_cookie(web_store: str) -> None:
    reads = reads_on(web_store)
    with TestClient(create_app(reads, token=TOKEN), follow_redirects=False) as browser:
        form = browser.get("/login?next=/cases/C1003")
        assert form.status_code == 200
        assert '<label for="token">Access token</label>' in form.text
        wrong = browser.post("/login", data={"token": "guess", "next": "/cases/C1003"})
        assert wrong.status_code == 401 and "That token is not right." in text(wrong.text)
        assert COOKIE not in browser.cookies
        right = browser.post("/login", data={"token": TOKEN, "next": "/cases/C1003"})
        assert right.status_code == 303 and right.headers["location"] == "/cases/C1003"
        cookie = right.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert TOKEN not in cookie  # a digest of the token, not the token
        assert browser.get("/cases/C1003").status_code == 200
        out = browser.post("/logout")
        assert out.status_code == 303
        assert browser.get("/cases/C1003").status_code == 401
    reads.service.store.dispose()


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil"])
def test_the_login_page_never_sends_anyone_to_another_site(
    guarded: TestClient, target: str
) -> None:
    response = guarded.post("/login", data={"token": TOKEN, "next": target})
    assert response.status_code == 303
    assert response.headers["location"] == "/"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_this_machine_may_be_served_without_a_token(host: str) -> None:
    check_binding(host, None)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::", "example.org"])  # noqa: S104
def test_any_other_address_needs_a_token(host: str) -> None:
    with pytest.raises(BadInputError, match="without --token"):
        check_binding(host, None)
    check_binding(host, TOKEN)


def test_the_web_views_connection_cannot_write(web_store: str) -> None:
    store = EventStore(read_only_url(web_store))
    before = store.count()
    event = NewEvent(
        case_id="C1001",
        type="AssessmentStarted",
        occurred_on=date(2026, 6, 1),
        actor={"id": "sw-104", "role": "social_worker"},
        data={},
        schema_version=1,
        policy="default",
        policy_version="2025.1",
        decision={"stage_after": "closed", "opened": [], "met": [], "lapsed": []},
    )
    with pytest.raises(StoreUnavailableError, match="read"):
        store.append("C1001", [event])
    assert store.count() == before
    store.dispose()


def test_a_missing_sqlite_store_is_refused_rather_than_created(tmp_path: object) -> None:
    with pytest.raises(StoreUnavailableError, match="no store at"):
        read_only_url(f"sqlite:///{tmp_path}/none.db")


def test_without_a_token_there_is_nothing_to_sign_in_to(client: TestClient) -> None:
    response = client.get("/login?next=/cases/C1001", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/cases/C1001"
    assert "Sign out" not in client.get("/").text
