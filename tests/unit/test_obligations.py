"""The timescales of DOMAIN.md §5: each T- rule opens an obligation when its trigger occurs,
due on the right (working) day, owned by the pack's role; it is open on its due date and
overdue the day after; the right event meets it (late by the working days after the due
date up to the day met); it lapses when its stage ends."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from casebook import (
    CHAIR,
    IROM,
    SW,
    TM,
    Casebook,
    cin_meeting,
    cin_support,
    end_plan,
    smart_plan,
)
from cpworkflow.lifecycle.obligation import Obligation
from cpworkflow.policy.loading import load_policy


def d(text: str) -> date:
    return date.fromisoformat(text)


def latest(book: Casebook, rule: str) -> Obligation:
    """The obligation of `rule` opened last."""
    found = [o for o in book.case.obligations.values() if o.rule == rule]
    assert found, f"no {rule} among {sorted(book.case.obligations)}"
    return max(found, key=lambda o: o.opened_seq)


def assert_due(ob: Obligation, due: str) -> None:
    """Due on `due`: open that day, overdue the next."""
    assert ob.due == d(due)
    assert ob.status(d(due)) == "open"
    assert ob.status(d(due) + timedelta(days=1)) == "overdue"


def plan_ends_on(day: str, pack: str = "default", **data: Any) -> Casebook:
    """A plan made ten weeks before `day`, ended at its first RCPC on `day`."""
    end = d(day)

    def before(days: int) -> str:
        return (end - timedelta(days=days)).isoformat()

    book = Casebook(policy=pack).opened(on=before(70))
    book.record("StrategyMeetingHeld", before(69), TM, outcome="s47")
    plan = {"chair": CHAIR, "decision": "plan", "categories": ["neglect"], "lead_social_worker": SW}
    book.record("InitialConferenceHeld", before(63), CHAIR, **plan)
    book.record("ReviewConferenceConvened", before(21), CHAIR, conference_date=day)
    first = (end + timedelta(days=14)).isoformat()
    book.record("ReviewConferenceHeld", day, CHAIR, **end_plan(first_meeting=first, **data))
    return book


# -- the plan ends: T-OUTCOMES, T-CIN-PLAN, T-FIRST-CIN, T-IRO-AUDIT, T-NOTIFY -----------


@pytest.mark.parametrize(
    ("ends", "due"),
    [
        ("2022-09-12", "2022-09-20"),  # the state funeral, Monday 19 September 2022
        ("2025-04-17", "2025-04-28"),  # Good Friday and Easter Monday
        ("2025-12-19", "2025-12-30"),  # Christmas Day and Boxing Day
    ],
)
def test_the_outcomes_are_due_5_working_days_after_the_plan_ends(ends: str, due: str) -> None:
    ob = latest(plan_ends_on(ends), "T-OUTCOMES")
    assert_due(ob, due)
    assert ob.owner_role == "cp_chair"


@pytest.mark.parametrize(
    ("rule", "due", "owner"),
    [
        ("T-OUTCOMES", "2025-12-30", "cp_chair"),
        ("T-CIN-PLAN", "2026-01-07", "social_worker"),
        ("T-FIRST-CIN", "2026-01-21", "cp_chair"),  # 20 working days in the default pack
        ("T-IRO-AUDIT", "2026-01-21", "iro_manager"),  # ended at the first RCPC
    ],
)
def test_a_plan_ending_on_19_december_2025_opens_its_obligations_over_christmas(
    rule: str, due: str, owner: str
) -> None:
    ob = latest(plan_ends_on("2025-12-19"), rule)
    assert_due(ob, due)
    assert ob.owner_role == owner
    assert ob.opened_on == d("2025-12-19")


FIRST_CIN = cin_meeting(next_meeting_date="2026-02-24")


@pytest.mark.parametrize(
    ("rule", "event", "actor", "data"),
    [
        ("T-OUTCOMES", "OutcomesRecorded", CHAIR, {}),
        ("T-FIRST-CIN", "ChildInNeedMeetingHeld", CHAIR, FIRST_CIN),
        ("T-IRO-AUDIT", "IroManagerAuditCompleted", IROM, {"findings": "Reasons sound"}),
    ],
)
def test_an_obligation_met_after_its_due_date_is_late_by_the_working_days_since(
    rule: str, event: str, actor: dict[str, str], data: dict[str, Any]
) -> None:
    book = plan_ends_on("2025-12-19")
    ob = latest(book, rule)
    late_day = book.pack.calendar().add(ob.due, 2)
    book.record(event, late_day.isoformat(), actor, **data)
    met = book.case.obligations[ob.id]
    assert met.status(late_day) == "met_late"
    assert (met.met_on, met.late_by_working_days) == (late_day, 2)


def test_outcomes_recorded_on_new_years_eve_and_2_january_are_1_and_2_working_days_late() -> None:
    for day, late in (("2025-12-31", 1), ("2026-01-02", 2)):
        book = plan_ends_on("2025-12-19")
        book.record("OutcomesRecorded", day, CHAIR)
        assert latest(book, "T-OUTCOMES").late_by_working_days == late


def test_an_obligation_met_on_its_due_date_is_met_on_time() -> None:
    book = plan_ends_on("2025-12-19")
    book.record("OutcomesRecorded", "2025-12-30", CHAIR)
    ob = latest(book, "T-OUTCOMES")
    assert (ob.status(d("2026-06-01")), ob.late_by_working_days) == ("met", 0)


def test_the_cin_plan_is_met_once_recorded_and_circulated_to_child_family_and_agencies() -> None:
    """DOMAIN §5 T-CIN-PLAN: "circulation to the child, the family and the agencies (all
    three, in one ChildInNeedPlanCirculated or several)"."""
    book = plan_ends_on("2025-12-19")
    book.record("ChildInNeedPlanCirculated", "2025-12-22", SW, recipients=["child", "family"])
    assert latest(book, "T-CIN-PLAN").is_open
    book.record("ChildInNeedPlanRecorded", "2026-01-07", SW, plan=smart_plan("2026-01-05"))
    assert latest(book, "T-CIN-PLAN").is_open  # the agencies have not had it
    book.record("ChildInNeedPlanCirculated", "2026-01-08", SW, recipients=["agencies"])
    ob = latest(book, "T-CIN-PLAN")
    assert (ob.status(d("2026-01-08")), ob.late_by_working_days) == ("met_late", 1)


