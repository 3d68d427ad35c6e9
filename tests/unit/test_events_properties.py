"""Properties of the vocabulary: decoding anything raises nothing but `BadInputError`, and
decode → encode → decode is the identity for every shape a valid payload can take."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from event_examples import EXAMPLES, envelope, example
from hypothesis import given
from hypothesis import strategies as st

from cpworkflow.errors import BadInputError
from cpworkflow.vocabulary.envelope import (
    EVENT_TYPES,
    decode_data,
    describe_events,
    parse_envelope,
    to_json_data,
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["2025-02-30", "2025-03-04", "cp_chair", "plan", "cin", "neglect", ""]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.text(max_size=12) | st.sampled_from(["id", "role", "kind"]), inner, max_size=4
        )
    ),
    max_leaves=20,
)
types = st.sampled_from(list(EVENT_TYPES))
OPTIONAL = {
    d["type"]: [f["name"] for f in d["fields"] if not f["required"]] for d in describe_events()
}


def decodes_or_is_bad_input(raw: Any) -> None:
    try:
        parse_envelope(raw)
    except BadInputError as err:
        assert "\n" not in str(err)
        assert len(str(err)) < 400


@given(json_values)
def test_any_json_value_as_an_envelope_decodes_or_is_bad_input(value: Any) -> None:
    decodes_or_is_bad_input(json.dumps(value))
    if isinstance(value, dict):
        decodes_or_is_bad_input(value)


@given(st.binary(max_size=64) | st.text(max_size=64))
def test_any_bytes_or_text_decode_or_are_bad_input(raw: bytes | str) -> None:
    decodes_or_is_bad_input(raw)


@given(types, st.dictionaries(st.text(max_size=12), json_values, max_size=5) | json_values)
def test_any_data_for_any_type_decodes_or_is_bad_input_naming_data(
    event_type: str, data: Any
) -> None:
    try:
        decode_data(event_type, data)
    except BadInputError as err:
        assert err.field is not None
        assert err.field.startswith("data")


@given(types, st.data())
def test_any_field_of_a_valid_example_replaced_by_anything_is_named_if_bad(
    event_type: str, draw: st.DataObject
) -> None:
    raw = envelope(event_type)
    parent: dict[str, Any] = draw.draw(st.sampled_from([raw, raw["data"], raw["actor"]]))
    name = draw.draw(st.sampled_from(sorted(parent) or ["anything"]))
    parent[name] = draw.draw(json_values)
    try:
        parse_envelope(raw)
    except BadInputError as err:
        assert err.field is not None


@given(types, st.data())
def test_a_valid_payload_round_trips_whatever_optional_fields_it_leaves_out(
    event_type: str, draw: st.DataObject
) -> None:
    data = example(event_type)
    optional = [name for name in OPTIONAL[event_type] if name in data]
    for name in draw.draw(
        st.lists(st.sampled_from(optional), unique=True) if optional else st.just([])
    ):
        del data[name]
    if event_type == "ChildDetailsRecorded" and not data:
        data["gender"] = "U"  # a record of the child's details says at least one
    plan_needs = {"categories", "lead_social_worker"}
    if event_type == "InitialConferenceHeld" and not plan_needs <= set(data):
        data["decision"] = "no_plan"  # a plan names its categories and lead social worker
    decoded = decode_data(event_type, data)
    assert to_json_data(decoded) == data
    assert decode_data(event_type, to_json_data(decoded)) == decoded


@given(st.dates(min_value=dt.date(1, 1, 1)), types)
def test_any_real_date_round_trips_through_an_envelope(day: dt.date, event_type: str) -> None:
    parsed = parse_envelope(json.dumps(envelope(event_type, occurred_on=day.isoformat())))
    assert parsed.occurred_on == day
    assert to_json_data(parsed.data) == EXAMPLES[event_type]
