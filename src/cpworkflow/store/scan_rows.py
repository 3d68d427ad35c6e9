"""A case's rows as store/scan.py reads them (NAMES, the driver's tuples): checked row by
row with the fast reading, else by the definitions.

A case's chain is checked row by row with `canonical.reread_text` and `raw_hash`:
each of actor, data and decision is decoded once (the event's content, handed on as it is;
verify's pass reads a short text it has read before from what it read then) and its
canonical bytes are encoded from that, inside the domain where they are proven to be
`encode`'s; the hash is `chain_hash`'s. So a row's hash is computed exactly as
`rows.row_hash` computes it, not from a shortcut that trusts the stored text: a text that is
not canonical gives the canonical bytes of what it decodes to, as it always has, and a row
whose hash was made over text that is not canonical fails, as it always has. The scalars
must have the types they are written with (str, int, None for no key, and a date or ISO
text for occurred_on), checked at once against the tuples of those types; the event is
then built from the same values `stored_event` would read, as a `Scanned` (verify replays
it as it is, `walk` hands on its StoredEvent).

Anything this check does not accept (a seq or link out of place, a hash that does not
match, a column of another type, text outside that domain or not JSON) sends the whole case
to store/verify.py's `first_problem` and rows.py's `stored_event`, the definitions, which
find and word its problem (or pass it, or raise) exactly as before. The check accepts only
what they accept, so a clean case gives the same events and a bad one the same problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import fields
from datetime import date, datetime
from typing import Any

import msgspec

from cpworkflow.records import StoredEvent
from cpworkflow.store.canonical import GENESIS, parse_timestamp, raw_hash, reread_text
from cpworkflow.store.rows import stored_event
from cpworkflow.store.verify import IntegrityProblem, first_problem

_DECODE = msgspec.json.Decoder().decode  # decode_object's decoder
_MEMO = 4096  # timestamps, days and texts remembered (the events of one import share one)
_SHORT = 200  # characters: a longer text is seldom repeated (verify remembers shorter ones)
NAMES = (
    "position",
    "case_id",
    "seq",
    "type",
    "occurred_on",
    "recorded_at",
    "actor",
    "data",
    "decision",
    "schema_version",
    "policy",
    "policy_version",
    "key",
    "prev_hash",
    "hash",
)
NAMES_OF_EVENT = tuple(f.name for f in fields(StoredEvent))
# The types of a row as the store writes it (occurred_on: text on SQLite, a date on
# PostgreSQL; key: text or none); a row of any others goes to the definitions.
_WRITTEN = frozenset(
    (int, str, int, str, day, str, str, str, str, int, str, str, key, str, str)
    for day in (str, date)
    for key in (str, type(None))
)


class Scanned(msgspec.Struct, frozen=True, gc=False):
    """A stored event as verify's fast reading gives it: StoredEvent's fields, the same
    values, in a struct some twenty times cheaper to build (verify builds one per event
    and drops it with its case). `stored()` is the StoredEvent."""

    case_id: str
    seq: int
    position: int
    type: str
    occurred_on: date
    recorded_at: datetime
    actor: dict[str, Any]
    data: dict[str, Any]
    schema_version: int
    policy: str
    policy_version: str
    decision: dict[str, Any]
    key: str | None
    prev_hash: str
    hash: str

    def stored(self) -> StoredEvent:
        return StoredEvent(*msgspec.structs.astuple(self))


assert Scanned.__struct_fields__ == NAMES_OF_EVENT  # StoredEvent's, in its order

Events = list[StoredEvent] | list[Scanned]
Read = tuple[dict[str, Any], msgspec.Raw]  # a text's object and its canonical bytes
Memo = dict[str, Read]


class Checker:
    """Checks one case's rows at a time, remembering the timestamps and days it has parsed
    (every event of one import shares one recorded_at) and, `shared`, the short texts it
    has read, a memory for each column (a few actors recur in every case; decisions are
    mostly each their own, and would push the others out of one memory)."""

    def __init__(self, read: bool, *, shared: bool = False) -> None:
        self._read = read
        self._moments: dict[str, datetime] = {}
        self._days: dict[str | date, tuple[date, str]] = {}
        self._texts: tuple[Memo, Memo, Memo] = ({}, {}, {})  # actor, data, decision
        self._shared = shared

    def case(
        self, case_id: str, rows: list[Sequence[Any]]
    ) -> tuple[str, Events, IntegrityProblem | None]:
        found = self._fast(rows)
        if found is not None:
            return case_id, found, None
        mappings = [dict(zip(NAMES, row, strict=True)) for row in rows]
        problem = first_problem(mappings)
        if problem is not None or not self._read:
            return case_id, [], problem
        return case_id, [stored_event(m) for m in mappings], None

    def _fast(self, rows: list[Sequence[Any]]) -> list[Scanned] | None:
        """The case's events if every row passes the check (see the module's doc), else
        None."""
        found: list[Scanned] = []
        previous = GENESIS
        days, moments, read = self._days, self._moments, self._text
        actors, datas, decisions = self._texts
        for expected, row in enumerate(rows, start=1):
            if tuple(map(type, row)) not in _WRITTEN:  # the types the store writes
                return None
            (
                position,
                case_id,
                seq,
                type_,
                day,
                recorded_at,
                actor,
                data,
                decision,
                schema_version,
                policy,
                policy_version,
                key,
                prev_hash,
                hash_,
            ) = row
            if seq != expected or prev_hash != previous:
                return None
            on = days.get(day) or self._day_of(day)
            moment = moments.get(recorded_at) or self._moment(recorded_at)
            a = actors.get(actor) or read(actor, actors)
            d = datas.get(data) or read(data, datas)
            c = decisions.get(decision) or read(decision, decisions)
            if on is None or moment is None or a is None or d is None or c is None:
                return None
            digest = raw_hash(
                case_id,
                seq,
                type_,
                on[1],
                recorded_at,
                schema_version,
                policy,
                policy_version,
                key,
                prev_hash,
                a[1],
                d[1],
                c[1],
            )
            if digest != hash_:
                return None
            found.append(
                Scanned(
                    case_id,
                    seq,
                    position,
                    type_,
                    on[0],
                    moment,
                    a[0],
                    d[0],
                    schema_version,
                    policy,
                    policy_version,
                    c[0],
                    key,
                    prev_hash,
                    hash_,
                )
            )
            previous = hash_
        return found

    def event(self, row: Sequence[Any]) -> StoredEvent:
        """The row as `stored_event` reads it (without checking its hash): decoded once,
        the definition for anything but the types the store writes (which raises its
        IntegrityError for a row it cannot read)."""
        (position, case_id, seq, type_, day, recorded_at, actor, data, decision) = row[:9]
        (schema_version, policy, policy_version, key, prev_hash, hash_) = row[9:]
        if (
            type(position) is int
            and type(case_id) is str
            and type(seq) is int
            and type(type_) is str
            and type(recorded_at) is str
            and type(schema_version) is int
            and type(policy) is str
            and type(policy_version) is str
            and (key is None or type(key) is str)
            and type(prev_hash) is str
            and type(hash_) is str
            and type(actor) is str
            and type(data) is str
            and type(decision) is str
        ):
            known = self._day_of(day) if type(day) is str or type(day) is date else None
            on, moment = known and known[0], self._moment(recorded_at)
            try:
                a, d, c = _DECODE(actor), _DECODE(data), _DECODE(decision)
            except (msgspec.DecodeError, UnicodeError):
                a = d = c = None
            if on and moment and type(a) is dict and type(d) is dict and type(c) is dict:
                return StoredEvent(
                    case_id=case_id,
                    seq=seq,
                    position=position,
                    type=type_,
                    occurred_on=on,
                    recorded_at=moment,
                    actor=a,
                    data=d,
                    schema_version=schema_version,
                    policy=policy,
                    policy_version=policy_version,
                    decision=c,
                    key=key,
                    prev_hash=prev_hash,
                    hash=hash_,
                )
        return stored_event(dict(zip(NAMES, row, strict=True)))

    def _text(self, text: str, memo: Memo) -> Read | None:
        """`reread_text`, the canonical bytes as msgspec.Raw; with `shared`, a short text
        read before gives the object read then (the same actor, or an empty decision,
        recurs from event to event): the events verify replays are read, never changed,
        and dropped with their case."""
        read = reread_text(text)
        if read is None:
            return None
        found = read[0], msgspec.Raw(read[1])
        if self._shared and len(text) <= _SHORT:
            if len(memo) >= _MEMO:
                memo.clear()
            memo[text] = found
        return found

    def _day_of(self, value: str | date) -> tuple[date, str] | None:
        """`_day` of a day as stored (a date, or its text), with the text it is hashed as."""
        known = self._days.get(value)
        if known is not None:
            return known
        on = self._day(value)
        if on is None:
            return None
        found = on, value if type(value) is str else on.isoformat()
        if len(self._days) >= _MEMO:
            self._days.clear()
        self._days[value] = found
        return found

    def _day(self, value: object) -> date | None:
        """As rows.py's `_day` reads it (a date as is, or exact YYYY-MM-DD text), or None."""
        if type(value) is date:
            return value
        if type(value) is not str:
            return None
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            return None
        if parsed.isoformat() != value:
            return None
        return parsed

    def _moment(self, text: str) -> datetime | None:
        known = self._moments.get(text)
        if known is not None:
            return known
        try:
            parsed = parse_timestamp(text)
        except ValueError:
            return None
        if len(self._moments) >= _MEMO:
            self._moments.clear()
        self._moments[text] = parsed
        return parsed


def read(rows: Iterable[Sequence[Any]]) -> Iterator[StoredEvent]:
    """Rows (NAMES) as `stored_event` reads them, one by one (unchecked)."""
    reader = Checker(True)
    return (reader.event(row) for row in rows)
