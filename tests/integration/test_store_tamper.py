"""Append-only is enforced by the database; and when someone with the owner's rights drops
the triggers and edits rows anyway, verify finds it, naming case and seq, as does the
auditor's script printed in eventstore/README.md."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from store_helpers import drop_triggers, new_event, raw_engine, run_sql

from cpworkflow.errors import IntegrityError
from cpworkflow.store import EventStore
from cpworkflow.store.rows import row_hash

README = Path(__file__).parents[2] / "eventstore" / "README.md"


def _five_events_and_a_bystander(store: EventStore) -> None:
    store.append("C1", [new_event(data={"note": f"visit {n}", "n": n}) for n in range(1, 6)])
    store.append("C2", [new_event("C2"), new_event("C2")])


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET data = '{}' WHERE seq = 2",
        "DELETE FROM events WHERE seq = 2",
        "DELETE FROM events",
        "UPDATE events SET seq = seq + 100",
    ],
)
def test_raw_sql_update_and_delete_are_refused_by_the_database(
    store: EventStore, store_url: str, statement: str
) -> None:
    _five_events_and_a_bystander(store)
    before = store.load("C1")
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        run_sql(store_url, statement)
    assert store.load("C1") == before
    assert store.count() == 7


def test_raw_sql_truncate_is_refused_on_postgres(pg_url: str) -> None:
    store = EventStore(pg_url)
    store.init()
    _five_events_and_a_bystander(store)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        run_sql(pg_url, "TRUNCATE events")
    assert store.count() == 7
    store.dispose()


def _edit_one_byte(url: str) -> None:
    run_sql(url, "UPDATE events SET data = replace(data, 'visit 3', 'visit 8') WHERE seq = 3")


def _delete_a_middle_event(url: str) -> None:
    run_sql(url, "DELETE FROM events WHERE case_id = 'C1' AND seq = 3")


def _swap_two_events(url: str) -> None:
    run_sql(
        url,
        "UPDATE events SET seq = 1000 WHERE case_id = 'C1' AND seq = 3",
        "UPDATE events SET seq = 3 WHERE case_id = 'C1' AND seq = 4",
        "UPDATE events SET seq = 4 WHERE case_id = 'C1' AND seq = 1000",
    )


def _relink_an_event(url: str) -> None:
    """Point seq 3 at a forged predecessor and give it a hash that matches its content."""
    engine = raw_engine(url)
    with engine.begin() as connection:
        query = "SELECT * FROM events WHERE case_id = 'C1' AND seq = 3"
        row = dict(connection.exec_driver_sql(query).mappings().one())
        row["prev_hash"] = "f" * 64
        connection.execute(
            sa.text("UPDATE events SET prev_hash = :p, hash = :h WHERE case_id = 'C1' AND seq = 3"),
            {"p": row["prev_hash"], "h": row_hash(row)},
        )
    engine.dispose()


TAMPERING: dict[str, tuple[Callable[[str], None], str]] = {
    "one byte of a payload edited": (_edit_one_byte, "payload_edited"),
    "a middle event deleted": (_delete_a_middle_event, "seq_gap"),
    "two events swapped": (_swap_two_events, "out_of_order"),
    "an event relinked to a forged predecessor": (_relink_an_event, "chain_broken"),
}


@pytest.mark.parametrize(("tamper", "kind"), TAMPERING.values(), ids=TAMPERING.keys())
def test_verify_names_the_case_and_first_bad_seq_of_a_tampered_log(
    store: EventStore, store_url: str, tmp_path: Path, tamper: Callable[[str], None], kind: str
) -> None:
    _five_events_and_a_bystander(store)
    drop_triggers(store_url)
    tamper(store_url)
    problems = store.verify()
    assert [(p.case_id, p.seq, p.kind) for p in problems] == [("C1", 3, kind)]
    assert "case C1 seq 3" in problems[0].message
    assert store.verify("C1") == problems
    assert store.verify("C2") == []
    assert _auditor_script_findings(store_url, tmp_path) == {("C1", 3)}


def test_a_row_that_cannot_be_read_is_corruption_not_a_crash(
    store: EventStore, store_url: str
) -> None:
    _five_events_and_a_bystander(store)
    drop_triggers(store_url)
    run_sql(store_url, "UPDATE events SET data = 'not json' WHERE case_id = 'C1' AND seq = 2")
    assert [(p.case_id, p.seq, p.kind) for p in store.verify()] == [("C1", 2, "payload_edited")]
    with pytest.raises(IntegrityError) as raised:
        store.load("C1")
    assert (raised.value.case_id, raised.value.seq) == ("C1", 2)


def test_the_auditor_script_passes_a_clean_log(
    store: EventStore, store_url: str, tmp_path: Path
) -> None:
    store.append("C0", [new_event("C0", data={"text": "é\n\u0000😀", "\ue000": 1, "😀": 2})])
    _five_events_and_a_bystander(store)
    assert store.verify() == []
    assert _auditor_script_findings(store_url, tmp_path) == set()


def _auditor_script_findings(url: str, folder: Path) -> set[tuple[str, int]]:
    """Export the rows as the README says, run the README's script, collect BAD lines."""
    engine = raw_engine(url)
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            query = "SELECT row_to_json(e) FROM events e ORDER BY case_id, seq"
            export = "\n".join(json.dumps(r) for r in connection.exec_driver_sql(query).scalars())
        else:  # what `sqlite3 -json` prints: one array of objects, columns as stored
            query = "SELECT * FROM events ORDER BY case_id, seq"
            export = json.dumps([dict(r) for r in connection.exec_driver_sql(query).mappings()])
    engine.dispose()
    target, script = folder / "rows.json", folder / "check_chain.py"
    target.write_text(export, encoding="utf-8")
    script.write_text(_readme_script(), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), str(target)], capture_output=True, text=True, check=False
    )
    assert done.returncode in (0, 1), done.stderr
    found = re.findall(r"^BAD case (\S+) seq (\d+)$", done.stdout, flags=re.MULTILINE)
    assert (done.returncode == 1) == bool(found)
    return {(case_id, int(seq)) for case_id, seq in found}


def _readme_script() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    (script,) = [b for b in blocks if b.startswith("# check_chain.py")]
    return str(script)
