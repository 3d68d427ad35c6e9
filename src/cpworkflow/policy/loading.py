"""Reading policy packs from versioned TOML files, never from code (DOMAIN.md §6).

`load_policy("sefton")` loads a pack shipped in `cpworkflow/policy/packs/`; a path ending in
`.toml` loads an authority's own file, which may `extends = "<packaged pack>"` and
override any part of it. Parts of the schema live in `schema.py`; the file format is
described in `packs/README.md`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from functools import cache, lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from cpworkflow.errors import BadInputError
from cpworkflow.policy.pack import Policy
from cpworkflow.policy.rulebook import GUARDS, TIMESCALES
from cpworkflow.policy.schema import (
    EVENT_TYPES,
    INTERVAL_UNITS,
    Duration,
    PackReader,
    closure_days,
    merge,
    support,
    timescale,
)
from cpworkflow.policy.workingdays import SUBDIVISIONS

_TOP = ("id", "version", "title", "nation", "waiver_roles", "guards", "roles", "timescales")
_GUARDS = (
    *("first_cin_max_working_days", "cin_review_max", "cin_review_default_weeks"),
    *("third_review_chair", "first_review_needs_overriding_reasons", "support"),
)
_ID = re.compile(r"[a-z][a-z0-9_-]*")
_SHORTEST_DAYS = {"working_days": 1, "days": 1, "weeks": 7, "months": 28}


def build(raw: Mapping[str, Any], label: str) -> Policy:
    """Check a pack's whole (merged) table and build its Policy."""
    c = PackReader(label)
    top = c.table(raw, "", (*_TOP, "sources", "closure_days", "extends", "la_code"), _TOP)
    if not _ID.fullmatch(c.text(top["id"], "id")):
        raise c.fail("id", "expected lowercase letters, digits, '-' and '_'")
    if top["nation"] not in SUBDIVISIONS:
        raise c.fail("nation", f"unknown nation {top['nation']!r} ({', '.join(SUBDIVISIONS)})")
    g = c.table(top["guards"], "guards", (*_GUARDS, "sources"), _GUARDS)
    sources = c.table(g.get("sources", {}), "guards.sources", GUARDS)
    roles = c.table(top["roles"], "roles", EVENT_TYPES, EVENT_TYPES)
    timescales = c.table(top["timescales"], "timescales", TIMESCALES, TIMESCALES)
    policy = Policy(
        id=top["id"],
        version=c.text(top["version"], "version"),
        title=c.text(top["title"], "title"),
        nation=top["nation"],
        closure_days=closure_days(c, top.get("closure_days", [])),
        first_cin_max_working_days=c.count(
            g["first_cin_max_working_days"], "guards.first_cin_max_working_days"
        ),
        cin_review_max=c.duration(g["cin_review_max"], "guards.cin_review_max", INTERVAL_UNITS),
        cin_review_default_weeks=c.count(
            g["cin_review_default_weeks"], "guards.cin_review_default_weeks"
        ),
        third_review_chair=c.flag(g["third_review_chair"], "guards.third_review_chair"),
        first_review_needs_overriding_reasons=c.flag(
            g["first_review_needs_overriding_reasons"],
            "guards.first_review_needs_overriding_reasons",
        ),
        support=MappingProxyType(support(c, g["support"])),
        waiver_roles=c.roles(top["waiver_roles"], "waiver_roles"),
        roles=MappingProxyType({e: c.roles(roles[e], f"roles.{e}") for e in EVENT_TYPES}),
        timescales=MappingProxyType({t: timescale(c, t, timescales[t]) for t in TIMESCALES}),
        guard_sources=MappingProxyType(
            {rule: c.text(text, f"guards.sources.{rule}") for rule, text in sources.items()}
        ),
        sources=tuple(c.texts(top.get("sources", []), "sources")),
        extends=c.text(top["extends"], "extends") if "extends" in top else None,
        la_code=_la_code(c, top["la_code"]) if "la_code" in top else None,
    )
    _check_consistent(c, policy)
    return policy


def _la_code(c: PackReader, value: Any) -> str:
    """An authority's own pack may name its LA code, for the CIN census (`cpw export`)."""
    if not re.fullmatch(r"\d{3}", c.text(value, "la_code")):
        raise c.fail("la_code", 'expected the authority\'s three-digit LA code, e.g. "318"')
    return str(value)


