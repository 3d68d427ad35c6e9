"""Properties of decide/evolve under random use (hypothesis, stateful): a clerk proposes
valid and spoiled events (and now and then bad input), dated mostly today, sometimes late,
sometimes in the future, to one case under one of the three packs. Whatever happens:

- replay of the decided log equals the live case; a refused or malformed event changes
  nothing;
- after opening, the stage is always one of the seven;
- every event is dated on or after the start of the stage it was recorded in (a closed
  case: of the stage before it closed), and stages only ever begin later;
- every obligation was opened by an event of the log, on that event's date, and falls due
  after it — except where the event itself names the date the rule counts from: T-REPORTS
  is due on the working day that leaves exactly 5 working days (itself included) before
  the conference date it was convened for, however soon that was; T-LONG-PLAN the day
  before that conference; T-CIN-REVIEW on the next meeting date set, which is after the
  meeting unless that event passed G-NEXT-MEETING on a waiver;
- a met obligation was met by a later event of the log that says so, on or after it
  opened; no obligation stays open outside the stages it belongs to;
- only an event that left the stage as it was is ever retracted, and never a waiver or a
  retraction; a waiver is used only by the event straight after the RuleWaived events
  that granted it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from casebook import ASWP, CHAIR, IROM, LEAD, OTHER_CHAIR, SM, SW, TM, Casebook, final_review
from cpworkflow.errors import BadInputError
from cpworkflow.lifecycle.case import Case
from cpworkflow.lifecycle.decide import Decided
from cpworkflow.lifecycle.fold import evolve, replay
from cpworkflow.lifecycle.machine import STAGES, allowed_events, next_stage
from cpworkflow.lifecycle.obligations import SCOPE
from cpworkflow.policy.rulebook import GUARDS
from cpworkflow.policy.schema import EVENT_TYPES

GM = {"id": "gm-1", "role": "group_manager"}
AUDITOR = {"id": "aud-1", "role": "auditor"}
PEOPLE = [SW, TM, CHAIR, OTHER_CHAIR, ASWP, SM, IROM, LEAD, GM, AUDITOR]
CATEGORIES = ["neglect", "physical", "emotional", "sexual"]
CATEGORY_LISTS = st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=2, unique=True)
VISITS = st.fixed_dictionaries({k: st.booleans() for k in ("seen", "seen_alone", "bedroom_seen")})
# The events that take a case onward from each stage, proposed half the time.
FORWARD = {
    "referral": ["InitialConferenceHeld", "StrategyMeetingHeld"],
    "cp_plan": ["ReviewConferenceConvened"],
    "review": ["ReviewConferenceHeld"],
    "step_down": ["ChildInNeedMeetingHeld"],
    "cin": ["ChildInNeedMeetingHeld", "ReflectiveDiscussionHeld"],
    "final_review": ["FinalChildInNeedReviewHeld"],
    "closed": ["CaseReopened"],
}
LEAD_SW = {"lead_social_worker": SW}
WAIVABLE = sorted(rule_id for rule_id, r in GUARDS.items() if r.waivable)
EVENT_CHOSEN_DATES = {"T-REPORTS", "T-LONG-PLAN", "T-CIN-REVIEW", "T-CORE-GROUP-RCPC"}

Draw = Any  # hypothesis's st.data() object
Payload = dict[str, Any]


def iso(day: date) -> str:
    return day.isoformat()


def days(draw: Draw, low: int, high: int) -> timedelta:
    return timedelta(days=draw.draw(st.integers(low, high)))


def mostly(draw: Draw) -> bool:
    """True three times in four."""
    return bool(draw.draw(st.sampled_from([True, True, True, False])))


def rarely(draw: Draw) -> bool:
    """True one time in eight."""
    return bool(draw.draw(st.sampled_from([True, *[False] * 7])))


def person(draw: Draw, *likely: dict[str, str]) -> dict[str, str]:
    return draw.draw(st.sampled_from(PEOPLE if rarely(draw) else likely))


def cin_plan(on: date) -> Payload:
    return {
        "outcomes": ["Attendance above 95%"],
        "actions": [{"action": "Parenting course", "owner": SW, "due": iso(on + timedelta(60))},
                    {"action": "Visits", "owner": "Health visiting", "every_weeks": 4}],
        "contingency": "Strategy discussion if attendance falls",
        "first_meeting_date": iso(on + timedelta(days=10)),
        "review_interval_weeks": 6,
        "visiting_interval_weeks": 3,
    }  # fmt: skip


def support(draw: Draw, case: Case, on: date) -> Payload:
    kind = draw.draw(st.sampled_from(["cin", "cin", "cin", "other"]))
    if kind == "cin":
        return {"kind": "cin", "family_consent": True, "plan": cin_plan(on)}
    if case.policy == "lancashire":
        return {"kind": "early_help", "referral_made": True}
    return {"kind": "universal", "family_declined": True, "reason": "Needs met by school"}


def valid(draw: Draw, kind: str, case: Case, on: date) -> Payload:
    """Data for an event of `kind` that the rules would accept in this case's state."""
    if kind == "CaseOpened":
        return {"child": {"ref": "C1"}}
    if kind == "StrategyMeetingHeld":
        return {"outcome": draw.draw(st.sampled_from(["s47", "s47", "s17", "nfa"]))}
    if kind == "InitialConferenceHeld":
        if mostly(draw):
            categories = draw.draw(CATEGORY_LISTS)
            return {"chair": CHAIR, "decision": "plan", "categories": categories, **LEAD_SW}
        return {
            "chair": CHAIR,
            "decision": "no_plan",
            "continuing_support": support(draw, case, on),
        }
    if kind == "ReviewConferenceHeld":
        if draw.draw(st.booleans()):
            return {"chair": CHAIR, "decision": "continue"}
        judged = dict.fromkeys(case.categories, "no_longer_at_risk")
        help_ = support(draw, case, on)
        return {"chair": CHAIR, "decision": "end_plan", "category_judgements": judged,
                "overriding_reasons": "Change", "continuing_support": help_}  # fmt: skip
    if kind == "ChildInNeedMeetingHeld":
        first = case.stage == "step_down"
        chair = (case.conference_chair or CHAIR) if first else ASWP
        next_date = iso(on + days(draw, 7, 28))
        return {
            "chair": chair,
            "kind": "first" if first else "review",
            "next_meeting_date": next_date,
        }
    if kind == "ReflectiveDiscussionHeld":
        return {"participants": [TM, SW, CHAIR, SM], "recorded_by": TM}
    if kind == "FinalChildInNeedReviewHeld":
        return final_review(decision=draw.draw(st.sampled_from(["end_plan", "continue"])))
    reason = draw.draw(st.sampled_from(["died", "left_uk"]))
    advice = draw.draw(st.sampled_from([["group_manager"], ["legal"]]))
    staff = draw.draw(st.sampled_from([CHAIR, SW, OTHER_CHAIR]))
    waiver = {"rule": draw.draw(st.sampled_from(WAIVABLE)), "reason": "Agreed", "authorised_by": TM}
    simple: dict[str, Payload] = {
        "ReviewConferenceConvened": {"conference_date": iso(on + days(draw, 10, 40))},
        "ChildProtectionPlanEnded": {"reason": reason},
        "CaseClosed": {"reason": reason, "professionals_informed": True},
        "ChildVisited": draw.draw(VISITS),
        "ChildInNeedPlanRecorded": {"plan": cin_plan(on)},
        "CoreGroupMeetingHeld": {"chair": TM},
        "AgencyReportReceived": {"agency": "School"},
        "AgenciesNotified": {"agencies": ["School", "Police"]},
        "ChildInNeedPlanCirculated": {"recipients": ["child", "family"]},
        "ManagementAdviceSought": {"from": advice},
        "DissentRecorded": {"agency": "Police", "about": "the plan", "reason": "Risk"},
        "StaffAssigned": {"person": staff, "left_authority": draw.draw(st.booleans())},
        "RuleWaived": waiver,
        "EntryRetracted": {"seq": draw.draw(st.integers(1, case.version)), "reason": "Error"},
    }
    return simple.get(kind, {})