def test_the_iro_audit_opens_only_when_the_plan_ends_at_the_first_review() -> None:
    book = Casebook().at_review()
    book.record("ReviewConferenceHeld", "2025-04-15", CHAIR, chair=CHAIR, decision="continue")
    book.record("ReviewConferenceConvened", "2025-09-20", CHAIR, conference_date="2025-10-14")
    book.record("ReviewConferenceHeld", "2025-10-14", CHAIR, **end_plan(first_meeting="2025-10-28"))
    assert not [o for o in book.case.obligations.values() if o.rule == "T-IRO-AUDIT"]


@pytest.mark.parametrize(("pack", "notified"), [("default", False), ("lancashire", False),
                                                ("sefton", True)])  # fmt: skip
def test_agencies_are_notified_of_an_ended_plan_only_under_sefton(
    pack: str, notified: bool
) -> None:
    book = plan_ends_on("2025-12-19", pack)
    rules = {o.rule for o in book.case.obligations.values()}
    assert ("T-NOTIFY" in rules) is notified
    if notified:
        ob = latest(book, "T-NOTIFY")
        assert_due(ob, "2025-12-30")
        assert ob.owner_role == "social_worker"
        book.record("AgenciesNotified", "2025-12-23", SW, agencies=["School", "GP"])
        assert book.case.obligations[ob.id].status(d("2025-12-23")) == "met"


def test_the_first_cin_meeting_lapses_when_the_case_closes_before_it() -> None:
    book = plan_ends_on("2025-12-19")
    book.record("CaseClosed", "2026-01-05", TM, reason="left_uk", professionals_informed=True)
    ob = latest(book, "T-FIRST-CIN")
    assert (ob.status(d("2026-02-01")), ob.lapsed_on) == ("lapsed", d("2026-01-05"))
    assert latest(book, "T-OUTCOMES").is_open  # a late record the closed case still takes


