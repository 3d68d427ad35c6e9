"""Bad input to the vocabulary: every kind is a `BadInputError` whose `field` is the dotted
path of what is wrong (`data.chair.role`), with a one-line message naming the value."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from event_examples import envelope

from cpworkflow.errors import BadInputError
from cpworkflow.vocabulary.envelope import decode_data, parse_envelope

Change = Callable[[dict[str, Any]], object]


def error_for(raw: bytes | str | dict[str, Any]) -> BadInputError:
    with pytest.raises(BadInputError) as caught:
        parse_envelope(raw)
    return caught.value


def changed(event_type: str, change: Change) -> dict[str, Any]:
    raw = envelope(event_type)
    change(raw)
    return raw


def first_action(raw: dict[str, Any]) -> dict[str, Any]:
    action: dict[str, Any] = raw["data"]["continuing_support"]["plan"]["actions"][0]
    return action


RCPC = "ReviewConferenceHeld"
ICPC = "InitialConferenceHeld"
CASES: list[tuple[str, str, Change, str, str]] = [
    # (id, event type, change to its example envelope, field, words in the message)
    ("unknown envelope field", RCPC, lambda r: r.update(extra=1), "extra", "unknown field"),
    ("unknown data field", RCPC, lambda r: r["data"].update(extra=1), "data.extra", "unknown"),
    ("unknown field, nested", RCPC, lambda r: r["data"]["chair"].update(name="Jo"),
     "data.chair.name", "unknown field; fields here: id, role"),
    ("unknown field, deep", RCPC, lambda r: first_action(r).update(when="x"),
     "data.continuing_support.plan.actions[0].when", "unknown field"),
    ("misspelt field", RCPC, lambda r: r["data"].update(decisoin=r["data"].pop("decision")),
     "data.decisoin", "did you mean 'decision'?"),
    ("wrong type", "ChildVisited", lambda r: r["data"].update(seen="yes"),
     "data.seen", "expected true or false, got 'yes'"),
    ("wrong type, nested", RCPC, lambda r: first_action(r).update(owner=3),
     "data.continuing_support.plan.actions[0].owner", "got 3"),
    ("wrong envelope type", RCPC, lambda r: r.update(case_id=1001), "case_id",
     "expected a string, got 1001"),
    ("impossible date", RCPC, lambda r: r.update(occurred_on="2025-02-30"), "occurred_on",
     "'2025-02-30' is not a real date (YYYY-MM-DD)"),
    ("impossible date, nested", RCPC,
     lambda r: r["data"]["continuing_support"]["plan"].update(first_meeting_date="2025-02-30"),
     "data.continuing_support.plan.first_meeting_date", "'2025-02-30' is not a real date"),
    ("impossible due date", RCPC, lambda r: first_action(r).update(due="2025-02-30"),
     "data.continuing_support.plan.actions[0].due", "'2025-02-30' is not a real date"),
    ("not a date", "ReviewConferenceConvened", lambda r: r["data"].update(conference_date="soon"),
     "data.conference_date", "'soon' is not a real date"),
    ("unknown decision", RCPC, lambda r: r["data"].update(decision="adjourn"),
     "data.decision", "unknown decision 'adjourn'; choose one of continue, end_plan"),
    ("unknown category", ICPC, lambda r: r["data"].update(categories=["neglect", "spite"]),
     "data.categories[1]", "unknown category 'spite'"),
    ("unknown category judged", RCPC,
     lambda r: r["data"]["category_judgements"].update(spite="continuing_risk"),
     "data.category_judgements",
     "unknown key 'spite'; choose one of emotional, neglect, physical, sexual"),
    ("unknown judgement", RCPC,
     lambda r: r["data"]["category_judgements"].update(neglect="better"),
     "data.category_judgements.neglect",
     "unknown category judgement 'better'; choose one of continuing_risk, no_longer_at_risk"),
    ("unknown role", RCPC, lambda r: r["data"]["chair"].update(role="wizard"),
     "data.chair.role", "unknown role 'wizard'"),
    ("unknown actor role", RCPC, lambda r: r["actor"].update(role="wizard"),
     "actor.role", "unknown role 'wizard'; choose one of aswp, auditor, cp_chair,"
     " group_manager, iro_manager, lead_professional, service_manager, social_worker,"
     " team_manager"),
    ("unknown support kind", RCPC, lambda r: r["data"]["continuing_support"].update(kind="hope"),
     "data.continuing_support.kind", "unknown kind 'hope'"),
    ("support without kind", RCPC, lambda r: r["data"]["continuing_support"].pop("kind"),
     "data.continuing_support.kind", "required field is missing"),
    ("unknown census code", "AssessmentCompleted", lambda r: r["data"].update(factors=["99Z"]),
     "data.factors[0]", "unknown factor '99Z'"),
    ("unknown gender code", "CaseOpened", lambda r: r["data"]["child"].update(gender="male"),
     "data.child.gender", "unknown gender 'male'"),
    ("malformed UPN", "CaseOpened", lambda r: r["data"]["child"].update(upn="12345"),
     "data.child.upn", "'12345' is not a UPN: a letter, 11 digits, then a digit or a letter"),
    ("two birth dates", "CaseOpened",
     lambda r: r["data"]["child"].update(expected_birth_date="2016-06-01"),
     "data.child.expected_birth_date", "not both"),
    ("missing envelope field", RCPC, lambda r: r.pop("occurred_on"), "occurred_on",
     "required field is missing"),
    ("missing data field", RCPC, lambda r: r["data"].pop("chair"), "data.chair",
     "required field is missing"),
    ("missing nested field", RCPC, lambda r: r["data"]["chair"].pop("role"), "data.chair.role",
     "required field is missing"),
    ("non-object data", RCPC, lambda r: r.update(data=["chair"]), "data",
     "expected an object, got [\"chair\"]"),
    ("null data", RCPC, lambda r: r.update(data=None), "data", "expected an object, got null"),
    ("unknown event type", RCPC, lambda r: r.update(type="ConferenceHeld"), "type",
     "unknown event type 'ConferenceHeld'"),
    ("misspelt event type", RCPC, lambda r: r.update(type="ReviewConferenceHel"), "type",
     "did you mean 'ReviewConferenceHeld'?"),
    ("empty case id", RCPC, lambda r: r.update(case_id=""), "case_id", "must not be empty"),
    ("empty person id", RCPC, lambda r: r["data"]["chair"].update(id=""), "data.chair.id",
     "must not be empty"),
    ("empty key", RCPC, lambda r: r.update(key=""), "key", "must not be empty"),
    ("zero weeks", RCPC,
     lambda r: r["data"]["continuing_support"]["plan"].update(review_interval_weeks=0),
     "data.continuing_support.plan.review_interval_weeks", ">= 1, got 0"),
    ("fractional weeks", "FinalChildInNeedReviewHeld",
     lambda r: r["data"].update(review_interval_weeks=1.5),
     "data.review_interval_weeks", "expected a whole number, got 1.5"),
    ("a boolean for a number", "EntryRetracted", lambda r: r["data"].update(seq=True),
     "data.seq", "got true"),
    ("repeated category", RCPC, lambda r: r["data"].update(categories=["neglect", "neglect"]),
     "data.categories", "'neglect' is listed more than once"),
    ("plan without categories", ICPC, lambda r: r["data"].pop("categories"), "data.categories",
     "a plan names at least one category"),
    ("plan without lead", ICPC, lambda r: r["data"].pop("lead_social_worker"),
     "data.lead_social_worker", "a plan names the lead social worker"),
    ("no agencies notified", "AgenciesNotified", lambda r: r["data"].update(agencies=[]),
     "data.agencies", "must list at least one"),
    ("advice from nobody", "ManagementAdviceSought", lambda r: r["data"].update({"from": []}),
     "data.from", "must list at least one"),
    ("waiver of a non-rule", "RuleWaived", lambda r: r["data"].update(rule="contingency"),
     "data.rule", "'contingency' is not a guard id such as G-CONTINGENCY: only guards are"
     " waived, never a timescale (T-...); `cpw rules` lists them"),
    ("waiver of a timescale", "RuleWaived", lambda r: r["data"].update(rule="T-CP-VISIT"),
     "data.rule", "'T-CP-VISIT' is not a guard id"),
    ("a field at the wrong level", RCPC,
     lambda r: r["data"]["continuing_support"].update(contingency="x"),
     "data.continuing_support.contingency", "not a field here: contingency belongs inside plan"),
    ("a field two levels too high", RCPC, lambda r: r["data"].update(contingency="x"),
     "data.contingency", "contingency belongs inside continuing_support.plan"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("event_type", "change", "field", "words"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input_names_the_field_and_what_is_wrong(
    event_type: str, change: Change, field: str, words: str
) -> None:
    raw = changed(event_type, change)
    for form in (raw, json.dumps(raw), json.dumps(raw).encode()):
        err = error_for(form)
        assert err.field == field
        assert words in str(err)
        assert str(err).startswith(f"{field}: ")
        assert "\n" not in str(err)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("[]", "expected one JSON object (the envelope), got []"),
        (b'[{"case_id": "C1"}]', "expected one JSON object (the envelope)"),
        ('"ChildVisited"', "expected one JSON object (the envelope), got 'ChildVisited'"),
        ("null", "got null"),
        ("", "empty input"),
        (b"   \n", "empty input"),
        ("{", 'not valid JSON: it ends too soon (a closing }, ] or " is missing)'),
        ('{"case_id": "C1"', "it ends too soon"),
        ('{"case_id": "C1",}', "line 1, column 18: a comma before the closing } (JSON allows no"),
        ("{'case_id': 'C1'}", 'expected a key in double quotes (JSON uses "double quotes", not'),
        ('{"case_id": "C1"} {}', "column 19: more text after the end of the JSON, near"),
        ('{\n"case_id": C1}', "line 2, column 12: expected a value"),
        (b"\xff\xfe\x00binary", "not UTF-8 text (byte 0)"),
        (b'{"case_id": "C\xc3\x28"}', "not UTF-8 text (byte 14)"),
        ("[" * 100_000, "not valid JSON"),
    ],
)
def test_input_that_is_not_one_json_object_is_bad_input(raw: str | bytes, words: str) -> None:
    err = error_for(raw)
    assert err.field is None
    assert words in str(err)


def test_a_long_value_is_cut_short_in_the_message() -> None:
    err = error_for(changed("ChildVisited", lambda r: r["data"].update(seen="x" * 10_000)))
    assert err.field == "data.seen"
    assert len(str(err)) < 120


def test_a_long_unknown_field_name_is_cut_short_in_the_path() -> None:
    err = error_for(changed("ChildVisited", lambda r: r["data"].update({"y" * 500: 1})))
    assert err.field == "data." + "y" * 40


def test_decode_data_names_fields_from_data() -> None:
    with pytest.raises(BadInputError) as caught:
        decode_data("ChildVisited", {"seen": True, "visitor": {"id": "v", "role": "pilot"}})
    assert caught.value.field == "data.visitor.role"


def test_decode_data_refuses_an_unknown_type_naming_the_type_field() -> None:
    with pytest.raises(BadInputError) as caught:
        decode_data("Nonsense", {})
    assert caught.value.field == "type"
    assert "see `cpw events`" in str(caught.value)


def test_a_made_up_field_name_is_quoted_in_the_path_and_stays_on_one_line() -> None:
    err = error_for(changed("ChildVisited", lambda r: r["data"].update({"seen\nalone": 1})))
    assert err.field == "data.'seen\\nalone'"
    assert "\n" not in str(err)
