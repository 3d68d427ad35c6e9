"""Signed checkpoints: a small statement of the whole log that an auditor keeps outside the
system, in the text form of a C2SP signed note (c2sp.org/signed-note, c2sp.org/tlog-
checkpoint):

    cpworkflow.example/cp-events        <- origin: which log this is
    1042                                <- its size: how many events
    q8m3...base64 of the root...=       <- the RFC 9162 Merkle root over their hashes
                                        <- a blank line
    — audit-2026 AbCd...base64...       <- a signature: key name, key id and Ed25519

The signature (Ed25519, the `cryptography` package) covers the three lines, each with its
newline. The key id is the first four bytes of SHA-256(name ‖ "\\n" ‖ 0x01 ‖ public key), and
keys are written as the signed-note format writes them: the public key
`name+<8 hex>+<base64(0x01 ‖ key)>`, the private key `PRIVATE+KEY+name+<8 hex>+<base64(0x01
‖ seed)>`. The private key is a file the auditor keeps; it never enters the database.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cpworkflow.errors import BadInputError

ED25519 = b"\x01"  # the signed-note algorithm byte for Ed25519
DASH = "\u2014"  # the em dash that starts a signature line
_NAME = re.compile(r"[!-*,-~]{1,64}")  # printable ASCII without spaces or "+"
_ORIGIN = re.compile(r"[!-~][ -~]{0,199}")


@dataclass(frozen=True)
class Checkpoint:
    """The log's identity, its size and its Merkle root."""

    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        root = base64.b64encode(self.root).decode()
        return f"{self.origin}\n{self.size}\n{root}\n"


@dataclass(frozen=True)
class KeyPair:
    name: str
    private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()


def key_id(name: str, public: Ed25519PublicKey) -> bytes:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + raw).digest()[:4]


def generate(name: str) -> KeyPair:
    if not _NAME.fullmatch(name):
        raise BadInputError("must be printable ASCII, no spaces or '+', at most 64", field="--name")
    return KeyPair(name, Ed25519PrivateKey.generate())


def private_text(pair: KeyPair) -> str:
    seed = pair.private.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    kid = key_id(pair.name, pair.public).hex()
    return f"PRIVATE+KEY+{pair.name}+{kid}+{base64.b64encode(ED25519 + seed).decode()}\n"


def public_text(name: str, public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return f"{name}+{key_id(name, public).hex()}+{base64.b64encode(ED25519 + raw).decode()}\n"


def _key_parts(text: str, field: str, prefix: str) -> tuple[str, str, bytes]:
    parts = text.strip().removeprefix(prefix).split("+", 2)
    try:
        name, kid, encoded = parts
        raw = base64.b64decode(encoded, validate=True)
    except (ValueError, binascii.Error):
        raise BadInputError("is not a key written by `cpw keygen`", field=field) from None
    if not raw.startswith(ED25519) or len(raw) != 33:
        raise BadInputError("is not an Ed25519 key", field=field)
    return name, kid, raw[1:]


def read_private(text: str, field: str = "--key") -> KeyPair:
    if not text.startswith("PRIVATE+KEY+"):
        raise BadInputError("is not a private key written by `cpw keygen`", field=field)
    name, kid, seed = _key_parts(text, field, "PRIVATE+KEY+")
    pair = KeyPair(name, Ed25519PrivateKey.from_private_bytes(seed))
    if key_id(name, pair.public).hex() != kid:
        raise BadInputError("its key id does not match the key", field=field)
    return pair


def read_public(text: str, field: str = "--public-key") -> tuple[str, Ed25519PublicKey]:
    name, kid, raw = _key_parts(text, field, "")
    public = Ed25519PublicKey.from_public_bytes(raw)
    if key_id(name, public).hex() != kid:
        raise BadInputError("its key id does not match the key", field=field)
    return name, public


def sign(checkpoint: Checkpoint, pair: KeyPair) -> str:
    if not _ORIGIN.fullmatch(checkpoint.origin) or checkpoint.origin != checkpoint.origin.strip():
        raise BadInputError("must be one line of printable ASCII", field="--origin")
    body = checkpoint.body()
    signature = pair.private.sign(body.encode())
    encoded = base64.b64encode(key_id(pair.name, pair.public) + signature).decode()
    return f"{body}\n{DASH} {pair.name} {encoded}\n"


def parse(
    text: str, field: str = "--checkpoint"
) -> tuple[Checkpoint, str, list[tuple[str, bytes]]]:
    """The checkpoint, the signed body, and each signature line's (key name, bytes)."""
    body, blank, rest = text.partition("\n\n")
    lines = body.split("\n")
    if not blank or len(lines) < 3:
        raise BadInputError("is not a checkpoint written by `cpw checkpoint`", field=field)
    origin, size, root = lines[:3]
    try:
        checkpoint = Checkpoint(origin, int(size), base64.b64decode(root, validate=True))
    except (ValueError, binascii.Error):
        raise BadInputError(
            "has no size and root on its second and third lines", field=field
        ) from None
    if not size.isdigit() or len(checkpoint.root) != 32:
        raise BadInputError("has no size and root on its second and third lines", field=field)
    signatures = []
    for line in rest.splitlines():
        dash, _, signed = line.partition(" ")
        name, _, encoded = signed.partition(" ")
        try:
            signatures.append((name, base64.b64decode(encoded, validate=True)))
        except (ValueError, binascii.Error):
            raise BadInputError(
                f"signature line {line[:40]!r} is not base64", field=field
            ) from None
        if dash != DASH:
            raise BadInputError("a signature line must start with an em dash", field=field)
    return checkpoint, body + "\n", signatures


def verified(text: str, name: str, public: Ed25519PublicKey) -> Checkpoint | None:
    """The checkpoint if it carries a valid signature by this key, else None."""
    checkpoint, body, signatures = parse(text)
    kid = key_id(name, public)
    for signer, raw in signatures:
        if signer == name and raw[:4] == kid and len(raw) == 68:
            try:
                public.verify(raw[4:], body.encode())
            except InvalidSignature:
                continue
            return checkpoint
    return None