# -- child in need: T-CIN-COPIES, T-CIN-REVIEW, T-CIN-VISIT -----------------------------


def test_copies_of_the_plan_are_due_5_working_days_after_each_cin_meeting() -> None:
    book = Casebook().stepped_down(first_meeting="2025-04-17")
    book.record("ChildInNeedMeetingHeld", "2025-04-17", CHAIR, **cin_meeting())
    ob = latest(book, "T-CIN-COPIES")
    assert_due(ob, "2025-04-28")  # over Easter
    assert ob.owner_role == "social_worker"
    book.record("ChildInNeedPlanCirculated", "2025-04-29", SW, recipients=["agencies"])
    assert book.case.obligations[ob.id].late_by_working_days == 1


def test_the_next_cin_meeting_is_due_on_the_date_the_last_one_set() -> None:
    book = Casebook().in_cin(next_meeting="2025-06-17")
    ob = latest(book, "T-CIN-REVIEW")
    assert_due(ob, "2025-06-17")
    meeting = cin_meeting("review", SW, next_meeting_date="2025-07-29")
    book.record("ChildInNeedMeetingHeld", "2025-06-18", SW, **meeting)
    assert book.case.obligations[ob.id].status(d("2025-06-18")) == "met_late"
    assert_due(latest(book, "T-CIN-REVIEW"), "2025-07-29")


@pytest.mark.parametrize(("weeks", "due"), [(2, "2025-04-29"), (4, "2025-05-13")])
def test_the_cin_visit_is_due_at_the_plans_interval(weeks: int, due: str) -> None:
    book = Casebook().at_review()
    support = cin_support(visiting_interval_weeks=weeks)
    book.record("ReviewConferenceHeld", "2025-04-15", CHAIR, **end_plan(continuing_support=support))
    ob = latest(book, "T-CIN-VISIT")
    assert_due(ob, due)
    book.record("ChildVisited", "2025-04-25", SW, seen=False)
    assert book.case.obligations[ob.id].is_open  # not seen: not a visit that counts
    book.record("ChildVisited", "2025-04-28", SW, seen=True)
    assert book.case.obligations[ob.id].met_on == d("2025-04-28")
    assert latest(book, "T-CIN-VISIT").opened_on == d("2025-04-28")


def test_cin_obligations_lapse_when_a_new_section_47_enquiry_takes_the_case_back() -> None:
    book = Casebook().in_cin()
    book.record("StrategyMeetingHeld", "2025-05-20", TM, outcome="s47")
    for rule in ("T-CIN-REVIEW", "T-CIN-COPIES", "T-CIN-VISIT"):
        assert latest(book, rule).lapsed_on == d("2025-05-20")
    assert latest(book, "T-ASSESSMENT").opened_on == d("2025-05-20")


# -- on a plan: T-CP-VISIT, T-BEDROOM, T-FIRST-RCPC, T-NEXT-RCPC, T-REPORTS -------------


def test_the_child_is_seen_every_2_weeks_on_a_plan_alone_or_not() -> None:
    """DOMAIN §5 T-CP-VISIT: "every 2 weeks while on a plan ... ChildVisited with seen";
    seeing the child alone is T-SEEN-ALONE's (revision 2)."""
    book = Casebook().on_plan()  # ICPC on 2025-01-20
    ob = latest(book, "T-CP-VISIT")
    assert_due(ob, "2025-02-03")
    book.record("ChildVisited", "2025-01-28", SW, seen=False)
    assert book.case.obligations[ob.id].is_open  # a visit that did not see the child
    book.record("ChildVisited", "2025-02-04", SW, seen=True, seen_alone=False)
    assert book.case.obligations[ob.id].late_by_working_days == 1
    assert_due(latest(book, "T-CP-VISIT"), "2025-02-18")


def test_plan_obligations_lapse_when_the_plan_ends() -> None:
    book = Casebook().stepped_down()
    for rule in ("T-CP-VISIT", "T-CORE-GROUP", "T-TWO-YEARS"):
        assert latest(book, rule).status(d("2025-12-31")) == "lapsed"


