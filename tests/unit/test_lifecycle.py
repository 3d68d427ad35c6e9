"""The stages and THE transition table (DOMAIN.md §2): the table in lifecycle.py is the one
in the domain document, row by row; a live case moves as it says or is refused naming the
stage; one machine serves every case; a stored log that breaks the table is corrupt."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from casebook import CHAIR, SW, TM, Casebook, cin_meeting, cin_support, end_plan, final_review
from casebook import reflective as reflective_data
from cpworkflow.errors import IntegrityError
from cpworkflow.lifecycle.fold import replay
from cpworkflow.lifecycle.machine import (
    MACHINE,
    NOT_ALLOWED,
    STAGES,
    TRANSITIONS,
    allowed_events,
    next_stage,
)

SEVEN = ("referral", "cp_plan", "review", "step_down", "cin", "final_review", "closed")
# DOMAIN.md §2, written out literally: event | what picks the row | from | to. The row
# CaseOpened (none) → referral is tested on its own; "unchanged" leaves the stage as it is.
DOMAIN_TABLE = """
StrategyMeetingHeld        | s47            | referral step_down cin final_review | referral
StrategyMeetingHeld        | s17            | referral                            | step_down
StrategyMeetingHeld        | nfa            | referral                            | closed
InitialConferenceHeld      | plan           | referral                            | cp_plan
InitialConferenceHeld      | no_plan cin    | referral                            | step_down
InitialConferenceHeld      | no_plan other  | referral                            | closed
ReviewConferenceConvened   | -              | cp_plan                             | review
ReviewConferenceHeld       | continue       | review                              | cp_plan
ReviewConferenceHeld       | end_plan cin   | review                              | step_down
ReviewConferenceHeld       | end_plan other | review                              | closed
ChildProtectionPlanEnded   | left_uk        | cp_plan review                      | closed
CaseClosed                 | left_uk        | referral step_down cin final_review | closed
ChildInNeedMeetingHeld     | first          | step_down                           | cin
ChildInNeedMeetingHeld     | review         | cin                                 | cin
ReflectiveDiscussionHeld   | -              | cin                                 | final_review
FinalChildInNeedReviewHeld | end_plan       | final_review                        | closed
FinalChildInNeedReviewHeld | continue       | final_review                        | cin
CaseReopened               | -              | closed                              | referral
StrategyMeetingHeld        | s47            | cp_plan review                      | unchanged
StrategyMeetingHeld        | s17            | cp_plan review                      | unchanged
StrategyMeetingHeld        | nfa            | cp_plan review                      | unchanged
"""
ROWS = [
    tuple(cell.strip() for cell in line.split("|")) for line in DOMAIN_TABLE.strip().splitlines()
]
UNIVERSAL = {"kind": "universal", "family_declined": True}
# The data each "what picks the row" stands for (the fields the table's conditions read).
PICK: dict[str, dict[str, Any]] = {
    "s47": {"outcome": "s47"},
    "s17": {"outcome": "s17"},
    "nfa": {"outcome": "nfa"},
    "plan": {"decision": "plan"},
    "no_plan cin": {"decision": "no_plan", "continuing_support": {"kind": "cin"}},
    "no_plan other": {"decision": "no_plan", "continuing_support": UNIVERSAL},
    "continue": {"decision": "continue"},
    "end_plan": {"decision": "end_plan"},
    "end_plan cin": {"decision": "end_plan", "continuing_support": {"kind": "cin"}},
    "end_plan other": {"decision": "end_plan", "continuing_support": UNIVERSAL},
    "left_uk": {"reason": "left_uk"},
    "first": {"kind": "first"},
    "review": {"kind": "review"},
    "-": {},
}
PICKS = list(dict.fromkeys(f"{event} {pick}" for event, pick, _, _ in ROWS))


def expected(event: str, pick: str, stage: str) -> str | object:
    """Where DOMAIN_TABLE sends this event from this stage (NOT_ALLOWED if nowhere)."""
    for e, p, sources, to in ROWS:
        if (e, p) == (event, pick) and stage in sources.split():
            return stage if to == "unchanged" else to
    return NOT_ALLOWED


def test_there_are_seven_stages_in_the_order_of_domain_md() -> None:
    assert STAGES == SEVEN


@pytest.mark.parametrize("stage", SEVEN)
@pytest.mark.parametrize("row", PICKS)
def test_the_transition_table_is_domain_md_row_by_row(row: str, stage: str) -> None:
    event, pick = row.split(" ", 1)
    got = next_stage(stage, event, PICK[pick])
    assert (stage if got is None else got) == expected(event, pick, stage)


def test_only_case_opened_starts_a_case_and_it_starts_in_referral() -> None:
    assert next_stage(None, "CaseOpened", {}) == "referral"
    assert next_stage(None, "StrategyMeetingHeld", {"outcome": "s47"}) is NOT_ALLOWED
    assert all(next_stage(s, "CaseOpened", {}) is NOT_ALLOWED for s in SEVEN)


def test_the_stage_changing_rows_of_the_code_are_those_of_domain_md() -> None:
    code = {(t.trigger, s, t.dest or "unchanged") for t in TRANSITIONS for s in t.source}
    domain = {(event, s, to) for event, _, sources, to in ROWS for s in sources.split()}
    assert code == domain


def test_one_machine_serves_every_case_and_holds_no_case() -> None:
    assert MACHINE.models == []
    Casebook().closed()
    assert MACHINE.models == []


# -- a live case: every stage-changing event from every stage ---------------------------

LATER = "2025-07-01"  # after every event of every stage below
BUILD: dict[str, Callable[[Casebook], Casebook]] = {
    "referral": lambda b: b.opened(),
    "cp_plan": lambda b: b.on_plan(),
    "review": lambda b: b.at_review(),
    "step_down": lambda b: b.stepped_down(),
    "cin": lambda b: b.in_cin(),
    "final_review": lambda b: b.at_final_review(),
    "closed": lambda b: b.closed(),
}
PLAN = {"categories": ["neglect"], "lead_social_worker": SW}
NO_PLAN = {"chair": CHAIR, "decision": "no_plan", "professionals_informed": True}
# Each row of the table with data that passes every other guard, and who records it.
VALID: dict[str, tuple[dict[str, str], dict[str, Any]]] = {
    "StrategyMeetingHeld s47": (TM, {"outcome": "s47"}),
    "StrategyMeetingHeld s17": (TM, {"outcome": "s17"}),
    "StrategyMeetingHeld nfa": (TM, {"outcome": "nfa", "professionals_informed": True}),
    "InitialConferenceHeld plan": (CHAIR, {"chair": CHAIR, "decision": "plan", **PLAN}),
    "InitialConferenceHeld no_plan cin": (
        CHAIR,
        {**NO_PLAN, "continuing_support": cin_support("2025-07-15")},
    ),
    "InitialConferenceHeld no_plan other": (CHAIR, {**NO_PLAN, "continuing_support": UNIVERSAL}),
    "ReviewConferenceConvened -": (CHAIR, {"conference_date": "2025-07-22"}),
    "ReviewConferenceHeld continue": (CHAIR, {"chair": CHAIR, "decision": "continue"}),
    "ReviewConferenceHeld end_plan cin": (CHAIR, end_plan(first_meeting="2025-07-15")),
    "ReviewConferenceHeld end_plan other": (CHAIR, end_plan(continuing_support=UNIVERSAL)),
    "ChildProtectionPlanEnded left_uk": (TM, {"reason": "left_uk", "professionals_informed": True}),
    "CaseClosed left_uk": (TM, {"reason": "left_uk", "professionals_informed": True}),
    "ChildInNeedMeetingHeld first": (CHAIR, cin_meeting(next_meeting_date="2025-08-12")),
    "ChildInNeedMeetingHeld review": (
        TM,
        cin_meeting("review", TM, next_meeting_date="2025-08-12"),
    ),
    "ReflectiveDiscussionHeld -": (TM, reflective_data()),
    "FinalChildInNeedReviewHeld end_plan": (TM, final_review()),
    "FinalChildInNeedReviewHeld continue": (
        TM,
        final_review(decision="continue", next_meeting_date="2025-08-12"),
    ),
    "CaseReopened -": (SW, {}),
}


@pytest.mark.parametrize("stage", SEVEN)
@pytest.mark.parametrize("row", PICKS)
def test_a_stage_changing_event_goes_where_the_table_says_or_is_refused_with_g_stage(
    row: str, stage: str
) -> None:
    book = BUILD[stage](Casebook())
    assert book.case.stage == stage
    event, pick = row.split(" ", 1)
    actor, data = VALID[row]
    want = expected(event, pick, stage)
    if want is NOT_ALLOWED:
        refusal = book.refusals(event, LATER, actor, **data)["G-STAGE"]
        assert f"is not allowed in stage {stage}; allowed there: " in refusal.reason
        allowed = refusal.reason.split("allowed there: ")[1].split(", ")
        assert {e for e, _, sources, _ in ROWS if stage in sources.split()} <= set(allowed)
    else:
        assert book.record(event, LATER, actor, **data).stage == want
        assert book.replayed() == book.case


def test_a_closed_case_accepts_only_reopening_and_late_records() -> None:
    late = {"AgenciesNotified", "OutcomesRecorded", "IroManagerAuditCompleted"}
    late |= {"DissentRecorded", "EntryRetracted", "ChildDetailsRecorded", "ChildBorn"}
    assert set(allowed_events("closed")) == {"CaseReopened"} | late


# -- replay: a stored log that breaks the table is corruption ---------------------------


def test_replay_of_a_legal_log_equals_the_live_case() -> None:
    book = Casebook().closed()
    assert replay(book.events) == book.case


def test_a_log_whose_recorded_stage_differs_from_the_table_is_corrupt() -> None:
    events = Casebook().in_cin().events
    events[4] = replace(events[4], decision={**events[4].decision, "stage_after": "cin"})
    with pytest.raises(IntegrityError, match="recorded stage 'cin' but the table gives") as err:
        replay(events)
    assert err.value.seq == 5


def test_a_log_with_a_step_the_table_does_not_allow_is_corrupt() -> None:
    events = Casebook().in_cin().events
    illegal = replace(events[5], seq=3)  # a CiN meeting straight after the strategy meeting
    with pytest.raises(IntegrityError, match="ChildInNeedMeetingHeld is not allowed from stage"):
        replay([*events[:2], illegal])


def test_a_log_with_a_gap_in_seq_is_corrupt() -> None:
    events = Casebook().on_plan().events
    with pytest.raises(IntegrityError, match="expected seq 2"):
        replay([events[0], events[2]])
