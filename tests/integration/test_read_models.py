"""The read models (case summaries, open obligations) kept with the log: written in the
append's transaction on both engines, equal to replay after any appends, checked by
verify, fixed by rebuild, built on first use for a store that predates them."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpworkflow.errors import RefusedError
from cpworkflow.service import CaseService, view_mismatch
from cpworkflow.store import EventStore
from cpworkflow.workload.caseload import case_story

TODAY = date(2026, 4, 1)
FIXTURES = Path(__file__).parents[1] / "fixtures" / "stores"
STORIES = {n: case_story(11, n) for n in range(1, 13)}


@pytest.fixture
def service(store: EventStore) -> CaseService:
    return CaseService(store, today=lambda: TODAY)


def mismatches(service: CaseService) -> list[str]:
    """Every case whose stored rows differ from what replay of its log gives."""
    stored = {v.case_id: (v, p) for v, p in service.store.read_models.views()}
    found = []
    for cid in service.case_ids():
        events = service.store.load(cid)
        wrong = view_mismatch(service.view_of(events), events[-1].position, stored.pop(cid, None))
        if wrong is not None:
            found.append(wrong)
    return found + [f"orphan {cid}" for cid in stored]


def _lines(envelopes: list[dict[str, object]]) -> Iterator[str]:
    return (json.dumps(e) for e in envelopes)


EXAMPLES = iter(range(10**6))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    plan=st.lists(
        st.tuples(st.sampled_from(sorted(STORIES)), st.integers(1, 40), st.booleans()),
        min_size=1,
        max_size=6,
    )
)
def test_read_models_equal_replay_after_any_appends(
    service: CaseService, plan: list[tuple[int, int, bool]]
) -> None:
    """Stories cut at any point and written in any order, by `record` or by `import`."""
    example = next(EXAMPLES)  # one store for every example: each writes its own cases
    written: dict[int, int] = {}
    for number, more, by_import in plan:
        start = written.get(number, 0)
        chunk = [
            {**e, "case_id": f"E{example}-{e['case_id']}"}
            for e in STORIES[number][start : start + more]
        ]
        if not chunk:
            continue
        if by_import:
            service.import_lines(list(_lines(chunk)))
        else:
            for envelope in chunk:
                service.record(envelope)
        written[number] = start + len(chunk)
    assert mismatches(service) == []


def test_each_append_writes_its_cases_rows_at_the_log_position(service: CaseService) -> None:
    story = STORIES[1]
    service.import_lines(list(_lines(story[:3])))
    for envelope in story[3:6]:
        service.record(envelope)
    (view, position), *rest = service.store.read_models.views()
    assert rest == []
    assert view.summary["version"] == 6
    assert position == service.store.load("S000001")[-1].position
    assert mismatches(service) == []


def test_a_hand_edited_row_is_reported_by_verify_and_fixed_by_rebuild(
    service: CaseService, store_url: str
) -> None:
    service.import_lines(list(_lines([e for n in sorted(STORIES) for e in STORIES[n]])))
    engine = sa.create_engine(store_url)
    with engine.begin() as connection:
        late = connection.execute(sa.text("SELECT max(case_id) FROM open_obligations")).scalar()
        connection.execute(
            sa.text("UPDATE case_summaries SET stage = 'cin' WHERE case_id = 'S000012'")
        )
        connection.execute(
            sa.text("UPDATE open_obligations SET due = '2020-01-01' WHERE case_id = :c"),
            {"c": late},
        )
    engine.dispose()
    problems = service.verify()
    assert late != "S000012"
    assert sorted((p["case_id"], p["kind"]) for p in problems) == [
        (late, "read_model"),
        ("S000012", "read_model"),
    ]
    messages = {p["case_id"]: p["message"] for p in problems}
    assert "stage is 'cin' but replay gives" in messages["S000012"]
    assert "open obligation" in messages[late]
    assert service.rebuild() == len(STORIES)
    assert service.verify() == []


def test_an_import_that_fails_leaves_no_read_model_row(service: CaseService) -> None:
    good = STORIES[4]
    refused = {**STORIES[5][1], "actor": {"id": "x", "role": "auditor"}}  # G-ROLE
    with pytest.raises(RefusedError):
        service.import_lines(list(_lines([*good, STORIES[5][0], refused])))
    assert list(service.store.read_models.views()) == []
    assert service.store.count() == 0


def test_a_refused_record_leaves_the_cases_rows_as_they_were(service: CaseService) -> None:
    story = STORIES[6]
    service.import_lines(list(_lines(story[:4])))
    before = list(service.store.read_models.views())
    with pytest.raises(RefusedError):
        service.record({**story[4], "actor": {"id": "x", "role": "auditor"}})
    assert list(service.store.read_models.views()) == before


def test_a_store_written_by_the_first_build_gets_its_read_models_on_first_use(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "store-0.1.0.sqlite"
    shutil.copy(FIXTURES / "store-0.1.0.sqlite", copy)
    store = EventStore(f"sqlite:///{copy}")
    try:
        service = CaseService(store, today=lambda: TODAY)
        assert not store.read_models.built()
        service.ensure_read_models()
        assert store.read_models.built()
        assert {v.case_id for v, _ in store.read_models.views()} == set(service.case_ids())
        assert mismatches(service) == []
        assert service.verify() == []
    finally:
        store.dispose()