@pytest.mark.parametrize(
    "rule",
    ["T-FIRST-RCPC", "T-CP-VISIT", "T-CORE-GROUP", "T-BEDROOM", "T-TWO-YEARS", "T-ASSESSMENT"],
)
def test_plan_obligations_lapse_when_the_plan_ends_outside_a_conference(rule: str) -> None:
    book = Casebook().on_plan()
    book.record(
        "ChildProtectionPlanEnded", "2025-02-10", TM, reason="died", professionals_informed=True
    )
    assert latest(book, rule).lapsed_on == d("2025-02-10")
    assert book.case.open_obligations() == []  # no plan ended at a review: nothing to audit


def test_the_bedroom_is_seen_once_between_conferences_or_lapses_at_the_conference() -> None:
    book = Casebook().on_plan()
    ob = latest(book, "T-BEDROOM")
    assert_due(ob, "2025-04-20")  # when the first RCPC is due
    book.record("ReviewConferenceConvened", "2025-03-25", CHAIR, conference_date="2025-04-15")
    book.record("ReviewConferenceHeld", "2025-04-15", CHAIR, chair=CHAIR, decision="continue")
    assert book.case.obligations[ob.id].lapsed_on == d("2025-04-15")
    nxt = latest(book, "T-BEDROOM")
    assert_due(nxt, "2025-10-15")  # when the next RCPC is due
    book.record("ChildVisited", "2025-05-01", SW, seen=True, bedroom_seen=True)
    assert book.case.obligations[nxt.id].met_on == d("2025-05-01")


def test_the_first_rcpc_is_due_3_months_after_the_icpc_and_the_next_6_months_later() -> None:
    book = Casebook().at_review(conference="2025-04-22")
    first = latest(book, "T-FIRST-RCPC")
    assert_due(first, "2025-04-20")
    assert first.owner_role == "cp_chair"
    book.record("ReviewConferenceHeld", "2025-04-22", CHAIR, chair=CHAIR, decision="continue")
    assert book.case.obligations[first.id].late_by_working_days == 1  # Easter Monday skipped
    assert_due(latest(book, "T-NEXT-RCPC"), "2025-10-22")


def test_agency_reports_are_due_5_working_days_before_the_rcpc() -> None:
    book = Casebook().at_review(conference="2025-04-28", convened="2025-04-01")
    ob = latest(book, "T-REPORTS")
    assert_due(ob, "2025-04-17")  # counting back over Easter
    book.record("AgencyReportReceived", "2025-04-16", CHAIR, agency="School")
    assert book.case.obligations[ob.id].status(d("2025-04-16")) == "met"


def test_agency_reports_not_received_by_the_conference_lapse_there() -> None:
    book = Casebook().at_review()
    book.record("ReviewConferenceHeld", "2025-04-15", CHAIR, chair=CHAIR, decision="continue")
    assert latest(book, "T-REPORTS").status(d("2025-04-15")) == "lapsed"


def test_core_groups_within_10_working_days_then_6_weeks_until_the_first_rcpc_then_2_months() -> (
    None
):
    """DOMAIN §5 T-CORE-GROUP: "first within 10 working days of the ICPC, then within 6
    weeks of the previous one until the first RCPC, then at least every 2 months"."""
    book = Casebook().on_plan()
    first = latest(book, "T-CORE-GROUP")
    assert_due(first, "2025-02-03")
    assert first.owner_role == "team_manager"  # the manager chairs the first (001)
    book.record("CoreGroupMeetingHeld", "2025-01-30", TM, chair=TM)
    second = latest(book, "T-CORE-GROUP")
    assert (book.case.obligations[first.id].met_on, second.owner_role) == (
        d("2025-01-30"),
        "social_worker",
    )
    assert_due(second, "2025-03-13")
    book.record("CoreGroupMeetingHeld", "2025-03-10", SW, chair=SW)
    assert_due(latest(book, "T-CORE-GROUP"), "2025-04-21")  # no RCPC yet: 6 weeks
    book.record("ReviewConferenceConvened", "2025-03-25", CHAIR, conference_date="2025-04-15")
    book.record("ReviewConferenceHeld", "2025-04-15", CHAIR, chair=CHAIR, decision="continue")
    book.record("CoreGroupMeetingHeld", "2025-04-18", SW, chair=SW)
    assert_due(latest(book, "T-CORE-GROUP"), "2025-06-18")  # after the first RCPC: 2 months


