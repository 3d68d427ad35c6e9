"""Laws of the web view, checked with generated input: any query a person (or a script)
can send gets a page or a 400 page naming what is wrong, never a 500; the caseload's pages,
put together, are the whole caseload once, in order; a child's age on a date is what
their birthdays say."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pagetext import rows
from starlette.testclient import TestClient

from cpworkflow.web.views import age

NAMES = st.sampled_from(
    ["stage", "worker", "team", "pack", "page", "per_page", "as_of", "known_at", "role", "x"]
)
VALUES = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["cin", "closed", "sw-103", "2025-03-01", "2025-03-01T09:00", "0", "1"]),
    st.integers(min_value=-5, max_value=10**7).map(str),
)
PATHS = st.sampled_from(["/", "/tray", "/cases/C1001", "/cases/C1003/audit", "/rules"])
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(path=PATHS, query=st.lists(st.tuples(NAMES, VALUES), max_size=4))
def test_any_query_is_answered_with_a_page_or_a_400_never_a_500(
    client: TestClient, path: str, query: list[tuple[str, str]]
) -> None:
    response = client.get(path, params=query)
    assert response.status_code in (200, 400, 404), response.text[:500]
    assert "Traceback" not in response.text
    if response.status_code == 400:
        assert "That request cannot be answered" in response.text


@SETTINGS
@given(per_page=st.integers(min_value=1, max_value=17))
def test_the_caseloads_pages_together_are_the_whole_caseload_once(
    client: TestClient, per_page: int
) -> None:
    whole = [r[0] for r in rows(client.get("/?per_page=200").text)[1:]]
    paged: list[str] = []
    page = 1
    while True:
        response = client.get(f"/?per_page={per_page}&page={page}")
        if response.status_code == 400:
            break
        found = [r[0] for r in rows(response.text)[1:]]
        assert 1 <= len(found) <= per_page
        paged += found
        page += 1
    assert paged == whole and len(set(paged)) == len(paged) == 16


@given(born=st.dates(date(1990, 1, 1), date(2030, 12, 31)), later=st.integers(0, 30 * 366))
def test_a_childs_age_counts_whole_birthdays(born: date, later: int) -> None:
    on = date.fromordinal(born.toordinal() + later)
    shown = age({"birth_date": born.isoformat()}, on)
    months = (on.year - born.year) * 12 + on.month - born.month - (on.day < born.day)
    if months < 24:
        assert shown == f"{months} months"
    else:
        years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        assert shown == f"{years} years"


def test_a_child_not_yet_born_has_no_age() -> None:
    assert age({"expected_birth_date": "2026-08-01"}, date(2026, 6, 30)) == "not yet born"
    assert age({"birth_date": "2026-08-01"}, date(2026, 6, 30)) == "not yet born"
    assert age({}, date(2026, 6, 30)) == "not recorded"
