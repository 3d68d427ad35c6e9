"""Self-documentation for `cpw rules`, `cpw events` and `cpw policies`, read from the same
tables the engine runs on: the rulebook, the pack, the vocabulary and the lifecycle."""

from __future__ import annotations

from typing import Any

from cpworkflow.lifecycle.machine import EVENT_TYPES_IN_TABLE, OPENING_EVENT, STAGES, allowed_events
from cpworkflow.policy.loading import available_policies, load_policy
from cpworkflow.policy.pack import Policy
from cpworkflow.policy.rulebook import GUARDS, TIMESCALES
from cpworkflow.vocabulary.envelope import describe_events

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


def events() -> Json:
    stages_for = {e: [s for s in STAGES if e in allowed_events(s)] for e in EVENT_TYPES_IN_TABLE}
    stages_for[OPENING_EVENT] = ["(new case)"]
    return {
        "events": [
            {**described, "stages": stages_for.get(described["type"], [])}
            for described in describe_events()
        ],
        "stages": list(STAGES),
    }


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