# -- assessment and long plans: T-ASSESSMENT, T-LONG-PLAN, T-TWO-YEARS ------------------


def test_the_assessment_is_due_35_working_days_after_the_s47_strategy_meeting() -> None:
    book = Casebook().opened()
    book.record("StrategyMeetingHeld", "2025-01-07", TM, outcome="s47")
    ob = latest(book, "T-ASSESSMENT")
    assert_due(ob, "2025-02-25")
    book.record("AssessmentCompleted", "2025-02-20", SW)
    assert book.case.obligations[ob.id].status(d("2025-03-01")) == "met"


def test_the_assessment_lapses_when_no_further_action_closes_the_case() -> None:
    book = Casebook().opened()
    book.record("StrategyMeetingHeld", "2025-01-07", TM, outcome="s47")
    book.record("StrategyMeetingHeld", "2025-01-09", TM, outcome="nfa", professionals_informed=True)
    assert latest(book, "T-ASSESSMENT").lapsed_on == d("2025-01-09")


def test_advice_is_due_from_the_group_manager_after_the_second_rcpc_before_the_third() -> None:
    """DOMAIN §5 T-LONG-PLAN: "the second RCPC continues the plan → ManagementAdviceSought
    from group_manager dated after that RCPC; due the day before the third RCPC (its
    next_review_date, or the convened conference date when that is earlier)"."""
    book = Casebook().at_review()
    book.record("ReviewConferenceHeld", "2025-04-15", CHAIR, chair=CHAIR, decision="continue")
    assert not [o for o in book.case.obligations.values() if o.rule == "T-LONG-PLAN"]
    book.record("ReviewConferenceConvened", "2025-09-20", CHAIR, conference_date="2025-10-14")
    book.record("ReviewConferenceHeld", "2025-10-14", CHAIR, chair=CHAIR, decision="continue")
    assert_due(latest(book, "T-LONG-PLAN"), "2026-04-13")  # the third RCPC is due 14 April
    book.record("ReviewConferenceConvened", "2026-02-02", CHAIR, conference_date="2026-03-02")
    ob = latest(book, "T-LONG-PLAN")
    assert (ob.owner_role, ob.due, ob.opened_on) == (
        "team_manager",
        d("2026-03-01"),
        d("2025-10-14"),
    )
    book.record("ManagementAdviceSought", "2026-02-10", TM, **{"from": ["legal"]})
    assert book.case.obligations[ob.id].is_open
    book.record("ManagementAdviceSought", "2026-02-11", TM, **{"from": ["group_manager", "legal"]})
    assert book.case.obligations[ob.id].met_on == d("2026-02-11")


def test_a_plan_older_than_two_years_is_flagged_for_discussion() -> None:
    book = Casebook().on_plan()
    ob = latest(book, "T-TWO-YEARS")
    assert_due(ob, "2027-01-20")
    book.record("ManagementAdviceSought", "2027-01-19", TM, **{"from": ["group_manager"]})
    assert book.case.obligations[ob.id].is_open  # not yet two years: not that discussion
    book.record("ManagementAdviceSought", "2027-01-21", TM, **{"from": ["group_manager"]})
    assert book.case.obligations[ob.id].met_on == d("2027-01-21")


# -- owners come from the pack ----------------------------------------------------------


def test_every_obligation_carries_the_owner_role_of_its_pack(tmp_path: Path) -> None:
    own = tmp_path / "blackpool.toml"
    own.write_text(
        'extends = "default"\nid = "blackpool"\nversion = "1"\ntitle = "Blackpool"\n'
        '[timescales.T-OUTCOMES]\nowner_role = "team_manager"\n'
    )
    book = plan_ends_on("2025-12-19", str(own))
    pack = load_policy(str(own))
    assert latest(book, "T-OUTCOMES").owner_role == "team_manager"
    for ob in book.case.obligations.values():
        first_core_group = ob.rule == "T-CORE-GROUP" and ob.opened_seq == 3
        name = "first" if first_core_group else "due"
        timescale = pack.timescale(ob.rule)
        assert timescale is not None
        assert ob.owner_role == timescale.owner_for(name), ob.id
