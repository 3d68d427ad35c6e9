"""Every page, as a person reads it, on SQLite and PostgreSQL: caseload, work tray, case
(child, plan, people, timescales, diagram, timeline), time travel, audit and rules."""

from __future__ import annotations

import json
import re

import pytest
from pagetext import rows, text
from starlette.testclient import TestClient

from cpworkflow.reports.diagrams import dot_available
from webstore import ROOT


def sample_date(case_id: str, event_type: str) -> str:
    """When the sample case's first event of that type happened."""
    for line in (ROOT / "eventstore" / "samples" / f"{case_id}.jsonl").read_text().splitlines():
        envelope = json.loads(line)
        if envelope["type"] == event_type:
            return str(envelope["occurred_on"])
    raise AssertionError(f"{case_id} has no {event_type}")


def page(client: TestClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, text(response.text))
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def case_rows(html: str) -> list[list[str]]:
    return [r for r in rows(html) if r and re.fullmatch(r"[CS]\d+", r[0])]


def test_the_caseload_lists_every_case_most_overdue_first(client: TestClient) -> None:
    html = page(client, "/")
    assert "16 cases, most overdue first. Page 1 of 1." in text(html)
    listed = case_rows(html)
    overdue = [r for r in listed if r[7] != "0"]
    assert overdue and listed[: len(overdue)] == overdue
    assert [r[8] for r in overdue] == sorted(r[8] for r in overdue)  # oldest overdue first
    sample = {r[0]: r for r in listed}["C1002"]  # a sample case in child in need
    assert sample in overdue and sample[1] == "cin" and sample[5] == "sefton"
    rest = listed[len(overdue) :]
    assert [r[0] for r in rest] == sorted(r[0] for r in rest)
    assert all(r[7] == "0" and r[8] == "" for r in rest)


def test_the_caseloads_counts_agree_with_the_work_tray(client: TestClient) -> None:
    tray = case_rows(page(client, "/tray"))
    for row in case_rows(page(client, "/")):
        mine = [t for t in tray if t[0] == row[0]]
        assert int(row[6]) == len(mine), row
        assert int(row[7]) == len([t for t in mine if t[4] == "overdue"]), row
        if mine and row[7] != "0":
            assert row[8] == min(t[3] for t in mine if t[4] == "overdue")


@pytest.mark.parametrize(
    ("query", "column"),
    [("stage=cin", 1), ("worker={worker}", 3), ("team={team}", 4), ("pack=sefton", 5)],
)
def test_the_caseload_filters_by_stage_worker_team_and_pack(
    client: TestClient, query: str, column: int
) -> None:
    listed = case_rows(page(client, "/"))
    someone = next(r for r in listed if r[3] and r[4])
    query = query.format(worker=someone[3], team=someone[4])
    wanted = query.split("=", 1)[1]
    filtered = case_rows(page(client, f"/?{query}"))
    assert filtered and filtered == [r for r in listed if r[column] == wanted]


def test_filters_combine_and_an_empty_result_says_so(client: TestClient) -> None:
    listed = case_rows(page(client, "/"))
    both = [r for r in listed if r[1] == "cin" and r[5] == "sefton"]
    assert case_rows(page(client, "/?stage=cin&pack=sefton")) == both
    html = page(client, "/?stage=review&pack=sefton")
    assert case_rows(html) == [] and "No case matches." in text(html)


def test_the_caseload_is_paged_and_keeps_its_filters_across_pages(client: TestClient) -> None:
    first = page(client, "/?per_page=5")
    assert len(case_rows(first)) == 5
    assert "Page 1 of 4." in text(first)
    assert 'href="/?page=2"' in first
    last = page(client, "/?per_page=5&page=4")
    assert len(case_rows(last)) == 1
    assert "Next page" not in text(last) and "Previous page" in text(last)
    filtered = page(client, "/?stage=closed&per_page=10")
    assert 'href="/?stage=closed&amp;page=2"' in filtered


def test_the_work_tray_shows_a_workers_overdue_work_in_working_days(client: TestClient) -> None:
    everyone = case_rows(page(client, "/tray"))
    worker = next(r[6] for r in everyone if r[4] == "overdue" and r[6])
    html = page(client, f"/tray?worker={worker}")
    assert f"Work tray of {worker}" in text(html)
    body = case_rows(html)
    assert body == [r for r in everyone if r[6] == worker]
    overdue = [r for r in body if r[4] == "overdue"]
    assert overdue and all(int(r[7]) > 0 for r in overdue)
    assert body[: len(overdue)] == overdue  # overdue first
    assert all(r[2] for r in body)  # what each asks, in words


def test_the_work_tray_by_role_lists_only_that_roles_obligations(client: TestClient) -> None:
    html = page(client, "/tray?role=social_worker&overdue=1")
    body = case_rows(html)
    assert body and all(r[5] == "social_worker" and r[4] == "overdue" for r in body)
    everyone = case_rows(page(client, "/tray"))
    assert len(everyone) > len(body)


def test_a_case_shows_the_child_by_reference_and_age_never_a_name_or_birth_date(
    client: TestClient,
) -> None:
    html = page(client, "/cases/C1001")
    words = text(html)
    assert "Case C1001" in words
    assert "Child reference C1001, age 10 years" in words
    summary = words[words.index("The case Child") : words.index("Timescales")]
    assert "2016-05-14" not in summary  # the age is shown, not the birth date
    assert f"Stage closed since {sample_date('C1001', 'FinalChildInNeedReviewHeld')}" in words
    assert f"child protection plan from {sample_date('C1001', 'InitialConferenceHeld')}" in words
    assert "social_worker: sw-104" in words


