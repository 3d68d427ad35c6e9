"""Self-documentation for `cpw rules`, `cpw events` and `cpw policies`, read from the same
tables the engine runs on: the rulebook, the pack, the vocabulary and the lifecycle."""

from __future__ import annotations

from typing import Any, cast

import msgspec.inspect as mi

from cpworkflow.errors import BadInputError
from cpworkflow.lifecycle.facts import TIMESCALES_OF
from cpworkflow.lifecycle.machine import (
    EVENT_TYPES_IN_TABLE,
    OPENING_EVENT,
    STAGES,
    allowed_events,
    changes_stage,
)
from cpworkflow.policy.loading import available_policies, load_policy
from cpworkflow.policy.pack import Policy
from cpworkflow.policy.rulebook import GUARDS, TIMESCALES
from cpworkflow.reports import templates
from cpworkflow.vocabulary.envelope import EVENT_TYPES, describe_events, event_json_schema
from cpworkflow.vocabulary.people import ROLES

Json = dict[str, Any]
# Guards a pack can switch off; every other guard always applies.
_SWITCHES = {
    "G-THIRD-REVIEW": "third_review_chair",
    "G-FIRST-REVIEW": "first_review_needs_overriding_reasons",
}


def _guard_enabled(policy: Policy, rule_id: str) -> bool:
    switch = _SWITCHES.get(rule_id)
    return True if switch is None else bool(getattr(policy, switch))


def _when(policy: Policy, rule_id: str) -> str:
    timescale = policy.timescales.get(rule_id)
    if timescale is None:
        return ""
    return "; ".join(f"{name} {d.amount} {d.unit}" for name, d in timescale.durations.items()) or (
        "date set by the event"
    )


def rules(policy_name: str) -> Json:
    policy = load_policy(policy_name)
    return {
        "policy": policy.id,
        "version": policy.version,
        "title": policy.title,
        "guards": [
            {
                "id": g.id,
                "summary": g.summary,
                "source": policy.guard_sources.get(g.id, g.source),
                "waivable": g.waivable,
                "enabled": _guard_enabled(policy, g.id),
            }
            for g in GUARDS.values()
        ],
        "timescales": [
            {
                "id": t.id,
                "summary": t.summary,
                "source": (policy.timescales[t.id].source if t.id in policy.timescales else "")
                or t.source,
                "enabled": policy.timescale(t.id) is not None,
                "when": _when(policy, t.id),
                "owner_role": policy.timescales[t.id].owner_role
                if t.id in policy.timescales
                else "",
            }
            for t in TIMESCALES.values()
        ],
    }


def events(event_type: str | None = None, policy_name: str = "default") -> Json:
    """Every event type (or one): its summary, the stages that accept it, who may record it
    under the pack, and each field's type, whether required and the values it allows; for
    one type also the structures its fields hold (a CinPlan, an Action, ...)."""
    if event_type is not None and event_type not in EVENT_TYPES:
        raise BadInputError(
            f"unknown event type {event_type!r}; the types are {', '.join(EVENT_TYPES)}",
            field="TYPE",
        )
    policy = load_policy(policy_name)
    stages_for = {e: [s for s in STAGES if e in allowed_events(s)] for e in EVENT_TYPES_IN_TABLE}
    stages_for[OPENING_EVENT] = ["(new case)"]
    described = [d for d in describe_events() if event_type in (None, d["type"])]
    out = []
    for d in described:
        info = _struct(d["type"])
        entry = {**d, "stages": stages_for.get(d["type"], [])}
        entry["fields"] = [{**f, **row} for f, row in zip(d["fields"], _fields(info), strict=True)]
        entry["recorded_by"] = sorted(policy.roles.get(d["type"], ()))
        # A stage-neutral fact is placed by its date within the period (late recording).
        entry["stage_neutral"] = not changes_stage(d["type"])
        entry["timescales"] = list(TIMESCALES_OF.get(d["type"], ()))
        if event_type is not None:
            entry["structures"] = {
                name: _fields(struct)
                for name, struct in templates.structures(info).items()
                if struct is not info
            }
        out.append(entry)
    person = {"id": "text", "role": list(ROLES)}
    return {"events": out, "stages": list(STAGES), "policy": policy.id, "person": person}


def required_fields(event_type: str) -> list[str]:
    """The fields an event's data must have ([] for an unknown type: decoding names it)."""
    cls = EVENT_TYPES.get(event_type)
    return [] if cls is None else [f.encode_name for f in _struct(event_type).fields if f.required]


def template(event_type: str) -> Json:
    events(event_type)  # an unknown type is refused, naming the known ones
    return templates.template(event_type)


def json_schema() -> Json:
    """The JSON Schema (2020-12) of an envelope, each event type's data under `$defs`."""
    return event_json_schema()


def _struct(event_type: str) -> mi.StructType:
    return cast(mi.StructType, mi.type_info(EVENT_TYPES[event_type]))


def _fields(struct: mi.StructType) -> list[Json]:
    tag = (
        []
        if not struct.tag_field
        else [
            {
                "name": struct.tag_field,
                "kind": "choice",
                "required": True,
                "allowed": [str(struct.tag)],
            }
        ]
    )
    return tag + [
        {
            "name": f.encode_name,
            "kind": templates.type_text(f.type),
            "required": f.required,
            "allowed": templates.allowed(f.type),
        }
        for f in struct.fields
    ]


def policies() -> list[Json]:
    out = []
    for name in available_policies():
        policy = load_policy(name)
        out.append(
            {
                "id": policy.id,
                "version": policy.version,
                "title": policy.title,
                "nation": policy.nation,
            }
        )
    return out