def spoiled_plan(draw: Draw, plan: Payload, on: date) -> Payload:
    """The CiN plan, not SMART, without a contingency, or meeting too late."""
    vague = {"action": "Support", "owner": SW, "due": draw.draw(st.sampled_from(["ASAP", "TBC"]))}
    late = iso(on + timedelta(days=60))
    spoil = draw.draw(st.sampled_from([
        {"contingency": ""}, {"outcomes": []}, {"actions": [vague]}, {"first_meeting_date": late},
    ]))  # fmt: skip
    return {**plan, **spoil}


def spoiled(draw: Draw, data: Payload, on: date) -> Payload:
    """The data with one thing wrong that a guard (or the vocabulary) should object to."""
    support = data.get("continuing_support") or {}
    if "plan" in support and draw.draw(st.booleans()):
        plan = spoiled_plan(draw, support["plan"], on)
        return {**data, "continuing_support": {**support, "plan": plan}}
    if "plan" in data and draw.draw(st.booleans()):
        return {**data, "plan": spoiled_plan(draw, data["plan"], on)}
    next_date = draw.draw(st.sampled_from([None, iso(on - timedelta(3)), iso(on + timedelta(120))]))
    no_help = draw.draw(st.sampled_from([None, {"kind": "cin", "family_consent": False}]))
    unwaivable = draw.draw(st.sampled_from(["G-ROLE", "G-CHRONOLOGY", "G-STAGE"]))
    spoilers: list[Payload] = [
        {"chair": OTHER_CHAIR},
        {"next_meeting_date": next_date},
        {"kind": "first" if data.get("kind") == "review" else "review"},
        {"category_judgements": {"physical": "continuing_risk"}},
        {"overriding_reasons": None},
        {"continuing_support": no_help},
        {"court_dependent": {}, "temporary_arrangements": {}, "overriding_reasons": "x"},
        {"social_worker_recommendation": "end_plan", "overriding_reasons": "x"},
        {"participants": [TM, SW], "recorded_by": SW, "chair_left_authority": True},
        {"professionals_informed": False, "contingency": "", "lead_professional": None},
        {"reason": draw.draw(st.sampled_from(["turned_18", "transferred"]))},
        {"conference_date": iso(on + days(draw, -10, 4))},
        {"rule": unwaivable, "authorised_by": SW},
        {"seq": 10_000},
    ]
    spoil = draw.draw(st.sampled_from([sp for sp in spoilers if sp.keys() & data.keys()] or [{}]))
    unknown = None if spoil else 1  # nothing to spoil: a field the vocabulary does not know
    return {k: v for k, v in {**data, **spoil, "unknown": unknown}.items() if v is not None}


