"""The schema of a policy pack: its vocabulary (roles, event types, units, support kinds),
the value types the engine reads, and the readers that check each part of a pack's TOML
table, every error naming the pack and the key (the format: packs/README.md).

`policy.py` assembles the whole `Policy`, loads, extends and caches packs: import from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any, Literal, get_args

from cpworkflow.errors import BadInputError

Unit = Literal[
    "working_days", "days", "weeks", "months", "years", "working_days_before", "days_before"
]
UNITS: tuple[Unit, ...] = get_args(Unit)
# The role ids (DOMAIN.md §1) and event types (DOMAIN.md §3) a roles table speaks of.
ROLES: tuple[str, ...] = (
    *("social_worker", "team_manager", "cp_chair", "iro_manager", "service_manager"),
    *("group_manager", "aswp", "lead_professional", "auditor"),
)
EVENT_TYPES = (
    *("CaseOpened", "StrategyMeetingHeld", "AssessmentStarted", "AssessmentCompleted"),
    *("InitialConferenceHeld", "CoreGroupMeetingHeld", "ChildVisited"),
    *("InitialConferenceConvened", "ReviewConferenceConvened", "AgencyReportReceived"),
    "ReviewConferenceHeld",
    *("ChildProtectionPlanEnded", "CaseClosed", "AgenciesNotified", "OutcomesRecorded"),
    *("ChildInNeedPlanRecorded", "ChildInNeedPlanCirculated", "ChildInNeedMeetingHeld"),
    *("ReflectiveDiscussionHeld", "FinalChildInNeedReviewHeld", "CaseReopened"),
    *("ManagementAdviceSought", "IroManagerAuditCompleted", "DissentRecorded"),
    *("StaffAssigned", "ChildDetailsRecorded", "ChildBorn", "LegalStatusRecorded"),
    *("RuleWaived", "EntryRetracted"),
)
# Each kind of continuing support (DOMAIN.md §3): its yes/no fields, then its text fields.
SUPPORT_FIELDS = {
    "cin": (("family_consent",), ()),
    "early_help": (("referral_made",), ()),
    "universal": (("family_declined",), ("reason",)),
}
# The named amounts a timescale takes; any other takes one, "due". None at all (): the
# due date is set by the event (the meeting date chosen, the next conference).
DURATION_NAMES = {"T-CORE-GROUP": ("first", "second", "then"), "T-CIN-VISIT": ("max",)}
DURATION_NAMES |= dict.fromkeys(("T-CIN-REVIEW", "T-BEDROOM", "T-LONG-PLAN"), ())
# Named amounts a rule takes besides its main one: T-FIRST-CIN on the s17 path (004).
EXTRA_NAMES = {"T-FIRST-CIN": ("s17",)}
# Reports and the core group before a conference count back from it (T-ICPC-REPORTS: a
# pack may count calendar days); a visiting cap is a span of days.
_BACK: tuple[Unit, ...] = ("working_days_before", "days_before")
UNITS_FOR: dict[str, tuple[Unit, ...]] = {
    **dict.fromkeys(("T-REPORTS", "T-ICPC-REPORTS", "T-CORE-GROUP-RCPC"), _BACK),
    "T-CIN-VISIT": ("weeks", "days"),
}
FORWARD_UNITS: tuple[Unit, ...] = tuple(u for u in UNITS if u not in _BACK)
INTERVAL_UNITS: tuple[Unit, ...] = ("working_days", "days", "weeks", "months")


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: Unit


@dataclass(frozen=True)
class Timescale:
    rule: str
    enabled: bool
    owner_role: str
    source: str
    durations: Mapping[str, Duration]  # {"due": ...}; T-CORE-GROUP first/second/then
    owners: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def owner_for(self, name: str = "due") -> str:
        """Who owns the obligation opened from the named amount (T-CORE-GROUP: the first
        meeting is the team manager's, later ones the social worker's)."""
        return self.owners.get(name, self.owner_role)


@dataclass(frozen=True)
class SupportRule:
    kind: str
    require_true: tuple[str, ...]
    require_text: tuple[str, ...]


class PackReader:
    """Reads one pack's table; every failure names the pack and the key."""

    def __init__(self, label: str) -> None:
        self.label = label

    def fail(self, path: str, problem: str) -> BadInputError:
        error = BadInputError(f"pack {self.label!r}: {path}: {problem}")
        error.field = path
        return error

    def table(
        self, value: object, path: str, keys: Iterable[str], need: Iterable[str] = ()
    ) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(path, "expected a table")
        allowed = list(keys)
        for key in [k for k in value if k not in allowed]:
            raise self.fail(_at(path, key), f"unknown key (expected one of: {', '.join(allowed)})")
        for key in [k for k in need if k not in value]:
            raise self.fail(_at(path, key), "missing")
        return value

    def text(self, value: object, path: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, "expected a non-empty string")
        return value

    def flag(self, value: object, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, "expected true or false")
        return value

    def count(self, value: object, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail(path, "expected a positive integer")
        return value

    def texts(self, value: object, path: str, choices: Iterable[str] | None = None) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(path, "expected a list of strings")
        options = None if choices is None else list(choices)
        for item in [v for v in value if options is not None and v not in options]:
            expected = ", ".join(options or ()) or "none here"
            raise self.fail(path, f"unknown value {item!r} (expected one of: {expected})")
        return value

    def roles(self, value: object, path: str) -> frozenset[str]:
        roles = frozenset(self.texts(value, path))
        for role in sorted(roles - set(ROLES)):
            raise self.fail(path, f"unknown role {role!r} (roles: {', '.join(ROLES)})")
        if "auditor" in roles:
            raise self.fail(path, "an auditor reads everything and records nothing (DOMAIN.md §1)")
        return roles

    def role(self, value: object, path: str) -> str:
        (role,) = self.roles([self.text(value, path)], path)
        return role

    def amount(
        self, table: Mapping[str, Any], path: str, units: tuple[Unit, ...]
    ) -> Duration | None:
        """The one amount in `table`, such as `working_days = 5`; None if it has none."""
        given = [u for u in UNITS if u in table]
        if len(given) > 1:
            raise self.fail(path, f"give one amount, not {' and '.join(given)}")
        if given and given[0] not in units:
            raise self.fail(_at(path, given[0]), f"this takes one of: {', '.join(units)}")
        return (
            Duration(self.count(table[given[0]], _at(path, given[0])), given[0]) if given else None
        )

    def duration(
        self, value: object, path: str, units: tuple[Unit, ...], extra: tuple[str, ...] = ()
    ) -> Duration:
        found = self.amount(self.table(value, path, (*UNITS, *extra)), path, units)
        if found is None:
            raise self.fail(path, f"missing an amount ({', '.join(units)})")
        return found


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def timescale(c: PackReader, rule: str, raw: object) -> Timescale:
    path = f"timescales.{rule}"
    names = DURATION_NAMES.get(rule, ("due",))
    units = UNITS_FOR.get(rule, FORWARD_UNITS)
    single = names == ("due",)
    extras = EXTRA_NAMES.get(rule, ())
    keys = ("enabled", "owner_role", "source", *(UNITS if single else names), *extras)
    t = c.table(raw, path, keys, ("enabled", "owner_role"))
    enabled = c.flag(t["enabled"], _at(path, "enabled"))
    owner = c.role(t["owner_role"], _at(path, "owner_role"))
    source = c.text(t["source"], _at(path, "source")) if "source" in t else ""
    durations: dict[str, Duration] = {}
    owners: dict[str, str] = {}
    due = c.amount(t, path, units) if single else None
    if due is not None:
        durations["due"] = due
    elif single and enabled:
        raise c.fail(path, f"missing an amount ({', '.join(units)})")
    for name in extras if single else names:
        where = _at(path, name)
        if name not in t and enabled:
            raise c.fail(
                where, f"missing (this rule takes {', '.join(names if not single else extras)})"
            )
        if name not in t:
            continue
        durations[name] = c.duration(t[name], where, units, ("owner_role",))
        if "owner_role" in t[name]:
            owners[name] = c.role(t[name]["owner_role"], _at(where, "owner_role"))
    return Timescale(
        rule, enabled, owner, source, MappingProxyType(durations), MappingProxyType(owners)
    )


def support(c: PackReader, raw: object) -> dict[str, SupportRule]:
    rules: dict[str, SupportRule] = {}
    for kind, entry in c.table(raw, "guards.support", SUPPORT_FIELDS).items():
        path = f"guards.support.{kind}"
        flags, texts = SUPPORT_FIELDS[kind]
        e = c.table(entry, path, ("accepted", "require", "require_text"))
        if c.flag(e.get("accepted", True), _at(path, "accepted")):
            require = c.texts(e.get("require", []), _at(path, "require"), flags)
            require_text = c.texts(e.get("require_text", []), _at(path, "require_text"), texts)
            rules[kind] = SupportRule(kind, tuple(require), tuple(require_text))
    if not rules:
        raise c.fail("guards.support", "no kind of continuing support is accepted")
    return rules


def closure_days(c: PackReader, raw: object) -> tuple[date, ...]:
    # A TOML local date is a `date`; a date-time is a `datetime` (a subclass): refused.
    if not isinstance(raw, list) or not all(type(d) is date for d in raw):
        raise c.fail("closure_days", "expected a list of dates (YYYY-MM-DD, unquoted)")
    return tuple(sorted(set(raw)))


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep merge: tables merge key by key; any other value (number, string, list)
    replaces. An amount replaces the base's amount whatever its unit (`days = 7` over
    `working_days = 5` leaves only `days = 7`)."""
    if any(unit in override for unit in UNITS):
        base = {k: v for k, v in base.items() if k not in UNITS}
    merged = dict(base)
    for key, value in override.items():
        old = merged.get(key)
        if isinstance(old, Mapping) and isinstance(value, Mapping):
            value = merge(old, value)
        merged[key] = value
    return merged
