"""The web view's HTTP tests: Starlette's TestClient over the app, on the store of
`tests/webstore.py` (SQLite and PostgreSQL, built once a session, opened read-only)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from cpworkflow.web.app import create_app
from webstore import reads_on, web_store

__all__ = ["web_store"]


@pytest.fixture(scope="session")
def client(web_store: str) -> Iterator[TestClient]:
    reads = reads_on(web_store)
    with TestClient(create_app(reads), raise_server_exceptions=True) as test_client:
        yield test_client
    reads.service.store.dispose()
