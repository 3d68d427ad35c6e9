"""The event vocabulary (DOMAIN.md §3): one strict msgspec Struct per event type, named as
the type string, and the envelope every event arrives in.

`parse_envelope` and `decode_data` turn JSON (or builtins) into typed events; anything
malformed is a `BadInputError` naming the field (`data.chair.role`) and the value.
`to_json_data` gives back only what was said, for the store. Field names are the public
contract: changing a type's fields bumps its `SCHEMA_VERSION` and adds an upcaster.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar, cast

import msgspec
import msgspec.inspect as mi
from msgspec import field

from cpworkflow.census_codes import AssessmentFactor
from cpworkflow.errors import BadInputError
from cpworkflow.people import Agency, Child, Person, Record, Referral, Text, Weeks
from cpworkflow.plans import (
    Action,
    Category,
    CinPlan,
    ContinuingSupport,
    CourtDependent,
    DissentEntry,
    EndReason,
    Judgement,
    TemporaryArrangements,
    Transfer,
    Views,
)

S = TypeVar("S", bound=msgspec.Struct)
AtLeastOne = msgspec.Meta(min_length=1)


def _unique(categories: list[Category]) -> None:
    repeated = [c for i, c in enumerate(categories) if c in categories[:i]]
    if repeated:
        raise ValueError(f"`categories` {repeated[0]!r} is listed more than once")


class CaseOpened(Record):
    """A referral opens a case for one child, under a policy pack."""

    child: Child
    policy: Text = "default"
    referral: Referral | None = None


class StrategyMeetingHeld(Record):
    """A strategy meeting: section 47 enquiry, section 17 (child in need), or no action."""

    outcome: Literal["s47", "s17", "nfa"]
    participants: list[Person] = field(default_factory=list)


class AssessmentStarted(Record):
    """The child and family assessment began."""


class AssessmentCompleted(Record):
    """The assessment was completed, with the census factors it identified."""

    factors: list[AssessmentFactor] = field(default_factory=list)


class InitialConferenceHeld(Record):
    """The initial child protection conference: a plan, or no plan and other support."""

    chair: Person
    decision: Literal["plan", "no_plan"]
    categories: list[Category] = field(default_factory=list)
    lead_social_worker: Person | None = None
    first_review_date: dt.date | None = None
    pre_birth: bool | None = None
    continuing_support: ContinuingSupport | None = None
    dissent: list[DissentEntry] = field(default_factory=list)

    def __post_init__(self) -> None:
        _unique(self.categories)
        if self.decision == "plan" and not self.categories:
            raise ValueError("`categories` a plan names at least one category of abuse")
        if self.decision == "plan" and self.lead_social_worker is None:
            raise ValueError("`lead_social_worker` a plan names the lead social worker")


class CoreGroupMeetingHeld(Record):
    """A core group meeting of the professionals working to the plan."""

    chair: Person
    attendees: list[Person | Agency] = field(default_factory=list)
    next_meeting_date: dt.date | None = None


class ChildVisited(Record):
    """A statutory visit: was the child seen, seen alone, their bedroom seen."""

    seen: bool
    seen_alone: bool | None = None
    bedroom_seen: bool | None = None
    visitor: Person | None = None


class ReviewConferenceConvened(Record):
    """A review child protection conference is called for a date."""

    conference_date: dt.date


class AgencyReportReceived(Record):
    """An agency's report for the review conference."""

    agency: Agency
    shared_with_family: bool | None = None


class ReviewConferenceHeld(Record):
    """The review conference: the plan continues, or ends (guards judge the ending)."""

    chair: Person
    decision: Literal["continue", "end_plan"]
    category_judgements: dict[Category, Judgement] = field(default_factory=dict)
    social_worker_recommendation: Literal["continue", "end_plan"] | None = None
    manager_attended: bool | None = None
    categories: list[Category] = field(default_factory=list)
    next_review_date: dt.date | None = None
    overriding_reasons: str | None = None
    temporary_arrangements: TemporaryArrangements | None = None
    court_dependent: CourtDependent | None = None
    continuing_support: ContinuingSupport | None = None
    views: Views | None = None
    dissent: list[DissentEntry] = field(default_factory=list)

    def __post_init__(self) -> None:
        _unique(self.categories)


class ChildProtectionPlanEnded(Record):
    """A plan ended outside a conference: transfer, 18th birthday, death, left the UK."""

    reason: EndReason
    transfer: Transfer | None = None


