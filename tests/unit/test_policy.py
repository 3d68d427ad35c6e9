"""Policy packs (DOMAIN.md §6): versioned TOML data, checked with errors naming the key,
extended by an authority's own file."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from cpworkflow.errors import BadInputError
from cpworkflow.policy.loading import available_policies, load_policy, policy_resolver
from cpworkflow.policy.pack import Policy, due_date
from cpworkflow.policy.schema import Duration, Unit
from cpworkflow.policy.workingdays import WorkingCalendar

# DOMAIN.md §1, §3 and §5, written out here so the packs are checked against the domain
# document itself rather than against the code that reads them.
ROLES = {
    "social_worker",
    "team_manager",
    "cp_chair",
    "iro_manager",
    "service_manager",
    "group_manager",
    "aswp",
    "lead_professional",
    "auditor",
}
EVENT_TYPES = [
    "CaseOpened",
    "StrategyMeetingHeld",
    "AssessmentStarted",
    "AssessmentCompleted",
    "InitialConferenceHeld",
    "CoreGroupMeetingHeld",
    "ChildVisited",
    "InitialConferenceConvened",
    "ReviewConferenceConvened",
    "AgencyReportReceived",
    "ReviewConferenceHeld",
    "ChildProtectionPlanEnded",
    "CaseClosed",
    "AgenciesNotified",
    "OutcomesRecorded",
    "ChildInNeedPlanRecorded",
    "ChildInNeedPlanCirculated",
    "ChildInNeedMeetingHeld",
    "ReflectiveDiscussionHeld",
    "FinalChildInNeedReviewHeld",
    "CaseReopened",
    "ManagementAdviceSought",
    "IroManagerAuditCompleted",
    "DissentRecorded",
    "StaffAssigned",
    "ChildDetailsRecorded",
    "ChildBorn",
    "LegalStatusRecorded",
    "RuleWaived",
    "EntryRetracted",
]
TIMESCALE_RULES = [
    "T-OUTCOMES",
    "T-CIN-PLAN",
    "T-FIRST-CIN",
    "T-CIN-COPIES",
    "T-CIN-REVIEW",
    "T-CIN-VISIT",
    "T-CP-VISIT",
    "T-SEEN-ALONE",
    "T-BEDROOM",
    "T-FIRST-RCPC",
    "T-NEXT-RCPC",
    "T-REPORTS",
    "T-ICPC-REPORTS",
    "T-ICPC",
    "T-CORE-GROUP",
    "T-CORE-GROUP-RCPC",
    "T-ASSESSMENT",
    "T-LONG-PLAN",
    "T-TWO-YEARS",
    "T-IRO-AUDIT",
    "T-NOTIFY",
]
PACKS = ["default", "lancashire", "sefton"]


def default_text() -> str:
    return (resources.files("cpworkflow.policy") / "packs" / "default.toml").read_text("utf-8")


def authority(tmp_path: Path, text: str, name: str = "blackpool.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def extending_default(tmp_path: Path, body: str) -> str:
    head = 'extends = "default"\nid = "blackpool"\nversion = "2025.1"\ntitle = "Blackpool"\n'
    return authority(tmp_path, head + body)


def refusal(path: str) -> BadInputError:
    with pytest.raises(BadInputError) as error:
        load_policy(path)
    return error.value


# -- the packaged packs -----------------------------------------------------------------


def test_the_packaged_packs_are_default_lancashire_and_sefton() -> None:
    assert available_policies() == PACKS


@pytest.mark.parametrize("name", PACKS)
def test_a_pack_names_the_roles_that_may_record_every_event_type(name: str) -> None:
    policy = load_policy(name)
    assert set(policy.roles) == set(EVENT_TYPES)
    for event_type in EVENT_TYPES:
        assert policy.roles[event_type], f"{name}: nobody may record {event_type}"
        assert policy.roles[event_type] <= ROLES


@pytest.mark.parametrize("name", PACKS)
def test_a_pack_holds_every_timescale_of_the_domain_with_an_owner_role(name: str) -> None:
    policy = load_policy(name)
    assert set(policy.timescales) == set(TIMESCALE_RULES)
    for rule in TIMESCALE_RULES:
        timescale = policy.timescales[rule]
        assert timescale.rule == rule
        assert {timescale.owner_role, *timescale.owners.values()} <= ROLES - {"auditor"}


@pytest.mark.parametrize("name", PACKS)
def test_an_auditor_may_record_nothing_in_any_pack(name: str) -> None:
    policy = load_policy(name)
    assert not [e for e in EVENT_TYPES if policy.may_record(e, "auditor")]


@pytest.mark.parametrize("name", PACKS)
def test_only_team_service_and_iro_managers_may_waive_a_rule(name: str) -> None:
    policy = load_policy(name)
    assert policy.waiver_roles == {"team_manager", "service_manager", "iro_manager"}
    assert policy.roles["RuleWaived"] == policy.waiver_roles


@pytest.mark.parametrize("name", PACKS)
def test_a_pack_carries_its_id_a_version_a_title_and_the_english_calendar(name: str) -> None:
    policy = load_policy(name)
    assert policy.id == name
    assert policy.version == "2025.1"
    assert policy.title
    assert policy.nation == "england"
    assert policy.calendar().add(date(2025, 12, 19), 5) == date(2025, 12, 30)


def test_conferences_are_recorded_by_the_chair_and_reflective_discussions_by_the_manager() -> None:
    policy = load_policy("default")
    assert policy.roles["InitialConferenceHeld"] == {"cp_chair"}
    assert policy.roles["ReviewConferenceHeld"] == {"cp_chair"}
    assert policy.roles["OutcomesRecorded"] == {"cp_chair"}
    assert policy.roles["ReflectiveDiscussionHeld"] == {"team_manager"}
    assert policy.roles["IroManagerAuditCompleted"] == {"iro_manager"}
    assert policy.may_record("ReviewConferenceConvened", "social_worker")
    assert not policy.may_record("ReviewConferenceHeld", "social_worker")
    assert not policy.may_record("NoSuchEvent", "cp_chair")


@pytest.mark.parametrize(
    ("rule", "name", "amount", "unit", "owner"),
    [
        ("T-OUTCOMES", "due", 5, "working_days", "cp_chair"),
        ("T-CIN-PLAN", "due", 10, "working_days", "social_worker"),
        ("T-FIRST-CIN", "due", 20, "working_days", "cp_chair"),
        ("T-CIN-COPIES", "due", 5, "working_days", "social_worker"),
        ("T-CIN-VISIT", "max", 4, "weeks", "social_worker"),
        ("T-CP-VISIT", "due", 14, "days", "social_worker"),
        ("T-FIRST-RCPC", "due", 3, "months", "cp_chair"),
        ("T-NEXT-RCPC", "due", 6, "months", "cp_chair"),
        ("T-REPORTS", "due", 5, "working_days_before", "cp_chair"),
        ("T-CORE-GROUP", "first", 10, "working_days", "team_manager"),
        ("T-CORE-GROUP", "second", 6, "weeks", "social_worker"),
        ("T-CORE-GROUP", "then", 2, "months", "social_worker"),
        ("T-ASSESSMENT", "due", 35, "working_days", "social_worker"),
        ("T-TWO-YEARS", "due", 2, "years", "cp_chair"),
        ("T-IRO-AUDIT", "due", 20, "working_days", "iro_manager"),
    ],
)
def test_the_default_pack_holds_the_numbers_of_the_seeds(
    rule: str, name: str, amount: int, unit: Unit, owner: str
) -> None:
    timescale = load_policy("default").timescale(rule)
    assert timescale is not None
    assert timescale.durations[name] == Duration(amount, unit)
    assert timescale.owner_for(name) == owner


@pytest.mark.parametrize("rule", ["T-CIN-REVIEW", "T-BEDROOM", "T-LONG-PLAN"])
def test_a_timescale_dated_by_its_event_carries_no_amount(rule: str) -> None:
    timescale = load_policy("default").timescale(rule)
    assert timescale is not None
    assert dict(timescale.durations) == {}


def test_the_default_pack_steps_down_into_cin_planning() -> None:
    policy = load_policy("default")
    assert policy.first_cin_max_working_days == 20
    assert policy.cin_review_max == Duration(3, "months")
    assert policy.cin_review_default_weeks == 6
    assert policy.third_review_chair
    assert policy.first_review_needs_overriding_reasons
    assert set(policy.support) == {"cin", "universal"}
    assert policy.support["cin"].require_true == ("family_consent",)
    assert policy.support["universal"].require_true == ("family_declined",)
    assert policy.timescale("T-NOTIFY") is None


def test_lancashire_accepts_early_help_where_the_referral_was_made_before_the_rcpc() -> None:
    policy = load_policy("lancashire")
    assert set(policy.support) == {"cin", "universal", "early_help"}
    assert policy.support["early_help"].require_true == ("referral_made",)
    assert policy.first_review_needs_overriding_reasons
    assert policy.timescale("T-IRO-AUDIT") is not None
    assert not policy.third_review_chair
    assert policy.guard_sources["G-SUPPORT"].startswith("002")
    assert policy.extends == "default"


def test_sefton_meets_every_4_weeks_notifies_agencies_and_takes_universal_with_a_reason() -> None:
    policy = load_policy("sefton")
    assert policy.cin_review_max == Duration(4, "weeks")
    assert policy.cin_review_default_weeks == 4
    notify = policy.timescale("T-NOTIFY")
    assert notify is not None
    assert notify.durations["due"] == Duration(5, "working_days")
    assert notify.source.startswith("003")
    assert set(policy.support) == {"cin", "universal"}
    assert policy.support["universal"].require_true == ()
    assert policy.support["universal"].require_text == ("reason",)
    assert not policy.third_review_chair
    assert policy.guard_sources["G-NEXT-MEETING"].startswith("003")


def test_a_pack_that_extends_another_inherits_what_it_does_not_say() -> None:
    default, sefton = load_policy("default"), load_policy("sefton")
    assert sefton.roles == default.roles
    assert sefton.timescales["T-ASSESSMENT"] == default.timescales["T-ASSESSMENT"]
    assert sefton.first_cin_max_working_days == default.first_cin_max_working_days


def test_a_pack_is_loaded_once_and_can_be_hashed() -> None:
    assert load_policy("default") is load_policy("default")
    assert len({load_policy("default"), load_policy("sefton"), load_policy("default")}) == 2
    assert load_policy("default").calendar() is load_policy("default").calendar()


def test_an_unknown_pack_name_is_refused_listing_the_packs() -> None:
    with pytest.raises(
        BadInputError, match=r"no policy pack named 'nope' \(packaged: default, lancashire"
    ):
        load_policy("nope")


# -- due dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        (Duration(5, "working_days"), date(2025, 12, 30)),
        (Duration(5, "working_days_before"), date(2025, 12, 12)),
        (Duration(14, "days"), date(2026, 1, 2)),
        (Duration(6, "weeks"), date(2026, 1, 30)),
        (Duration(3, "months"), date(2026, 3, 19)),
        (Duration(2, "years"), date(2027, 12, 19)),
    ],
)
def test_a_due_date_counts_the_duration_in_its_own_unit(duration: Duration, expected: date) -> None:
    assert due_date(WorkingCalendar(), date(2025, 12, 19), duration) == expected


def test_three_months_after_30_november_is_the_last_day_of_february() -> None:
    assert due_date(WorkingCalendar(), date(2025, 11, 30), Duration(3, "months")) == date(
        2026, 2, 28
    )


# -- an authority's own file -------------------------------------------------------------


def test_an_authority_file_extending_default_overrides_one_number_and_keeps_the_rest(
    tmp_path: Path,
) -> None:
    path = extending_default(tmp_path, "[timescales.T-ASSESSMENT]\nworking_days = 45\n")
    policy, default = load_policy(path), load_policy("default")
    assert policy.id == "blackpool"
    assert policy.timescales["T-ASSESSMENT"].durations["due"] == Duration(45, "working_days")
    assert policy.timescales["T-ASSESSMENT"].owner_role == "social_worker"
    assert policy.timescales["T-OUTCOMES"] == default.timescales["T-OUTCOMES"]
    assert policy.roles == default.roles
    assert policy.support == default.support
    assert policy.extends == "default"


def test_an_amount_in_another_unit_replaces_the_inherited_amount(tmp_path: Path) -> None:
    path = extending_default(tmp_path, "[guards]\ncin_review_max = { weeks = 8 }\n")
    assert load_policy(path).cin_review_max == Duration(8, "weeks")


def test_an_authority_can_stop_accepting_a_kind_of_support_it_inherited(tmp_path: Path) -> None:
    path = extending_default(tmp_path, "[guards.support.universal]\naccepted = false\n")
    assert set(load_policy(path).support) == {"cin"}


def test_a_closure_day_in_an_authority_file_is_skipped_when_counting(tmp_path: Path) -> None:
    path = extending_default(tmp_path, "closure_days = [2025-12-29, 2025-12-31]\n")
    policy = load_policy(path)
    assert policy.closure_days == (date(2025, 12, 29), date(2025, 12, 31))
    assert policy.calendar().add(date(2025, 12, 19), 5) == date(2026, 1, 2)


def test_an_authority_file_may_stand_alone_without_extends(tmp_path: Path) -> None:
    text = default_text().replace('id = "default"', 'id = "blackpool"')
    path = authority(tmp_path, text.replace('nation = "england"', 'nation = "wales"'))
    policy = load_policy(path)
    assert (policy.id, policy.nation, policy.extends) == ("blackpool", "wales", None)


def test_an_edited_authority_file_is_read_afresh(tmp_path: Path) -> None:
    path = extending_default(tmp_path, "[timescales.T-ASSESSMENT]\nworking_days = 45\n")
    assert load_policy(path).timescales["T-ASSESSMENT"].durations["due"].amount == 45
    extending_default(tmp_path, "[timescales.T-ASSESSMENT]\nworking_days = 40\n")
    assert load_policy(path).timescales["T-ASSESSMENT"].durations["due"].amount == 40


def test_a_resolver_finds_an_authority_pack_by_the_id_its_events_carry(tmp_path: Path) -> None:
    path = extending_default(tmp_path, "")
    resolve = policy_resolver(path)
    assert resolve("blackpool") == load_policy(path)
    assert resolve("sefton") is load_policy("sefton")


# -- bad files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ("colour = 'red'\n", "colour", "unknown key"),
        ("[guards]\nthird_review_chair = 'yes'\n", "guards.third_review_chair", "true or false"),
        (
            "[timescales.T-OUTCOMES]\nworking_days = -5\n",
            "timescales.T-OUTCOMES.working_days",
            "expected a positive integer",
        ),
        (
            "[timescales.T-OUTCOMES]\nworking_days = 2.5\n",
            "timescales.T-OUTCOMES.working_days",
            "expected a positive integer",
        ),
        (
            "[timescales.T-OUTCOMES]\nfortnights = 2\n",
            "timescales.T-OUTCOMES.fortnights",
            "unknown key",
        ),
        (
            "[timescales.T-OUTCOMES]\nworking_days_before = 2\n",
            "timescales.T-OUTCOMES.working_days_before",
            "this takes one of: working_days, days",
        ),
        ("[timescales.T-NEVER]\nenabled = true\n", "timescales.T-NEVER", "unknown key"),
        (
            "[timescales.T-OUTCOMES]\nowner_role = 'caretaker'\n",
            "timescales.T-OUTCOMES.owner_role",
            "unknown role 'caretaker'",
        ),
        ("[roles]\nCaseOpened = ['judge']\n", "roles.CaseOpened", "unknown role 'judge'"),
        ("[roles]\nCaseOpened = ['auditor']\n", "roles.CaseOpened", "records nothing"),
        ("[roles]\nCaseOpened = 'team_manager'\n", "roles.CaseOpened", "expected a list"),
        ("[roles]\nCaseOpend = ['team_manager']\n", "roles.CaseOpend", "unknown key"),
        ("[roles]\nRuleWaived = ['social_worker']\n", "roles.RuleWaived", "may not waive"),
        (
            "[guards.support.early_help]\nrequire = ['consent']\n",
            "guards.support.early_help.require",
            "unknown value 'consent'",
        ),
        ("[guards.support.cash]\nrequire = []\n", "guards.support.cash", "unknown key"),
        (
            "[guards.support.cin]\naccepted = false\n"
            "[guards.support.universal]\naccepted = false\n",
            "guards.support",
            "no kind of continuing support",
        ),
        (
            "[guards]\ncin_review_max = { weeks = 4, months = 1 }\n",
            "guards.cin_review_max",
            "one amount",
        ),
        (
            "[guards]\ncin_review_max = { years = 1 }\n",
            "guards.cin_review_max.years",
            "takes one of",
        ),
        (
            "[guards]\ncin_review_max = { weeks = 4 }\n",
            "guards.cin_review_default_weeks",
            "longer than guards.cin_review_max",
        ),
        (
            "[guards]\nfirst_cin_max_working_days = 10\n",
            "timescales.T-FIRST-CIN",
            "must be 10 working_days",
        ),
        ("[guards.sources]\nG-NOTHING = '000'\n", "guards.sources.G-NOTHING", "unknown key"),
        ("closure_days = ['2025-12-29']\n", "closure_days", "expected a list of dates"),
        ("nation = 'cornwall'\n", "nation", "unknown nation 'cornwall'"),
        ("waiver_roles = []\n[roles]\nRuleWaived = []\n", "waiver_roles", "at least one role"),
    ],
)
def test_a_bad_authority_file_is_refused_naming_the_key(
    tmp_path: Path, body: str, field: str, message: str
) -> None:
    path = extending_default(tmp_path, body)
    error = refusal(path)
    assert error.field == field
    assert message in str(error)
    assert str(error).startswith(f"pack {path!r}: {field}: ")


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ('id = "blackpool"', 'id = "Black Pool"', "id", "lowercase letters"),
        ('version = "2025.1"', "", "version", "missing"),
        (
            "[timescales.T-TWO-YEARS]",
            "[timescales.T-TWO-YEARZ]",
            "timescales.T-TWO-YEARZ",
            "unknown",
        ),
        (
            'ReflectiveDiscussionHeld = ["team_manager"]',
            "",
            "roles.ReflectiveDiscussionHeld",
            "missing",
        ),
        (
            'first = { working_days = 10, owner_role = "team_manager" }',
            "",
            "timescales.T-CORE-GROUP.first",
            "missing",
        ),
        ("months = 3\n", "", "timescales.T-FIRST-RCPC", "missing an amount"),
    ],
)
def test_a_bad_standalone_file_is_refused_naming_the_key(
    tmp_path: Path, old: str, new: str, field: str, message: str
) -> None:
    text = default_text().replace('id = "default"', 'id = "blackpool"')
    assert old in text
    path = authority(tmp_path, text.replace(old, new, 1))
    error = refusal(path)
    assert error.field == field
    assert message in str(error)


def test_a_disabled_timescale_may_omit_its_amount(tmp_path: Path) -> None:
    path = extending_default(tmp_path, "[timescales.T-OUTCOMES]\nenabled = false\n")
    assert load_policy(path).timescale("T-OUTCOMES") is None


def test_extending_a_pack_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    path = authority(tmp_path, 'extends = "nowhere"\nid = "x"\nversion = "1"\ntitle = "X"\n')
    error = refusal(path)
    assert error.field == "extends"
    assert "no packaged pack named 'nowhere'" in str(error)


def test_an_authority_file_may_not_take_a_packaged_packs_id(tmp_path: Path) -> None:
    path = authority(tmp_path, 'extends = "default"\nid = "sefton"\nversion = "1"\ntitle = "S"\n')
    error = refusal(path)
    assert error.field == "id"
    assert "is a packaged pack" in str(error)


def test_a_file_that_extends_states_its_own_version(tmp_path: Path) -> None:
    path = authority(tmp_path, 'extends = "default"\nid = "x"\ntitle = "X"\n')
    assert refusal(path).field == "version"


def test_a_file_that_is_not_toml_is_refused_with_the_line(tmp_path: Path) -> None:
    path = authority(tmp_path, 'extends = "default"\nid = \n')
    assert "not a valid TOML file" in str(refusal(path))
    assert "line 2" in str(refusal(path))


def test_a_missing_authority_file_is_refused(tmp_path: Path) -> None:
    error = refusal(str(tmp_path / "absent.toml"))
    assert error.field == "policy"
    assert "cannot read" in str(error)


def test_policy_is_a_frozen_value() -> None:
    policy = load_policy("default")
    with pytest.raises(AttributeError):
        policy.version = "2099.1"  # type: ignore[misc]
    with pytest.raises(TypeError):
        policy.roles["CaseOpened"] = frozenset({"auditor"})  # type: ignore[index]
    assert isinstance(policy, Policy)