class ACaseUnderRandomUse(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.book = Casebook()
        self.today = date(2025, 1, 6)

    @initialize(pack=st.sampled_from(["default", "lancashire", "sefton"]))
    def open_the_case(self, pack: str) -> None:
        self.book = Casebook(policy=pack, today=self.today).opened(on=iso(self.today))

    @rule(data=st.data())
    def propose_an_event(self, data: Draw) -> None:
        self.today += days(data, 0, 21)
        book, case = self.book, self.book.case
        book.today = self.today
        allowed = [e for e in allowed_events(case.stage) if e != "CaseOpened"]
        onward = FORWARD[str(case.stage)]
        kinds = EVENT_TYPES if rarely(data) else onward if data.draw(st.booleans()) else allowed
        kind = data.draw(st.sampled_from(kinds))
        shift = data.draw(st.sampled_from([*[0] * 10, -1, 1]))
        on = self.today + days(data, 1, 30) * shift
        actor = person(
            data, *[p for p in PEOPLE if book.pack.may_record(kind, p["role"])] or PEOPLE
        )
        try:
            proposed = valid(data, kind, case, on)
            if not mostly(data):
                proposed = spoiled(data, proposed, on)
            outcome = book.attempt(kind, iso(on), actor, **proposed)
        except BadInputError:
            assert book.case is case
            return
        if isinstance(outcome, Decided):
            assert book.case.version == case.version + 1
        else:
            assert outcome.refusals
            assert book.case is case, "a refused event changed the case"

    @invariant()
    def replay_equals_the_live_case(self) -> None:
        assert replay(self.book.events, self.book.case_id) == self.book.case

    @invariant()
    def every_event_is_dated_on_or_after_the_start_of_the_period_it_was_recorded_in(self) -> None:
        case = Case(self.book.case_id)
        for event in self.book.events:
            fact = next_stage(case.stage, event.type, event.data) is None
            late = case.stage == "closed" and fact
            began = case.previous_period_since if late else case.period_since
            if not fact:
                began = case.stage_since
            assert began is None or event.occurred_on >= began, event
            since = case.stage_since
            case = evolve(case, event)
            assert since is None or case.stage_since is None or case.stage_since >= since

    @invariant()
    def no_obligation_stays_open_outside_the_stages_it_belongs_to(self) -> None:
        for ob in self.book.case.open_obligations():
            assert self.book.case.stage in SCOPE[ob.rule], ob

    @invariant()
    def only_an_event_that_left_the_stage_as_it_was_is_ever_retracted(self) -> None:
        events = self.book.events
        for seq in self.book.case.retracted:
            event, before = events[seq - 1], events[seq - 2]
            assert event.type not in ("RuleWaived", "EntryRetracted", "CaseOpened")
            assert event.decision["stage_after"] == before.decision["stage_after"]

    @invariant()
    def the_stage_is_one_of_the_seven(self) -> None:
        assert self.book.case.stage in STAGES

    @invariant()
    def every_obligation_was_opened_by_an_event_of_the_log_and_falls_due_after_it(self) -> None:
        events = self.book.events
        for ob in self.book.case.obligations.values():
            opener = events[ob.opened_seq - 1]
            # A late fact may open what an earlier-recorded fact's date gives (re-chaining):
            # its decision then names that fact as the opener.
            deciders = [e for e in events if ob.id in {o["id"] for o in e.decision["opened"]}]
            assert deciders and deciders[-1].seq >= opener.seq
            assert ob.opened_on == opener.occurred_on
            if ob.rule == "T-LONG-PLAN" and opener.type == "ReviewConferenceHeld":
                assert ob.due < date.fromisoformat(
                    opener.data.get("next_review_date") or "9999-12-31"
                )
            elif ob.rule not in EVENT_CHOSEN_DATES:
                assert ob.due > ob.opened_on, ob
            elif ob.rule == "T-REPORTS":
                conference = date.fromisoformat(opener.data["conference_date"])
                calendar = self.book.pack.calendar()
                before = calendar.working_days_between(ob.due, conference - timedelta(days=1))
                assert calendar.is_working_day(ob.due) and before == 4  # due + 4: 5 before
            elif ob.rule in ("T-LONG-PLAN", "T-CORE-GROUP-RCPC"):
                convened = next(e for e in deciders if e.type == "ReviewConferenceConvened")
                conference = date.fromisoformat(convened.data["conference_date"])
                before = 1 if ob.rule == "T-LONG-PLAN" else 14
                assert ob.due == conference - timedelta(days=before)
            elif "G-NEXT-MEETING" not in opener.decision.get("waived", ()):
                assert ob.due > ob.opened_on, ob

    @invariant()
    def a_met_obligation_was_met_by_a_later_event_that_says_so(self) -> None:
        for ob in self.book.case.obligations.values():
            if ob.met_seq is not None:
                # By date, not by seq: a fact recorded late may open what an earlier-recorded
                # fact, dated after it, meets.
                assert ob.met_on is not None and ob.met_on >= ob.opened_on
                assert ob.met_on == self.book.events[ob.met_seq - 1].occurred_on
                said = [
                    m
                    for e in self.book.events
                    for m in e.decision["met"]
                    if m["id"] == ob.id and m.get("seq", e.seq) == ob.met_seq
                ]
                assert said, ob

    @invariant()
    def a_waiver_is_used_only_by_the_next_event_its_rule_judges(self) -> None:
        """DOMAIN §3 RuleWaived: events the rule does not judge neither use nor spend it."""
        events = self.book.events
        for event in events:
            for rule_id in event.decision.get("waived", ()):
                seq = event.decision["waivers_spent"][rule_id]
                waiver = events[seq - 1]
                assert (waiver.type, waiver.data["rule"]) == ("RuleWaived", rule_id)
                between = events[seq : event.seq - 1]
                spent = [e.seq for e in between if rule_id in e.decision.get("waivers_spent", {})]
                assert not spent, (event.seq, rule_id, spent)


ACaseUnderRandomUse.TestCase.settings = settings(
    max_examples=100, stateful_step_count=40, deadline=None
)
TestACaseUnderRandomUse = ACaseUnderRandomUse.TestCase
