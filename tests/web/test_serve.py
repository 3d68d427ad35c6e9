"""`cpw serve` as a user starts it: a real uvicorn in a subprocess on a free localhost
port. Its access log names method, path and status, never a query string or event data;
it refuses to listen beyond this machine without a token; every other command starts
without the web code."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from webstore import ROOT, TODAY, serving

CPW = str(Path(sys.executable).parent / "cpw")
TOKEN = "t0k3n"  # noqa: S105 - a test token, not a credential


def get(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url)  # noqa: S310 - a localhost URL the test built
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_the_access_log_has_no_query_strings_and_no_event_data(
    web_store: str, tmp_path: Path
) -> None:
    with serving(web_store, tmp_path) as server:
        assert get(f"{server.url}/cases/C1001?as_of=2025-03-01")[0] == 200
        assert get(f"{server.url}/?worker=sw-104&team=north")[0] == 200
        assert get(f"{server.url}/cases/C1001?known_at=not-a-time")[0] == 400
    log = server.log()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("event") == "request"]
    assert [(r["method"], r["path"], r["status"]) for r in requests[-3:]] == [
        ("GET", "/cases/C1001", 200),
        ("GET", "/", 200),
        ("GET", "/cases/C1001", 400),
    ]
    for leaked in ("as_of", "2025-03-01", "sw-104", "worker=", "not-a-time", "2016-05-14", "WBRI"):
        assert leaked not in log, leaked


def test_serve_refuses_to_listen_beyond_this_machine_without_a_token(web_store: str) -> None:
    result = subprocess.run(
        [CPW, "--db", web_store, "serve", "--host", "0.0.0.0"],  # noqa: S104
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "CPW_TODAY": TODAY.isoformat()},
        check=False,
    )
    assert result.returncode == 2
    assert "--host: refusing to listen on 0.0.0.0 without --token" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_with_a_token_answers_only_with_it(web_store: str, tmp_path: Path) -> None:
    with serving(web_store, tmp_path, "--token", TOKEN) as server:
        assert get(f"{server.url}/cases/C1001")[0] == 401
        status, body = get(f"{server.url}/cases/C1001", token=TOKEN)
        assert status == 200 and "Case C1001" in body
    assert TOKEN not in server.log()


def test_serve_of_a_missing_store_exits_6(tmp_path: Path) -> None:
    result = subprocess.run(
        [CPW, "--db", f"sqlite:///{tmp_path}/none.db", "serve"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 6
    assert "no store at" in result.stderr and "cpw init" in result.stderr
    assert not (tmp_path / "none.db").exists()


@pytest.mark.parametrize("command", [["policies"], ["show", "C1001"], ["--help"]])
def test_other_commands_start_without_the_web_code(web_store: str, command: list[str]) -> None:
    code = (
        "import sys\n"
        "from cpworkflow.cli import main\n"
        "try:\n"
        f"    main({['--db', web_store, *command]!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "web = ('starlette', 'jinja2', 'uvicorn', 'cpworkflow.web', 'multipart')\n"
        "print(sorted(m for m in sys.modules if m.startswith(web)), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={"CPW_TODAY": TODAY.isoformat(), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.stderr.strip().splitlines()[-1] == "[]", result.stderr


def test_serve_has_help_with_an_example() -> None:
    result = subprocess.run([CPW, "serve", "--help"], capture_output=True, text=True, check=True)
    assert "Example:" in result.stdout and "cpw serve" in result.stdout
    assert "--token" in result.stdout and "--host" in result.stdout


def test_a_store_from_the_first_build_is_served_once_its_read_models_are_built(
    tmp_path: Path,
) -> None:
    store = tmp_path / "old.sqlite"
    store.write_bytes((ROOT / "tests" / "fixtures" / "stores" / "store-0.1.0.sqlite").read_bytes())
    db = f"sqlite:///{store}"
    before = store.read_bytes()
    refused = subprocess.run(
        [CPW, "--db", db, "serve"], capture_output=True, text=True, timeout=60, check=False
    )
    assert refused.returncode == 6
    assert "read models are not built yet" in refused.stderr and "cpw rebuild" in refused.stderr
    assert store.read_bytes() == before  # serving wrote nothing
    subprocess.run([CPW, "--db", db, "rebuild"], capture_output=True, timeout=120, check=True)
    with serving(db, tmp_path) as server:
        status, body = get(f"{server.url}/cases/C1005")
        assert status == 200 and "Case C1005" in body


def test_the_audit_shows_the_log_checked_against_a_signed_checkpoint(
    web_store: str, tmp_path: Path
) -> None:
    keys, stranger = tmp_path / "audit", tmp_path / "stranger"
    for prefix, name in ((keys, "audit-2026"), (stranger, "someone-else")):
        subprocess.run([CPW, "keygen", "--name", name, "-o", str(prefix)], check=True)
    signed = tmp_path / "checkpoint.txt"
    subprocess.run(
        [CPW, "--db", web_store, "checkpoint", "--key", f"{keys}.key", "-o", str(signed)],
        check=True,
        capture_output=True,
    )
    given = ("--checkpoint", str(signed), "--public-key")
    with serving(web_store, tmp_path, *given, f"{keys}.pub") as server:
        status, body = get(f"{server.url}/cases/C1003/audit")
    assert status == 200
    assert "Integrity: verified" in body
    assert "only grew since the checkpoint of cpworkflow/events" in body
    with serving(web_store, tmp_path, *given, f"{stranger}.pub") as server:
        status, body = get(f"{server.url}/cases/C1003/audit")
    assert status == 200 and "Integrity: FAILED" in body
    assert "does not carry a valid signature by the key" in body


def test_a_checkpoint_needs_its_public_key(web_store: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [CPW, "--db", web_store, "serve", "--checkpoint", str(tmp_path / "c.txt")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "--checkpoint: give --checkpoint and --public-key together" in result.stderr