def _check_consistent(c: PackReader, p: Policy) -> None:
    """Where two settings speak of the same thing, they must agree."""
    if not p.waiver_roles:
        raise c.fail("waiver_roles", "name at least one role that may waive a rule")
    if not p.roles["RuleWaived"] <= p.waiver_roles:
        extra = ", ".join(sorted(p.roles["RuleWaived"] - p.waiver_roles))
        raise c.fail("roles.RuleWaived", f"{extra} may not waive a rule (see waiver_roles)")
    first_cin = p.timescale("T-FIRST-CIN")
    limit = Duration(p.first_cin_max_working_days, "working_days")
    if first_cin is not None and first_cin.durations.get("due") != limit:
        raise c.fail(
            "timescales.T-FIRST-CIN",
            f"must be {limit.amount} working_days, as guards.first_cin_max_working_days "
            "says (the first CiN meeting has one limit)",
        )
    cap, weeks = p.cin_review_max, p.cin_review_default_weeks
    if weeks * 7 > cap.amount * _SHORTEST_DAYS[cap.unit]:
        raise c.fail(
            "guards.cin_review_default_weeks",
            f"{weeks} weeks is longer than guards.cin_review_max ({cap.amount} {cap.unit})",
        )


# Each file states its own id, version and title: they are never inherited.
_OWN = ("id", "version", "title")


def _extend(label: str, table: Mapping[str, Any], chain: tuple[str, ...]) -> dict[str, Any]:
    """The table with the packaged pack it extends (if any) merged beneath it."""
    parent = table.get("extends")
    if parent is None:
        return dict(table)
    c = PackReader(label)
    if c.text(parent, "extends") not in available_policies():
        known = ", ".join(available_policies())
        raise c.fail("extends", f"no packaged pack named {parent!r} (packaged: {known})")
    if parent in chain:
        raise c.fail("extends", f"a cycle: {' → '.join((*chain, parent))}")
    base = _extend(parent, _packaged_table(parent), (*chain, parent))
    return merge({k: v for k, v in base.items() if k not in _OWN}, table)


@lru_cache(maxsize=64)
def _parse(label: str, data: bytes) -> Mapping[str, Any]:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise BadInputError(f"pack {label!r}: not a valid TOML file: {error}") from None


_PACKS = resources.files("cpworkflow.policy") / "packs"


@cache
def _packaged_ids() -> tuple[str, ...]:
    names = (p.name for p in _PACKS.iterdir() if p.name.endswith(".toml"))
    return tuple(sorted(name.removesuffix(".toml") for name in names))


def available_policies() -> list[str]:
    """The ids of the packs shipped with cpworkflow."""
    return list(_packaged_ids())


def _packaged_table(name: str) -> Mapping[str, Any]:
    return _parse(name, (_PACKS / f"{name}.toml").read_bytes())


@cache
def _packaged(name: str) -> Policy:
    if name not in available_policies():
        known = ", ".join(available_policies())
        raise BadInputError(f"no policy pack named {name!r} (packaged: {known})", field="policy")
    policy = build(_extend(name, _packaged_table(name), (name,)), name)
    if policy.id != name:
        raise PackReader(name).fail("id", f"{policy.id!r} differs from the file name")
    return policy


@lru_cache(maxsize=32)
def _from_file(path: str, data: bytes) -> Policy:
    policy = build(_extend(path, _parse(path, data), (path,)), path)
    if policy.id in available_policies():
        raise PackReader(path).fail("id", f"{policy.id!r} is a packaged pack; name your own")
    return policy


def _read(path: str) -> bytes:
    # Builtin open, not pathlib: the domain layer imports neither os nor pathlib.
    try:
        with open(path, "rb") as file:  # noqa: PTH123
            return file.read()
    except OSError as error:
        raise BadInputError(f"cannot read {path!r}: {error.strerror}", field="policy") from None


def load_policy(name_or_path: str) -> Policy:
    """A packaged pack by id, or an authority's own file by a path ending in .toml.
    Cached: by id, and by path and file content (an edited file is read afresh)."""
    if name_or_path.endswith(".toml"):
        return _from_file(name_or_path, _read(name_or_path))
    return _packaged(name_or_path)


def policy_resolver(*files: str) -> Callable[[str], Policy]:
    """`load_policy`, plus the given authority files by the id they declare: events name
    their pack by id, so a service recording under an authority's file resolves it so."""
    own = {policy.id: policy for policy in map(load_policy, files)}
    return lambda name: own.get(name) or load_policy(name)
