"""Checkpoints an auditor keeps outside the system: after each kind of tampering,
`verify --checkpoint` exits 4 and names what broke; a log that only grew verifies; and the
offline checker printed in eventstore/README.md agrees with `cpw` about `cpw prove` output."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from cli_harness import cpw, ok

from cpworkflow.store import triggers
from cpworkflow.store.rows import row_hash

README = Path(__file__).parents[2] / "eventstore" / "README.md"
OLD_STORE = Path(__file__).parents[1] / "fixtures" / "stores" / "store-0.1.0.sqlite"
OPENED = '{"child": {"ref": "R-20", "birth_date": "2019-02-01"}}'


def with_history(store_url: str, folder: Path) -> str:
    """A store holding the log the first build wrote (tests/fixtures/stores): on SQLite the
    file itself, copied; on PostgreSQL that log exported and restored, hashes and all."""
    copy = folder / "old.db"
    shutil.copyfile(OLD_STORE, copy)
    if store_url.startswith("sqlite"):
        return f"sqlite:///{copy}"
    exported = folder / "old.jsonl"
    ok(f"sqlite:///{copy}", "export", "--format", "jsonl", "-o", str(exported))
    ok(store_url, "restore", str(exported))
    return store_url


@pytest.fixture
def signed(store_url: str, tmp_path: Path) -> tuple[str, list[str]]:
    """A store with history, a key pair, and a checkpoint of the log signed with it;
    returns the store URL and the `--checkpoint F --public-key K` options."""
    url = with_history(store_url, tmp_path)
    ok(None, "keygen", "--name", "audit-2026", "-o", str(tmp_path / "audit"))
    note = tmp_path / "checkpoint.txt"
    ok(url, "checkpoint", "--key", str(tmp_path / "audit.key"), "-o", str(note))
    return url, ["--checkpoint", str(note), "--public-key", str(tmp_path / "audit.pub")]


def _sql(url: str, *statements: str, params: dict[str, object] | None = None) -> None:
    """As the owner at a SQL prompt: the append-only triggers dropped first."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("DROP TRIGGER IF EXISTS events_refuse_update")
            connection.exec_driver_sql("DROP TRIGGER IF EXISTS events_refuse_delete")
        else:
            connection.exec_driver_sql("ALTER TABLE events DISABLE TRIGGER USER")
        for statement in statements:
            connection.execute(sa.text(statement), params or {})
    engine.dispose()


def _remove_the_tail(url: str) -> None:
    top = "(SELECT max(seq) - 2 FROM events WHERE case_id = 'C1004')"
    _sql(url, f"DELETE FROM events WHERE case_id = 'C1004' AND seq > {top}")


def _remove_a_case(url: str) -> None:
    _sql(url, "DELETE FROM events WHERE case_id = 'C1004'")


