"""Real-browser tests of `cpw serve`: Playwright for Python drives Debian's Chromium
(`/usr/bin/chromium`, apt package chromium; Playwright's own browser download is never
used) against a server in a subprocess on a free localhost port, on the store of
`tests/webstore.py` (SQLite and PostgreSQL).

Screenshots go to `.test-results/screenshots/<engine>/` (test artifacts); with
`CPW_SCREENSHOTS=DIR` they are also written to DIR (`make screenshots` refreshes
docs/screenshots). axe-core comes from npm (`npm ci --prefix tests/browser`).
Without Chromium or axe-core the tests skip, unless CPW_REQUIRE_BROWSER=1 (CI) makes that
a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from webstore import ROOT, Server, serving, web_store

__all__ = ["web_store"]

CHROMIUM = Path(os.environ.get("CPW_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / ".test-results" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _missing(what: str) -> None:
    if os.environ.get("CPW_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{what}, and CPW_REQUIRE_BROWSER=1 requires the browser tests")
    pytest.skip(f"{what}: browser tests skipped")


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if not CHROMIUM.is_file():
        _missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        _missing(f"no axe-core at {AXE} (npm ci --prefix tests/browser)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def server(web_store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(web_store, tmp_path_factory.mktemp("serve")) as running:
        yield running


@pytest.fixture
def shots(request: pytest.FixtureRequest, web_store: str) -> Iterator[list[Path]]:
    """Where this test's screenshots go: a folder per engine, kept after the run."""
    engine = "postgres" if web_store.startswith("postgresql") else "sqlite"
    folder = ARTIFACTS / engine
    folder.mkdir(parents=True, exist_ok=True)
    yield [
        folder,
        *(
            [Path(os.environ["CPW_SCREENSHOTS"])]
            if os.environ.get("CPW_SCREENSHOTS") and engine == "sqlite"
            else []
        ),
    ]
