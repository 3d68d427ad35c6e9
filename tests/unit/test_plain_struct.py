"""`canonical.plain_struct` vouches for a struct type only if the builtins of every
instance are inside `_plain`'s domain (so `encode_plain` gives `encode`'s bytes): instances
of every event type and of Person are generated from their types (strings of any
character, integers to their bounds, every optional part) and each is found inside it.
The judge refuses what only the value could tell; and an import that encodes the
vouched-for actors and data without the walk stores what one that walks them stores."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
import msgspec.inspect as mi
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from cpworkflow.service import CaseService
from cpworkflow.service import importing as importing_module
from cpworkflow.store import EventStore
from cpworkflow.store.canonical import (
    MAX_SAFE_INTEGER,
    _plain,
    encode,
    encode_plain,
    plain_struct,
)
from cpworkflow.vocabulary.envelope import EVENT_TYPES, Person
from cpworkflow.workload.caseload import jsonl, simulate

TEXT = st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=6)
ID_LIKE = st.from_regex(r"[a-z][a-z0-9-]{0,7}", fullmatch=True)  # ids pass their rules


def _builtins(t: mi.Type, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of type `t` as msgspec.convert takes them (any, within the type's bounds)."""
    if isinstance(t, mi.Metadata):
        return _builtins(t.type, depth)
    if isinstance(t, mi.StrType):
        if t.pattern is not None:
            return st.from_regex(t.pattern)
        return (ID_LIKE | TEXT).filter(lambda s: len(s) >= (t.min_length or 0))
    if isinstance(t, mi.BoolType):
        return st.booleans()
    if isinstance(t, mi.NoneType):
        return st.none()
    if isinstance(t, mi.DateType):
        return st.dates()
    if isinstance(t, mi.LiteralType):
        return st.sampled_from(t.values)
    if isinstance(t, mi.IntType):
        return st.integers(t.ge, t.le)
    if isinstance(t, mi.UnionType):
        return st.one_of([_builtins(m, depth) for m in t.types])
    if isinstance(t, mi.ListType):
        return st.lists(_builtins(t.item_type, depth + 1), max_size=3)
    if isinstance(t, mi.DictType):
        keys, values = _builtins(t.key_type, depth + 1), _builtins(t.value_type, depth + 1)
        return st.dictionaries(keys, values, max_size=3)
    if isinstance(t, mi.StructType):
        required = {f.encode_name: _builtins(f.type, depth + 1) for f in t.fields if f.required}
        optional = {f.encode_name: _builtins(f.type, depth + 1) for f in t.fields if not f.required}
        made = st.fixed_dictionaries(required, optional=optional)
        if t.tag_field is not None:
            return made.map(lambda d: {**d, t.tag_field: t.tag})
        return made
    raise AssertionError(f"no strategy for {t}")


VOUCHED = [cls for cls in [Person, *EVENT_TYPES.values()] if plain_struct(cls)]


def test_the_judge_vouches_for_all_but_entry_retracted() -> None:
    """Every type of the vocabulary is vouched for except EntryRetracted, whose `seq`
    goes to 2**63 - 1 (beyond the domain: its events are walked, as ever)."""
    assert [cls.__name__ for cls in [Person, *EVENT_TYPES.values()] if cls not in VOUCHED] == [
        "EntryRetracted"
    ]


@pytest.mark.parametrize("cls", VOUCHED, ids=lambda cls: cls.__name__)
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_instance_of_a_vouched_struct_is_inside_the_plain_domain(
    cls: type[msgspec.Struct], data: st.DataObject
) -> None:
    value = data.draw(_builtins(mi.type_info(cls)))
    try:
        instance = msgspec.convert(value, cls)
    except msgspec.ValidationError:
        reject()
    built = msgspec.to_builtins(instance)
    assert _plain(built, 0)
    try:
        expected = encode(built)
    except ValueError:  # a lone surrogate: refused both ways
        with pytest.raises(ValueError):
            encode_plain(built)
    else:
        assert encode_plain(built) == expected


class _Unbounded(msgspec.Struct):
    n: int


class _TooHigh(msgspec.Struct):
    n: Annotated[int, msgspec.Meta(ge=0, le=MAX_SAFE_INTEGER + 1)]


class _Edges(msgspec.Struct):
    n: Annotated[int, msgspec.Meta(gt=-MAX_SAFE_INTEGER - 1, lt=MAX_SAFE_INTEGER + 1)]
    kind: Literal["a", 3] = "a"


class _FreeKeys(msgspec.Struct):
    d: dict[str, str]


class _LiteralKeys(msgspec.Struct):
    d: dict[Literal["x", "y"], list[str]]


class _Astral(msgspec.Struct, rename={"k": "\U0001f600"}):
    k: str


class _Floating(msgspec.Struct):
    f: float


class _Tagged(msgspec.Struct, tag_field="kind", tag=2**60):
    pass


class _Self(msgspec.Struct):
    inner: _Self | None = None


class _WideDefault(msgspec.Struct):
    n: Annotated[int, msgspec.Meta(ge=0, le=9)] = 2**60  # a default is never checked


class _FloatDefault(msgspec.Struct):
    n: Annotated[int, msgspec.Meta(ge=0, le=9)] | None = msgspec.field(default_factory=float)


def test_the_judge_refuses_what_only_the_value_could_tell() -> None:
    assert plain_struct(_Edges) and plain_struct(_LiteralKeys)
    refused = (_Unbounded, _TooHigh, _FreeKeys, _Astral, _Floating, _Tagged, _Self)
    for cls in (*refused, _WideDefault, _FloatDefault):
        assert not plain_struct(cls), cls.__name__


def test_the_judge_counts_nesting_as_the_walk_does() -> None:
    nested: Any = str
    for _ in range(63):  # a struct's builtins at depth 0, its list members 1..63 deep
        nested = list[nested]
    deep = msgspec.defstruct("Deep", [("x", nested)])
    deeper = msgspec.defstruct("Deeper", [("x", list[nested])])
    assert plain_struct(deep) and not plain_struct(deeper)
    value: Any = "s"
    for _ in range(63):
        value = [value]
    assert _plain({"x": value}, 0) and not _plain({"x": [value]}, 0)


def test_an_import_stores_what_it_stores_walking_every_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines = list(jsonl(simulate(8, seed=5)))

    def stored() -> list[tuple[Any, ...]]:
        with tempfile.TemporaryDirectory() as tmp:
            store = EventStore(
                f"sqlite:///{Path(tmp) / 'x.db'}",
                clock=lambda: dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC),
            )
            store.init()
            CaseService(store, today=lambda: dt.date(2026, 4, 1)).import_lines(lines)
            rows = [(e.case_id, e.seq, e.hash) for e in store.read_all(batch_size=500)]
            store.dispose()
            return rows

    fast = stored()
    monkeypatch.setattr(importing_module, "plain_struct", lambda cls: False)
    assert stored() == fast
    assert len(fast) > 100
