"""What a person sees in a real browser: caseload → case → a past date → what was known
then → audit, the event data opening, the printed audit, no console errors, and an
axe-core accessibility check of every page (WCAG 2 A and AA rules: labels, headings,
landmarks, contrast, ...). Screenshots of each page are kept as test artifacts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from cpworkflow.reports.diagrams import dot_available
from webstore import Server


class Visit:
    """One person's tab: every console error and page error is kept, and screenshots go
    to the artifact folders."""

    def __init__(self, page: Page, server: Server, shots: list[Path]) -> None:
        self.page, self.server, self.shots = page, server, shots
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda err: self.errors.append(f"page error: {err}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(f"console {message.type}: {message.text}")

    def go(self, path: str) -> None:
        response = self.page.goto(self.server.url + path)
        assert response is not None and response.status == 200, path

    def shot(self, name: str, selector: str | None = None) -> None:
        """The viewport, or the element `selector` picks out."""
        for folder in self.shots:
            folder.mkdir(parents=True, exist_ok=True)
            path = str(folder / f"{name}.png")
            if selector is None:
                self.page.screenshot(path=path, full_page=False)
            else:
                self.page.locator(selector).screenshot(path=path)


@pytest.fixture
def visit(chromium: Browser, server: Server, shots: list[Path]) -> Iterator[Visit]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    tab = Visit(context.new_page(), server, shots)
    yield tab
    context.close()
    assert tab.errors == []


def test_a_person_goes_from_the_caseload_to_a_case_to_a_past_date_to_its_audit(
    visit: Visit,
) -> None:
    page = visit.page
    visit.go("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload")
    expect(page.get_by_text("16 cases, most overdue first.")).to_be_visible()
    first = page.locator("table.caseload tbody tr").first
    expect(first).to_have_class("has-overdue")  # most overdue first
    visit.shot("caseload")

    page.get_by_role("link", name="C1001", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case C1001")
    expect(page.get_by_text("reference C1001, age 10 years")).to_be_visible()
    expect(page.locator(".summary .stage")).to_have_text("closed")
    if dot_available():
        expect(page.get_by_role("img", name="The case lifecycle")).to_be_visible()
    expect(page.locator("ol.timeline > li")).to_have_count(53)
    expect(page.get_by_role("status")).to_have_count(0)  # no time-travel banner today
    visit.shot("case")
    if dot_available():
        visit.shot("case-diagram", "section.diagram")

    page.get_by_label("As of date (what had happened by then)").fill("2025-03-01")
    page.get_by_role("button", name="Show as of this date").click()
    banner = page.get_by_role("status")
    expect(banner).to_contain_text("As of 2025-03-01: what had happened by that date")
    expect(page.locator(".summary .stage")).to_have_text("cp_plan")
    expect(page.get_by_text("age 8 years")).to_be_visible()
    expect(page.locator("ol.timeline > li")).to_have_count(8)
    visit.shot("time-travel")

    page.get_by_role("link", name="What the system had been told by the end of 2025-03-01").click()
    expect(page.get_by_role("status")).to_contain_text("As known at 2025-03-01 23:59:00 UTC")
    page.get_by_role("link", name="The case today").click()
    expect(page.get_by_role("status")).to_have_count(0)

    page.get_by_role("link", name="Audit report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit of case C1001")
    expect(page.get_by_role("heading", name="Integrity: verified")).to_be_visible()
    expect(page.get_by_text("Hash chain and sequence: verified")).to_be_visible()
    visit.shot("audit")


def test_an_entry_opens_to_show_what_was_recorded_and_late_entries_are_flagged(
    visit: Visit,
) -> None:
    page = visit.page
    visit.go("/cases/C1001")
    entry = page.locator("ol.timeline > li").filter(has_text="#22")
    expect(entry).to_contain_text("recorded 12 days after")
    data = entry.locator("pre.data")
    expect(data).to_be_hidden()
    entry.locator("summary").click()
    expect(data).to_be_visible()
    expect(data).to_contain_text('"seen_alone": true')


def test_the_audit_prints_without_the_navigation(visit: Visit) -> None:
    page = visit.page
    visit.go("/cases/C1003/audit")
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("heading", name="Integrity: verified")).to_be_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


PAGES = [
    "/",
    "/?stage=cin",
    "/tray?worker=sw-103",
    "/cases/C1001",
    "/cases/C1002",
    "/cases/C1003?as_of=2025-04-01",
    "/cases/C1001?known_at=2025-06-10T12:00",
    "/cases/C1003/audit",
    "/rules?pack=sefton",
    "/?page=0",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_passes_the_axe_accessibility_check(
    chromium: Browser, server: Server, axe_source: str, path: str
) -> None:
    # axe runs as an injected script, which the pages' CSP rightly forbids: this context
    # alone bypasses it (the other tests keep it, and fail on any CSP violation).
    context = chromium.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(server.url + path)
    page.add_script_tag(content=axe_source)
    result: dict[str, Any] = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    context.close()
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
    ]
    assert problems == []
    assert len(result["passes"]) > 10  # axe really looked
