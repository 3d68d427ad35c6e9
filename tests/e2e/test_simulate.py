"""`cpw simulate`: a realistic caseload through the real vocabulary, which imports cleanly
on both engines and walks every path of DOMAIN.md §2."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

from cli_harness import cpw

from cpworkflow.service import CaseService
from cpworkflow.store import EventStore
from cpworkflow.workload.caseload import DEFAULT_UNTIL, case_story, jsonl, simulate

CHILDREN = 150
SEED = 7


def _paths(envelopes: list[dict[str, object]]) -> Counter[str]:
    """Each decision that chooses a path, counted: `Type:outcome`."""
    seen: Counter[str] = Counter()
    for e in envelopes:
        data = e["data"]
        assert isinstance(data, dict)
        choice = data.get("outcome") or data.get("decision") or data.get("kind") or ""
        support = (data.get("continuing_support") or {}).get("kind", "")
        seen[":".join(filter(None, (str(e["type"]), str(choice), support)))] += 1
    return seen


def test_a_simulated_caseload_imports_cleanly_and_walks_every_path(store_url: str) -> None:
    lines = list(jsonl(simulate(CHILDREN, SEED)))
    store = EventStore(store_url)
    store.init()
    try:
        service = CaseService(store, today=lambda: date(2026, 4, 1))
        result = service.import_lines(lines)
        assert (result.events, result.cases) == (len(lines), CHILDREN)
        assert service.verify() == []
        cases = [service.case(cid)[0] for cid in service.case_ids()]
    finally:
        store.dispose()
    paths = _paths([json.loads(line) for line in lines])
    for path in (
        "StrategyMeetingHeld:s47",
        "StrategyMeetingHeld:s17",
        "StrategyMeetingHeld:nfa",
        "InitialConferenceHeld:plan",
        "InitialConferenceHeld:no_plan:cin",
        "ReviewConferenceHeld:continue",
        "ReviewConferenceHeld:end_plan:cin",
        "ChildInNeedMeetingHeld:first",
        "ChildInNeedMeetingHeld:review",
        "FinalChildInNeedReviewHeld:end_plan",
        "FinalChildInNeedReviewHeld:continue",
        "ChildProtectionPlanEnded",
        "CaseClosed",
        "CaseReopened",
        "ReflectiveDiscussionHeld",
        "ChildVisited",
        "CoreGroupMeetingHeld",
        "EntryRetracted",
        "RuleWaived",
        "ChildDetailsRecorded",
        "LegalStatusRecorded",
        "InitialConferenceConvened",
    ):
        found = sum(n for p, n in paths.items() if p == path or p.startswith(f"{path}:"))
        assert found > 0, f"no {path} in {CHILDREN} simulated children"
    assert any(
        p.startswith("InitialConferenceHeld:no_plan:") and not p.endswith(":cin") for p in paths
    )
    assert {c.policy for c in cases} == {"default", "lancashire", "sefton"}
    assert {"closed", "cp_plan", "cin"} <= {c.stage for c in cases}
    statuses = Counter(o.status(date(2026, 4, 1)) for c in cases for o in c.obligations.values())
    assert statuses["met_late"] > 0 and statuses["overdue"] > 0 and statuses["met"] > 0


def test_the_same_seed_writes_the_same_file_and_another_seed_another(tmp_path: Path) -> None:
    first, again, other = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    for path, seed in ((first, "3"), (again, "3"), (other, "4")):
        result = cpw(None, "simulate", "20", "--seed", seed, "-o", str(path))
        assert result.exit_code == 0, result.output
        assert f"for 20 children to {path}" in result.stderr
    assert first.read_bytes() == again.read_bytes() != other.read_bytes()


def test_a_child_depends_only_on_the_seed_and_its_number() -> None:
    assert list(simulate(12, SEED))[: len(case_story(SEED, 1))] == case_story(SEED, 1)
    assert [e for e in simulate(12, SEED) if e["case_id"] == "S000009"] == case_story(SEED, 9)


def test_nothing_is_dated_after_the_day_the_simulation_reaches() -> None:
    until = date(2025, 6, 30)
    days = [e["occurred_on"] for e in simulate(60, SEED, until)]
    assert max(days) <= until.isoformat() < DEFAULT_UNTIL.isoformat()


def test_simulate_prints_the_caseload_on_stdout_and_refuses_a_bad_until() -> None:
    result = cpw(None, "simulate", "2")
    assert result.exit_code == 0
    assert {json.loads(line)["case_id"] for line in result.stdout.splitlines()} == {
        "S000001",
        "S000002",
    }
    bad = cpw(None, "simulate", "2", "--until", "31/03/2026")
    assert bad.exit_code == 2 and "--until" in bad.stderr


def test_an_exported_caseload_streams_out_and_imports_as_the_same_cases(tmp_path: Path) -> None:
    caseload, exported = tmp_path / "caseload.jsonl", tmp_path / "export.jsonl"
    first, second = (f"sqlite:///{tmp_path / name}" for name in ("a.db", "b.db"))
    env = {"CPW_TODAY": "2026-04-01"}
    assert cpw(None, "simulate", "25", "--seed", "5", "-o", str(caseload)).exit_code == 0
    assert cpw(first, "import", str(caseload), env=env).exit_code == 0
    assert cpw(first, "export", "--format", "jsonl", "-o", str(exported), env=env).exit_code == 0
    assert cpw(second, "import", str(exported), env=env).exit_code == 0
    lines = [json.loads(line) for line in exported.read_text().splitlines()]
    assert [(e["case_id"], e["stored"]["seq"]) for e in lines] == sorted(
        (e["case_id"], e["stored"]["seq"]) for e in lines
    )
    again = cpw(second, "export", "--format", "jsonl", env=env).stdout.splitlines()
    strip = [{k: v for k, v in e.items() if k != "stored"} for e in lines]
    assert [{k: v for k, v in json.loads(x).items() if k != "stored"} for x in again] == strip
