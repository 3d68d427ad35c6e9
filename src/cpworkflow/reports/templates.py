"""A filled-in example of each event's data, made from its type (`cpw events TYPE
--template`), and what each field of a type allows, for `cpw events TYPE`.

Both are read from the msgspec types themselves, so a new field or event type is described
and templated without anyone writing an example: every required field is filled, nested
structures included, with the optional fields a record of that event usually carries
(`USUALLY`). A test decodes every template as `record` would.
"""

from __future__ import annotations

from typing import Any, cast

import msgspec.inspect as mi

from cpworkflow.vocabulary.envelope import EVENT_TYPES
from cpworkflow.vocabulary.people import Person

# Optional fields a real record of the event (or structure) nearly always gives, so the
# template shows them: a plan's categories and lead, a step-down's continuing support, ...
USUALLY: dict[str, tuple[str, ...]] = {
    "CaseOpened": ("referral",),
    "Child": ("birth_date", "gender"),
    "InitialConferenceHeld": ("categories", "lead_social_worker", "first_review_date"),
    "ReviewConferenceHeld": ("category_judgements", "continuing_support"),
    "CinSupport": ("family_consent", "plan"),
    "ChildDetailsRecorded": ("gender",),
    "CinPlan": (
        "outcomes",
        "actions",
        "contingency",
        "first_meeting_date",
        "review_interval_weeks",
        "visiting_interval_weeks",
    ),
    "Action": ("every_weeks",),
    "ChildInNeedMeetingHeld": ("next_meeting_date",),
    "FinalChildInNeedReviewHeld": (
        "lead_professional",
        "outstanding_outcomes",
        "actions",
        "review_interval_weeks",
        "contingency",
        "professionals_informed",
    ),
    "ChildVisited": ("seen_alone",),
    "ReflectiveDiscussionHeld": ("participants", "recorded_by", "outcome"),
}
# Where the first choice is not the one a reader needs to see: a review that steps down.
CHOSEN: dict[tuple[str, str], Any] = {
    ("ReviewConferenceHeld", "decision"): "end_plan",
    ("ReviewConferenceHeld", "category_judgements"): {"neglect": "no_longer_at_risk"},
    ("FinalChildInNeedReviewHeld", "decision"): "end_plan",
    ("RuleWaived", "rule"): "G-CONTINGENCY",
}
DAY = "2025-01-06"


def template(event_type: str) -> dict[str, Any]:
    """Data for `event_type` that `cpw record` decodes as it stands (the guards still judge
    it against the case): edit the values, keep the shape."""
    return cast(dict[str, Any], _value(mi.type_info(EVENT_TYPES[event_type]), "data"))


def _value(t: mi.Type, name: str) -> Any:
    if isinstance(t, mi.StructType):
        if t.cls is Person:
            chair = name == "chair"
            return {
                "id": "iro-7" if chair else "sw-104",
                "role": "cp_chair" if chair else "social_worker",
            }
        kind = t.cls.__name__
        usual = USUALLY.get(kind, ())
        tag = {t.tag_field: t.tag} if t.tag_field else {}
        return tag | {
            f.encode_name: CHOSEN.get((kind, f.encode_name), _value(f.type, f.encode_name))
            for f in t.fields
            if f.required or f.encode_name in usual
        }
    if isinstance(t, mi.UnionType):
        return _value(next(m for m in t.types if not isinstance(m, mi.NoneType)), name)
    if isinstance(t, mi.ListType):
        return [_value(t.item_type, name.removesuffix("s"))] * max(1, t.min_length or 1)
    if isinstance(t, mi.DictType):
        return {_value(t.key_type, name): _value(t.value_type, name)}
    if isinstance(t, mi.LiteralType):
        return t.values[0]
    if isinstance(t, mi.DateType):
        return DAY
    if isinstance(t, mi.BoolType):
        return True
    if isinstance(t, mi.IntType):
        return max(t.ge or 0, 1) if t.le is None or t.le >= 1 else t.le
    if isinstance(t, mi.FloatType):
        return 1.0
    if isinstance(t, mi.StrType):
        return f"({name.replace('_', ' ')})"
    return None


def type_text(t: mi.Type) -> str:
    """A field's type in a word or two: `date`, `[person]`, `CinPlan`, `text`."""
    if isinstance(t, mi.StructType):
        return "person" if t.cls is Person else t.cls.__name__
    if isinstance(t, mi.ListType):
        return f"[{type_text(t.item_type)}]"
    if isinstance(t, mi.DictType):
        return f"{{{type_text(t.key_type)}: {type_text(t.value_type)}}}"
    if isinstance(t, mi.LiteralType):
        return "choice"
    if isinstance(t, mi.UnionType):
        return " or ".join(type_text(m) for m in t.types if not isinstance(m, mi.NoneType))
    words = {mi.StrType: "text", mi.IntType: "whole number", mi.BoolType: "true/false"}
    return words.get(type(t), type(t).__name__.removesuffix("Type").lower())


def allowed(t: mi.Type) -> list[str]:
    """The values a field may take, where it is a choice (for a dict: its keys)."""
    members = t.types if isinstance(t, mi.UnionType) else (t,)
    out: list[str] = []
    for m in members:
        if isinstance(m, mi.ListType):
            out += allowed(m.item_type)
        elif isinstance(m, mi.DictType):
            out += allowed(m.key_type)
        elif isinstance(m, mi.LiteralType):
            out += [str(v) for v in m.values]
    return out


def structures(
    t: mi.Type, seen: dict[str, mi.StructType] | None = None
) -> dict[str, mi.StructType]:
    """Every named structure a type holds (CinPlan, Action, ...), each once, outermost first."""
    found: dict[str, mi.StructType] = {} if seen is None else seen
    members: tuple[mi.Type, ...] = (t,)
    if isinstance(t, mi.UnionType):
        members = t.types
    for m in members:
        if isinstance(m, mi.ListType):
            structures(m.item_type, found)
        elif isinstance(m, mi.DictType):
            structures(m.value_type, found)
        elif isinstance(m, mi.StructType) and m.cls is not Person and m.cls.__name__ not in found:
            found[m.cls.__name__] = m
            for f in m.fields:
                structures(f.type, found)
    return found