class CaseClosed(Record):
    """A case closed outside the final CiN review, for the same four reasons."""

    reason: EndReason
    transfer: Transfer | None = None
    professionals_informed: bool | None = None


class AgenciesNotified(Record):
    """The agencies involved were told that the plan has ended."""

    agencies: Annotated[list[Agency], AtLeastOne]


class OutcomesRecorded(Record):
    """The chair recorded the conference outcomes on the child's file."""


class ChildInNeedPlanRecorded(Record):
    """The social worker put the child in need plan on the case system."""

    plan: CinPlan | None = None


class ChildInNeedPlanCirculated(Record):
    """Copies of the child in need plan went to the child, the family and agencies."""

    recipients: Annotated[list[Literal["child", "family", "agencies"]], AtLeastOne]


class ChildInNeedMeetingHeld(Record):
    """A child in need meeting: the first after step-down, or a review."""

    chair: Person
    kind: Literal["first", "review"]
    next_meeting_date: dt.date | None = None
    review_interval_weeks: Weeks | None = None
    plan: CinPlan | None = None
    concerns: str | None = None


class ReflectiveDiscussionHeld(Record):
    """The reflective discussion that agrees the child in need plan may end."""

    participants: list[Person] = field(default_factory=list)
    recorded_by: Person | None = None
    chair_left_authority: bool | None = None
    outcome: str | None = None


class FinalChildInNeedReviewHeld(Record):
    """The final child in need review: the plan ends (to a lead professional) or goes on."""

    chair: Person
    decision: Literal["end_plan", "continue"]
    lead_professional: Person | None = None
    outstanding_outcomes: list[str] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    review_interval_weeks: Weeks | None = None
    contingency: str = ""
    professionals_informed: bool | None = None


class CaseReopened(Record):
    """A closed case is reopened by a new referral."""

    referral: Referral | None = None


class ManagementAdviceSought(Record):
    """Advice on a long plan, from the group manager and legal."""

    from_: Annotated[list[Literal["group_manager", "legal"]], AtLeastOne] = field(name="from")


class IroManagerAuditCompleted(Record):
    """The IRO manager audited a plan ended at the first review."""

    findings: str | None = None


class DissentRecorded(Record):
    """An agency's disagreement, recorded after the event."""

    agency: Agency
    about: Text
    reason: Text


class StaffAssigned(Record):
    """Who holds which role on this case (and whether they left the authority)."""

    person: Person
    left_authority: bool | None = None


class RuleWaived(Record):
    """Lets the next event pass one guard; authorised by a role the pack allows."""

    rule: Annotated[str, msgspec.Meta(pattern=r"^G-[A-Z0-9-]+$")]
    reason: Text
    authorised_by: Person


class EntryRetracted(Record):
    """Marks an earlier event (one that did not change the stage) as recorded in error."""

    seq: Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]
    reason: Text


# Every event type by its type string, in the order of the DOMAIN.md table.
EVENT_TYPES: dict[str, type[msgspec.Struct]] = {
    cls.__name__: cls
    for cls in (
        *(CaseOpened, StrategyMeetingHeld, AssessmentStarted, AssessmentCompleted),
        *(InitialConferenceHeld, CoreGroupMeetingHeld, ChildVisited, ReviewConferenceConvened),
        *(AgencyReportReceived, ReviewConferenceHeld, ChildProtectionPlanEnded, CaseClosed),
        *(AgenciesNotified, OutcomesRecorded, ChildInNeedPlanRecorded),
        *(ChildInNeedPlanCirculated, ChildInNeedMeetingHeld, ReflectiveDiscussionHeld),
        *(FinalChildInNeedReviewHeld, CaseReopened, ManagementAdviceSought),
        *(IroManagerAuditCompleted, DissentRecorded, StaffAssigned, RuleWaived, EntryRetracted),
    )
}
# The current schema version of each type's data, stored with every event.
SCHEMA_VERSION: dict[str, int] = dict.fromkeys(EVENT_TYPES, 1)


class Envelope(msgspec.Struct, frozen=True, kw_only=True):
    """One event on its way in: who says what happened to which case, and when."""

    case_id: str
    type: str
    occurred_on: dt.date
    actor: Person
    data: msgspec.Struct
    key: str | None = None


class _Wire(Record):
    case_id: Text
    type: Text
    occurred_on: dt.date
    actor: Person
    data: Any = field(default_factory=dict)  # decoded by type next, as `data.…`
    key: Text | None = None


