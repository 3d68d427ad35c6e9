"""Evidence an outsider can check: `keygen`, `checkpoint` and `prove` (and, in read.py,
`verify --checkpoint F --public-key K`). See eventstore/README.md, "Checkpoints"."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from cpworkflow.cli.support import App, case_id_value, pass_app
from cpworkflow.errors import BadInputError, IntegrityError, NotFoundError
from cpworkflow.store import checkpoint as notes
from cpworkflow.store import proofs
from cpworkflow.store import restore as restored

DEFAULT_ORIGIN = "cpworkflow/events"


def read_text(path: str, field: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        why = getattr(err, "strerror", None) or "not UTF-8 text"
        raise BadInputError(f"cannot read {path!r}: {why}", field=field) from None


def _write_new(path: Path, text: str, mode: int) -> None:
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise BadInputError(
            f"{str(path)!r} exists: keygen never overwrites a key", field="-o"
        ) from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)


def _emit(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    Path(output).write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}", err=True)


@click.command()
@click.option("--name", required=True, help="The key's name, e.g. audit-2026 (printable ASCII).")
@click.option("-o", "--output", "prefix", required=True, help="Writes PREFIX.key and PREFIX.pub.")
def keygen(name: str, prefix: str) -> None:
    """Make an Ed25519 key pair for signing checkpoints. Keep PREFIX.key away from the
    database and its administrators; give PREFIX.pub to whoever checks.

    \b
    Example:
      cpw keygen --name audit-2026 -o ~/keys/audit-2026
    """
    pair = notes.generate(name)
    _write_new(Path(f"{prefix}.key"), notes.private_text(pair), 0o600)
    _write_new(Path(f"{prefix}.pub"), notes.public_text(pair.name, pair.public), 0o644)
    click.echo(f"wrote {prefix}.key (private: keep it safe) and {prefix}.pub", err=True)


@click.command()
@click.option("--key", "key_file", required=True, help="The private key from `cpw keygen`.")
@click.option("--origin", default=DEFAULT_ORIGIN, show_default=True, help="Which log this is.")
@click.option("-o", "--output", help="Write the checkpoint to a file (default stdout).")
@pass_app
def checkpoint(app: App, key_file: str, origin: str, output: str | None) -> None:
    """Sign a checkpoint of the whole log: its origin, its size and the RFC 9162 Merkle
    root over every event's hash in position order. Keep it outside the system; later,
    `cpw verify --checkpoint` proves the log only grew since.

    \b
    Example:
      cpw checkpoint --key ~/keys/audit-2026.key -o checkpoints/2026-06-30.txt
    """
    pair = notes.read_private(read_text(key_file, "--key"))
    log = app.service.store.leaves()
    _emit(notes.sign(proofs.checkpoint_of(log, origin), pair), output)


@click.command()
@click.argument("case_id", callback=case_id_value)
@click.option("--checkpoint", "checkpoint_file", help="Prove against this checkpoint's tree.")
@click.option("-o", "--output", help="Write the proof to a file (default stdout).")
@pass_app
def prove(app: App, case_id: str, checkpoint_file: str | None, output: str | None) -> None:
    """A case's events as stored, each with its inclusion proof in the log's Merkle tree
    (of the checkpoint's size, or of today's log): a script of a few lines, in
    eventstore/README.md, checks it offline against the signed checkpoint.

    \b
    Example:
      cpw prove C1001 --checkpoint checkpoints/2026-06-30.txt -o C1001-proof.json
    """
    store = app.service.store
    if not store.exists(case_id):
        raise NotFoundError(f"case {case_id} not found")
    log = store.leaves()
    size = len(log)
    origin = None
    if checkpoint_file is not None:
        signed, _, _ = notes.parse(read_text(checkpoint_file, "--checkpoint"))
        origin, size = signed.origin, signed.size
        if size > len(log):
            raise IntegrityError(
                case_id, None, f"the checkpoint signed {size} events; the log has {len(log)}"
            )
    proof = {
        "origin": origin,
        "case_id": case_id,
        **proofs.case_proof(log, store.load(case_id), size),
    }
    _emit(json.dumps(proof, indent=2, ensure_ascii=False) + "\n", output)


def checkpoint_report(app: App, checkpoint_file: str, public_key_file: str) -> dict[str, object]:
    """For `verify --checkpoint F --public-key K`: is the log today an append-only extension
    of the one the checkpoint signed? `problems` says what broke; `consistency` is the RFC
    9162 proof from the checkpoint's size to today's."""
    name, public = notes.read_public(read_text(public_key_file, "--public-key"))
    text = read_text(checkpoint_file, "--checkpoint")
    signed, _, _ = notes.parse(text)
    log = app.service.store.leaves()
    report: dict[str, object] = {"origin": signed.origin, "size": signed.size, "size_now": len(log)}
    if notes.verified(text, name, public) is None:
        problems = [f"the checkpoint does not carry a valid signature by the key {name!r}"]
        return {**report, "ok": False, "problems": problems}
    problems, consistency = proofs.against(signed, log)
    return {**report, "ok": not problems, "problems": problems, "consistency": consistency}


@click.command()
@click.argument("file")
@pass_app
def restore(app: App, file: str) -> None:
    """Load an exported log (`cpw export --format jsonl`) into an empty store with its
    history: seq, recorded_at, decisions, keys and hashes byte for byte, every chain
    verified on the way in. A break is refused naming case and seq (exit 4), and nothing
    is written.

    \b
    Example:
      cpw --db sqlite:///old.db export --format jsonl -o all.jsonl
      cpw --db postgresql+psycopg://cpw@db/cases restore all.jsonl
    """
    if file == "-":
        raw = sys.stdin.buffer.read()
    else:
        try:
            raw = Path(file).read_bytes()
        except OSError as err:
            raise BadInputError(f"cannot read {file!r}: {err.strerror}", field="FILE") from None
    checked = restored.rows(raw.split(b"\n"))
    service = app.writer
    count = service.store.restore(checked)
    service.rebuild()  # the read models beside the events, from the restored log
    cases = len({row["case_id"] for row in checked})
    click.echo(f"restored {count} events of {cases} cases, hashes and recorded_at as exported")