def test_a_case_shows_each_timescale_met_late_missed_or_open(client: TestClient) -> None:
    closed = text(page(client, "/cases/C1003"))
    assert re.search(r"met on \d{4}-\d\d-\d\d, late by \d+ working days", closed)
    assert "met on" in closed
    most_overdue = case_rows(page(client, "/"))[0][0]
    open_case = rows(page(client, f"/cases/{most_overdue}"))
    statuses = [r[4] for r in open_case if r and r[0].startswith("T-")]
    assert any(s.startswith("open, overdue by ") and s.endswith(" working days") for s in statuses)


@pytest.mark.skipif(not dot_available(), reason="Graphviz 'dot' is not installed")
def test_a_case_shows_the_lifecycle_with_its_path_lit(client: TestClient) -> None:
    html = page(client, "/cases/C1001")
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg and "aria-label=" in svg
    assert "#f97316" in svg  # the current stage
    assert "#c2410c" in svg  # the edges the case took
    assert "(1) CaseOpened" in svg


def test_the_timeline_marks_retractions_waivers_and_late_entries(client: TestClient) -> None:
    c1003 = text(page(client, "/cases/C1003"))
    assert "#8 ChildVisited" in c1003 and "retracted" in c1003
    assert "retracts #8" in c1003
    assert "RuleWaived" in c1003 and "waiver used: G-MANAGER" in c1003
    c1001 = text(page(client, "/cases/C1001"))
    late = c1001[c1001.index("#22 ChildVisited") :][:260]
    assert "happened 2025-06-02, recorded 2025-06-14 17:00" in late
    assert "recorded 12 days after" in late and "placed before earlier entries" in late
    on_time = c1001[c1001.index("#21 ") :][:200]
    assert "recorded 0 days" not in on_time and "days after" not in on_time.split("#22")[0]


def test_each_event_opens_to_show_its_data(client: TestClient) -> None:
    html = page(client, "/cases/C1001")
    entry = html[html.index("#22</span>") :]
    entry = entry[: entry.index("</details>")]
    assert '<pre class="data">' in entry
    assert "&#34;seen_alone&#34;: true" in entry or "&quot;seen_alone&quot;: true" in entry


def test_as_of_shows_the_case_as_it_stood_under_a_banner(client: TestClient) -> None:
    html = page(client, "/cases/C1001?as_of=2025-03-01")
    words = text(html)
    assert "Time travel. As of 2025-03-01: what had happened by that date, as known now" in words
    assert f"Stage cp_plan since {sample_date('C1001', 'InitialConferenceHeld')}" in words
    assert "#22 " not in words and "FinalChildInNeedReviewHeld" not in words
    assert 'value="2025-03-01"' in html  # the date picker shows the date chosen
    assert "/cases/C1001?known_at=2025-03-01T23%3A59" in html
    assert 'href="/cases/C1001">The case today' in html


def test_known_at_shows_only_what_had_been_recorded_by_then(client: TestClient) -> None:
    known = text(page(client, "/cases/C1001?known_at=2025-06-10T12:00"))
    assert "As known at 2025-06-10 12:00:00 UTC: only what the system had been told" in known
    assert "2025-06-02" not in known  # the visit was recorded on the 14th
    happened = text(page(client, "/cases/C1001?as_of=2025-06-10"))
    assert "#22 ChildVisited happened 2025-06-02" in happened  # known now, so shown as of


def test_the_audit_puts_integrity_first_and_lists_waivers_and_retractions(
    client: TestClient,
) -> None:
    words = text(page(client, "/cases/C1003/audit"))
    assert words.index("Integrity: verified") < words.index("Stage timeline")
    assert "Hash chain and sequence: verified" in words
    assert "Replay through the lifecycle: verified" in words
    assert "Read models: verified" in words
    assert "Signed checkpoint: none given to this server" in words
    assert "G-MANAGER waived, recorded by" in words and "used by seq 16" in words
    assert "retracts seq 8 (ChildVisited)" in words and "Recorded against the wrong child" in words


def test_the_rules_page_lists_each_packs_guards_and_timescales_with_sources(
    client: TestClient,
) -> None:
    default = rows(page(client, "/rules"))
    by_id = {r[0]: r for r in default if r}
    assert by_id["G-CONTINGENCY"][2] == "000 §2, §6"
    assert by_id["G-THIRD-REVIEW"][4] == "applies"
    assert by_id["T-ICPC"][0] == "T-ICPC"
    lancashire = {r[0]: r for r in rows(page(client, "/rules?pack=lancashire")) if r}
    assert lancashire["G-THIRD-REVIEW"][4] == "not adopted"


def test_a_case_in_child_in_need_shows_its_plan_and_a_closed_one_does_not(
    client: TestClient,
) -> None:
    words = text(page(client, "/cases/C1002"))
    plan = words[words.index("Child in need plan") : words.index("People")]
    assert "Attendance at school is above 95% each half term" in plan
    assert "Contingency" in plan and "Actions" in plan
    assert "Child in need plan" not in text(page(client, "/cases/C1001"))


def test_a_lapsed_timescale_says_whether_it_was_missed_or_no_longer_due(
    client: TestClient,
) -> None:
    report = client.get("/cases/C1001/audit").text
    statuses = [r[4] for r in rows(report) if r and r[0].startswith("T-")]
    lapsed = [s for s in statuses if s.startswith(("missed:", "no longer due:"))]
    assert lapsed, statuses
    assert all("its stage ended on 20" in s for s in lapsed)