def parse_envelope(raw: bytes | str | Mapping[str, Any]) -> Envelope:
    """One envelope from JSON text or builtins; `BadInputError` names what is wrong."""
    value = raw if isinstance(raw, Mapping) else _json(raw)
    if not isinstance(value, Mapping):
        raise BadInputError(f"expected one JSON object (the envelope), got {_show(value)}")
    wire = _convert(dict(value), _Wire, "")
    data = decode_data(wire.type, wire.data)
    return Envelope(
        case_id=wire.case_id,
        type=wire.type,
        occurred_on=wire.occurred_on,
        actor=wire.actor,
        data=data,
        key=wire.key,
    )


def decode_data(event_type: str, raw: object) -> msgspec.Struct:
    """An event's data (JSON builtins) as its type's Struct; error fields start `data`."""
    cls = EVENT_TYPES.get(event_type)
    if cls is None:
        near = difflib.get_close_matches(event_type, EVENT_TYPES, n=1)
        hint = f"did you mean {near[0]!r}? " if near else ""
        message = f"unknown event type {_show(event_type)}; {hint}(see `cpw events`)"
        raise BadInputError(message, field="type")
    return _convert(dict(raw) if isinstance(raw, Mapping) else raw, cls, "data")


def to_json_data(struct: msgspec.Struct) -> dict[str, Any]:
    """JSON builtins of a decoded struct: dates as YYYY-MM-DD, defaults left out."""
    return cast(dict[str, Any], msgspec.to_builtins(struct))


def describe_events() -> list[dict[str, Any]]:
    """Each event type with its summary and fields (name, type text, required)."""
    return [
        {
            "type": name,
            "schema_version": SCHEMA_VERSION[name],
            "summary": (cls.__doc__ or "").strip(),
            "fields": [
                {"name": f.encode_name, "type": _type_text(f.type), "required": f.required}
                for f in cast(mi.StructType, mi.type_info(cls)).fields
            ],
        }
        for name, cls in EVENT_TYPES.items()
    ]


def event_json_schema() -> dict[str, Any]:
    """A JSON Schema (2020-12) of the envelope, each type's data under `$defs`."""
    types = [_Wire, *EVENT_TYPES.values()]
    _, defs = msgspec.json.schema_components(types, ref_template="#/$defs/{name}")
    envelope = defs.pop("_Wire")
    envelope["properties"]["type"] = {"enum": list(EVENT_TYPES)}
    envelope["properties"]["data"] = {"type": "object"}
    envelope["oneOf"] = [
        {"properties": {"type": {"const": name}, "data": {"$ref": f"#/$defs/{name}"}}}
        for name in EVENT_TYPES
    ]
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **envelope}
    return {**schema, "title": "cpworkflow event envelope", "$defs": defs}


def _type_text(t: mi.Type) -> str:
    """A field's type as `cpw events` prints it."""
    if isinstance(t, mi.StructType):
        return "person" if t.cls is Person else t.cls.__name__
    if isinstance(t, mi.ListType):
        return f"[{_type_text(t.item_type)}]"
    if isinstance(t, mi.DictType):
        return f"{{{_type_text(t.key_type)}: {_type_text(t.value_type)}}}"
    if isinstance(t, mi.LiteralType):
        return " | ".join(str(v) for v in t.values)
    if isinstance(t, mi.UnionType):
        return " | ".join(_type_text(m) for m in t.types if not isinstance(m, mi.NoneType))
    return type(t).__name__.removesuffix("Type").lower()


# -- reading input, and msgspec's errors told in the vocabulary's words ------------------


def _json(raw: bytes | str) -> object:
    try:
        text = raw if isinstance(raw, str) else bytes(raw).decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise BadInputError(f"not UTF-8 text (byte {err.start})") from None
    if not text.strip():
        raise BadInputError("empty input: expected one JSON object (the envelope)")
    try:
        return msgspec.json.decode(text)
    except (msgspec.DecodeError, UnicodeError, RecursionError) as err:
        why = "nested too deeply" if isinstance(err, RecursionError) else str(err)
        why = why.removeprefix("JSON is malformed: ").partition(" - at `")[0]
        raise BadInputError(f"not valid JSON: {why[:1].lower()}{why[1:]}") from None


def _convert(value: object, cls: type[S], prefix: str) -> S:
    try:
        return msgspec.convert(value, cls)
    except msgspec.ValidationError as err:
        path, message = _explain(str(err), value)
        dotted = ".".join(p for p in (prefix, path) if p).replace(".[", "[")
        raise BadInputError(message, field=dotted or None) from None
    except RecursionError:
        raise BadInputError("nested too deeply", field=prefix or None) from None


