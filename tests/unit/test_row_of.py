"""`rows.row_of` hashes with `raw_hash` where it can: its rows are the very rows the
definition builds (the parts as scalars and canonical texts, hashed by `chain_hash`), for
any parts; a lone surrogate in a scalar raises as the definition raises."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cpworkflow.store.canonical import chain_hash, encode
from cpworkflow.store.rows import Parts, row_of

ANY_TEXT = st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=8)
STORE_TEXT = st.text(
    st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=["Cs"]), max_size=8
)
OBJECT = st.dictionaries(
    STORE_TEXT, st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | STORE_TEXT
).map(encode)


def _definition(p: Parts, seq: int, recorded_at: str, prev_hash: str) -> dict[str, Any]:
    """The row as the first build made it."""
    case_id, type_, day, schema_version, policy, policy_version, key, actor, data, decision = p
    scalars: dict[str, str | int | None] = {
        "case_id": case_id,
        "seq": seq,
        "type": type_,
        "occurred_on": day.isoformat(),
        "recorded_at": recorded_at,
        "schema_version": schema_version,
        "policy": policy,
        "policy_version": policy_version,
        "key": key,
        "prev_hash": prev_hash,
    }
    encoded = {"actor": actor, "data": data, "decision": decision}
    row: dict[str, Any] = {**scalars, **encoded, "occurred_on": day}
    row["hash"] = chain_hash(scalars, encoded)
    return row


@settings(max_examples=500)
@given(
    scalar=ANY_TEXT,
    day=st.dates(),
    numbers=st.tuples(st.integers(1, 10**9), st.integers(1, 99)),
    key=st.none() | ANY_TEXT,
    texts=st.tuples(OBJECT, OBJECT, OBJECT),
    where=st.integers(0, 5),
)
def test_a_row_is_the_definition_s_row(
    scalar: str,
    day: date,
    numbers: tuple[int, int],
    key: str | None,
    texts: tuple[str, str, str],
    where: int,
) -> None:
    names = ["C1", "ChildVisited", "lancashire", "1.0", "2026-04-01T09:00:00.000000Z", "0" * 64]
    names[where] = scalar  # any one of the scalars any text, a lone surrogate included
    case_id, type_, policy, version, recorded_at, prev_hash = names
    seq, schema_version = numbers
    parts: Parts = (case_id, type_, day, schema_version, policy, version, key, *texts)
    row = _outcome(row_of, parts, seq, recorded_at, prev_hash)
    expected = _outcome(_definition, parts, seq, recorded_at, prev_hash)
    assert row == expected
    assert list(row[1]) == list(expected[1])


def _outcome(make: Any, *args: Any) -> tuple[str, Any]:
    """The row, or the error the row could not be made for (the definition raises on a
    lone surrogate in a scalar: no row has one)."""
    try:
        return "row", make(*args)
    except UnicodeEncodeError as err:
        return "error", str(err)