def _recompute_the_chain(url: str) -> None:
    """Say someone else held C1001's strategy meeting (seq 2), and rehash it and every
    later event of the case, so each stored hash matches its content, every chain verifies
    and replay is none the wiser."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        query = "SELECT * FROM events WHERE case_id = 'C1001' ORDER BY seq"
        rows = [dict(r) for r in connection.execute(sa.text(query)).mappings()]
    engine.dispose()
    rows[1]["actor"] = rows[1]["actor"].replace('"tm-12"', '"tm-99"')
    updates, previous = [], rows[0]["hash"]
    for row in rows[1:]:
        row["prev_hash"] = previous
        row["hash"] = previous = row_hash(row)
        updates.append(row)
    for row in updates:
        _sql(
            url,
            "UPDATE events SET actor = :d, prev_hash = :p, hash = :h WHERE position = :pos",
            params={
                "d": row["actor"],
                "p": row["prev_hash"],
                "h": row["hash"],
                "pos": row["position"],
            },
        )


def _swap_two_events(url: str) -> None:
    _sql(
        url,
        "UPDATE events SET seq = 1000 WHERE case_id = 'C1001' AND seq = 3",
        "UPDATE events SET seq = 3 WHERE case_id = 'C1001' AND seq = 4",
        "UPDATE events SET seq = 4 WHERE case_id = 'C1001' AND seq = 1000",
    )


def _edit_a_payload(url: str) -> None:
    edit = "UPDATE events SET data = replace(data, 's47', 's17')"
    _sql(url, f"{edit} WHERE case_id = 'C1001' AND seq = 2")


TAMPERING: dict[str, tuple[Callable[[str], None], str]] = {
    "tail removed": (_remove_the_tail, r"checkpoint: the log has \d+ events, 2 fewer than"),
    "case removed": (_remove_a_case, r"checkpoint: the log has \d+ events, \d+ fewer than"),
    "chain recomputed with matching hashes": (
        _recompute_the_chain,
        r"checkpoint: the log's first \d+ events no longer give the checkpoint's root",
    ),
    "two events swapped": (_swap_two_events, r"case C1001 seq 3: out_of_order"),
    "payload edited, triggers dropped": (_edit_a_payload, r"case C1001 seq 2: payload_edited"),
}


@pytest.mark.parametrize(("tamper", "says"), TAMPERING.values(), ids=TAMPERING.keys())
def test_verify_against_a_checkpoint_exits_4_and_names_what_broke(
    signed: tuple[str, list[str]], tamper: Callable[[str], None], says: str
) -> None:
    url, options = signed
    assert cpw(url, "verify", *options).exit_code == 0
    tamper(url)
    result = cpw(url, "verify", *options)
    assert result.exit_code == 4
    assert re.search(says, result.stdout), result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_only_the_checkpoint_sees_a_recomputed_chain(signed: tuple[str, list[str]]) -> None:
    url, options = signed
    _recompute_the_chain(url)
    engine = sa.create_engine(url)  # and the tracks covered: the triggers put back
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            for statement in triggers.SQLITE.values():
                connection.exec_driver_sql(statement)
        else:
            connection.exec_driver_sql("ALTER TABLE events ENABLE TRIGGER USER")
    engine.dispose()
    assert cpw(url, "verify").exit_code == 0  # every chain holds, the guards are on
    assert cpw(url, "verify", *options).exit_code == 4


def test_a_log_that_only_grew_verifies_against_its_checkpoint(
    signed: tuple[str, list[str]],
) -> None:
    url, options = signed
    for n in range(3):
        opened = ["record", f"C20{n}", "CaseOpened", "--on", "2026-06-01", "--actor", "sw-1"]
        ok(url, *opened, "--role", "social_worker", "--data", OPENED)
    result = cpw(url, "verify", *options, "--json")
    assert result.exit_code == 0, result.stdout
    report = json.loads(result.stdout)["checkpoint"]
    assert report["ok"] and report["size"] < report["size_now"]
    assert report["consistency"]  # the RFC 9162 proof from then to now
    text = ok(url, "verify", *options).stdout
    assert (
        f"the log of {report['size_now']} events extends the checkpoint of {report['size']}" in text
    )


def test_a_checkpoint_edited_or_checked_with_another_key_is_refused(
    signed: tuple[str, list[str]], tmp_path: Path
) -> None:
    url, options = signed
    note = Path(options[1])
    forged = note.read_text().replace("\n", "\n", 1).splitlines(keepends=True)
    forged[1] = f"{int(forged[1]) - 1}\n"
    (tmp_path / "forged.txt").write_text("".join(forged))
    edited = cpw(url, "verify", "--checkpoint", str(tmp_path / "forged.txt"), *options[2:])
    assert edited.exit_code == 4
    assert "does not carry a valid signature by the key 'audit-2026'" in edited.stdout
    ok(None, "keygen", "--name", "audit-2026", "-o", str(tmp_path / "other"))
    other = cpw(url, "verify", *options[:2], "--public-key", str(tmp_path / "other.pub"))
    assert other.exit_code == 4


def test_keygen_never_overwrites_a_key(tmp_path: Path) -> None:
    ok(None, "keygen", "--name", "k", "-o", str(tmp_path / "k"))
    before = (tmp_path / "k.key").read_text()
    again = cpw(None, "keygen", "--name", "k", "-o", str(tmp_path / "k"))
    assert again.exit_code == 2
    assert "keygen never overwrites a key" in again.stderr
    assert (tmp_path / "k.key").read_text() == before
    assert (tmp_path / "k.key").stat().st_mode & 0o777 == 0o600


def _checker(proof: str, note: Path, key: Path, folder: Path) -> tuple[int, str]:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    (script,) = [b for b in blocks if b.startswith("# check_proof.py")]
    (folder / "check_proof.py").write_text(script)
    (folder / "proof.json").write_text(proof)
    done = subprocess.run(
        [
            sys.executable,
            str(folder / "check_proof.py"),
            str(folder / "proof.json"),
            str(note),
            str(key),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout


def test_the_offline_checker_agrees_with_cpw_on_a_clean_and_a_tampered_log(
    signed: tuple[str, list[str]], tmp_path: Path
) -> None:
    url, options = signed
    note, key = Path(options[1]), Path(options[3])
    proof = ok(url, "prove", "C1001", "--checkpoint", str(note)).stdout
    assert json.loads(proof)["events"]
    code, said = _checker(proof, note, key, tmp_path)
    assert (code, cpw(url, "verify", *options).exit_code) == (0, 0)
    assert said.startswith("OK ")

    edited = json.loads(proof)
    edited["events"][1]["row"]["data"]["outcome"] = "s17"
    code, said = _checker(json.dumps(edited), note, key, tmp_path)
    assert code == 1
    assert "BAD seq 2: its content does not give its hash" in said

    _recompute_the_chain(url)
    rewritten = ok(url, "prove", "C1001", "--checkpoint", str(note)).stdout
    code, said = _checker(rewritten, note, key, tmp_path)
    assert (code, cpw(url, "verify", *options).exit_code) == (1, 4)
    assert "is not in the checkpointed log" in said