_MISSING = object()
_SEGMENT = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")
_WORDS = {"str": "a string", "int": "a whole number", "bool": "true or false", "float": "a number"}
_WORDS |= {"date": "a date (YYYY-MM-DD)", "object": "an object", "array": "a list"}


def _show(value: object) -> str:
    """A value, short and on one line, for a message (strings quoted)."""
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    try:
        text = msgspec.json.encode(value).decode()
    except (TypeError, ValueError, OverflowError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _step(value: object, segment: str | int) -> object:
    if isinstance(value, Mapping) and isinstance(segment, str):
        return value.get(segment, _MISSING)
    if isinstance(value, list | tuple) and isinstance(segment, int) and segment < len(value):
        return value[segment]
    return _MISSING


def _locate(where: str, text: str, value: object) -> tuple[str, object, str]:
    """msgspec's `$.a.b[0]` as `a.b[0]`, the value found there, and the last field name.
    A dict value (`[...]`) is named by the key whose value the error quotes."""
    path, name = "", ""
    for key, index in _SEGMENT.findall(where.removeprefix("$")):
        segment: str | int = key or (int(index) if index != "..." else "...")
        if segment == "..." and isinstance(value, Mapping):
            named = [k for k, v in value.items() if text.endswith((f" {v!r}", f"`{_kind(v)}`"))]
            segment = str(named[0]) if named else segment
        path += f"[{segment}]" if isinstance(segment, int) or segment == "..." else f".{segment}"
        name = key or name
        value = _step(value, segment)
    return path.removeprefix("."), value, name


def _kind(value: object) -> str:
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    kinds = {type(None): "null", bool: "bool", int: "int", float: "float", str: "str"}
    return kinds.get(type(value), "?")


def _explain(message: str, value: object) -> tuple[str, str]:
    """(field path, one-line message) for one msgspec ValidationError."""
    text, at, where = message.rpartition(" - at `")
    text, where = (text, where.removesuffix("`")) if at else (message, "$")
    in_key = where.startswith("key` in `")
    path, found, name = _locate(where.removeprefix("key` in `"), text, value)
    shown = _show(found) if found is not _MISSING else "another value"

    def join(child: str) -> str:  # a field name, perhaps made up by the sender
        safe = child[:40] if child.isidentifier() else _show(child)
        return f"{path}.{safe}".removeprefix(".")

    if m := re.fullmatch(r"Object missing required field `(.*)`", text, re.S):
        return join(m[1]), "required field is missing"
    if m := re.fullmatch(r"Object contains unknown field `(.*)`", text, re.S):
        near = difflib.get_close_matches(m[1], _FIELD_NAMES, n=1, cutoff=0.75)
        return join(m[1]), "unknown field" + (f"; did you mean {near[0]!r}?" if near else "")
    if m := re.fullmatch(r"`(\w+)` (.*)", text, re.S):  # from a __post_init__ check
        return join(m[1]), m[2]
    if m := re.fullmatch(r"Invalid (enum )?value (.*)", text, re.S):
        noun = "key" if in_key else re.sub(r"ies$", "y", name).removesuffix("s")
        item = _show(m[2][1:-1]) if in_key else shown
        return path, f"unknown {noun.replace('_', ' ')} {item} (see `cpw events --json`)"
    if text == "Invalid RFC3339 encoded date":
        return path, f"{shown} is not a real date (YYYY-MM-DD)"
    if m := re.fullmatch(r"Expected `([^`]*)`(.*?)(?:, got `\w+`)?", text, re.S):
        kinds = [k for k in m[1].split(" | ") if k != "null"] or ["null"]
        if m[2] == " of length >= 1":
            return path, "must not be empty" if kinds == ["str"] else "must list at least one"
        if m[2].startswith(" matching regex"):
            return path, f"{shown} does not have the expected form ({m[2][16:]})"
        wanted = " or ".join(_WORDS.get(k, k) for k in kinds)
        return path, f"expected {wanted}{m[2]}, got {shown}"
    return path, text[:1].lower() + text[1:]


def _field_names(cls: type[msgspec.Struct]) -> set[str]:
    return {*cls.__struct_encode_fields__}.union(*map(_field_names, cls.__subclasses__()))


_FIELD_NAMES = sorted(_field_names(Record))
