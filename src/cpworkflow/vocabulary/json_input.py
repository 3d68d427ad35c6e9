"""Reading JSON the way an evidence system should: a key given twice is refused, not
guessed at; the `stored` object an export adds for readers is set aside on the way in."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cpworkflow.errors import BadInputError


def without_export_metadata(
    raw: bytes | str | Mapping[str, Any],
) -> bytes | str | Mapping[str, Any]:
    """`cpw export --format jsonl` adds a `stored` object (seq, recorded_at, hashes) for
    readers; import and record take the envelope and ignore it."""
    if not isinstance(raw, Mapping):
        try:
            decoded = json.loads(raw, object_pairs_hook=unique_keys)
        except RepeatedKeyError as err:
            raise BadInputError(str(err)) from None
        except RecursionError:
            raise BadInputError("not valid JSON: nested too deeply") from None
        except (ValueError, UnicodeDecodeError):
            return raw  # parse_envelope names what is wrong
        if not isinstance(decoded, dict) or "stored" not in decoded:
            return raw
        raw = decoded
    if not isinstance(raw.get("stored", {}), Mapping):
        raise BadInputError("must be an object (what an export adds: seq, hashes)", field="stored")
    return {k: v for k, v in raw.items() if k != "stored"}


class RepeatedKeyError(ValueError):
    """A JSON object names a key twice: ambiguous (which value counts?), so refused."""


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """`json.loads(..., object_pairs_hook=unique_keys)`: refuse a repeated key, don't guess."""
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise RepeatedKeyError(f"the key {key[:40]!r} is repeated")
        seen.add(key)
    return dict(pairs)
