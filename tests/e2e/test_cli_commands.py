"""Every command of PRODUCT.md through click's CliRunner, with its main options, its JSON
shape, and every exit code (0 done, 1 refused, 2 bad input, 3 conflict, 4 integrity,
5 not found)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from cli_harness import (
    CHAIR,
    SAMPLES,
    SW,
    TM,
    cpw,
    fingerprint,
    json_of,
    ok,
    opened_on_plan,
    record_args,
    tamper_with_payload,
)

from cpworkflow.store import EventStore

SHOW_KEYS = {"case_id", "stage", "version", "policy", "categories", "people", "obligations"}
OBLIGATION_KEYS = {"rule", "due", "status", "met_on", "late_by_working_days", "owner_role"}
HISTORY_KEYS = {
    "seq",
    "type",
    "occurred_on",
    "recorded_at",
    "actor",
    "stage_after",
    "retracted",
    "waived_rules",
}
DUE_KEYS = {"case_id", "rule", "due", "status", "owner_role"}
REFUSAL = re.compile(r"^refused: (G-[A-Z0-9-]+): \S.* \(([^()]+)\)$")
VISIT = {"seen": True, "seen_alone": True}


# -- init, record, import -------------------------------------------------------------------


def test_init_creates_an_empty_store_and_a_second_init_changes_nothing(
    db: str, tmp_path: Path
) -> None:
    assert ok(db, "init").stdout == f"store ready: {db}\n"
    assert ok(db, "init").exit_code == 0
    assert (tmp_path / "events.db").is_file()
    assert EventStore(db).count() == 0


def test_record_opens_a_case_and_prints_the_stage(db: str) -> None:
    data = {"child": {"ref": "R-1", "birth_date": "2015-03-01"}}
    result = ok(db, *record_args("C1", "CaseOpened", "2025-01-06", SW, data))
    assert result.stdout == "C1: CaseOpened recorded as seq 1; stage referral\n"


def test_record_json_reports_the_new_version_and_what_fell_due(db: str) -> None:
    opened_on_plan(db, "C2")
    out = json_of(db, *record_args("C2", "ChildVisited", "2025-02-03", SW, VISIT))
    assert (out["case_id"], out["seq"], out["version"], out["stage"]) == ("C2", 4, 4, "cp_plan")
    assert out["duplicate"] is False
    assert [m["id"] for m in out["met"]] == ["3:T-CP-VISIT", "3:T-SEEN-ALONE"]
    assert ("T-CP-VISIT", "2025-02-17", "social_worker") in [
        (o["rule"], o["due"], o["owner_role"]) for o in out["fell_due"]
    ]


def test_record_says_how_late_a_visit_it_met_was(db: str) -> None:
    opened_on_plan(db)  # ICPC 2025-01-28: the first visit is due by 2025-02-11
    visit = record_args("C1", "ChildVisited", "2025-02-18", SW, VISIT)
    text = ok(db, *visit, "--key", "v").stdout  # Wed 12 to Tue 18 Feb: 5 working days
    assert "met: T-CP-VISIT on 2025-02-18, 5 working days late\n" in text
    again = json_of(db, *visit, "--key", "v")
    late = {m["id"]: m["late_by_working_days"] for m in again["met"]}
    assert late == {"3:T-CP-VISIT": 5, "3:T-SEEN-ALONE": 0}  # seen alone within 6 weeks


def test_record_says_when_an_obligation_it_opened_is_already_overdue(db: str) -> None:
    ok(db, "init")
    today = {"CPW_TODAY": "2025-01-07"}
    ok(db, *record_args("C1", "CaseOpened", "2025-01-06", SW, {"child": {"ref": "R"}}), env=today)
    ok(db, *record_args("C1", "StrategyMeetingHeld", "2025-01-07", TM, {"outcome": "s47"}))
    icpc = {"chair": CHAIR, "decision": "plan", "categories": ["neglect"], "lead_social_worker": SW}
    late = cpw(
        db,
        *record_args("C1", "InitialConferenceHeld", "2025-01-28", CHAIR, icpc),
        env={"CPW_TODAY": "2025-02-18"},  # written up three weeks after the conference
    )
    assert late.exit_code == 0, late.stderr
    assert (
        "due: T-CP-VISIT by 2025-02-11 (social_worker): already overdue by 5 working days\n"
        in late.stdout
    )
    assert "due: T-FIRST-RCPC by 2025-04-28 (cp_chair)\n" in late.stdout  # not yet due


def test_record_takes_the_data_from_a_file_or_from_stdin(db: str, tmp_path: Path) -> None:
    opened_on_plan(db)
    base = ["record", "C1", "ChildVisited", "--on", "2025-02-03", "--actor", "sw-1"]
    data = tmp_path / "visit.json"
    data.write_text(json.dumps(VISIT))
    ok(db, *base, "--role", "social_worker", "--data-file", str(data))
    ok(db, *base, "--role", "social_worker", "--data-file", "-", input=json.dumps(VISIT))
    history = json_of(db, "history", "C1")
    assert [row["type"] for row in history[3:]] == ["ChildVisited", "ChildVisited"]


def test_a_repeated_key_returns_the_original_event_and_writes_nothing(db: str) -> None:
    opened_on_plan(db)
    first = json_of(db, *record_args("C1", "ChildVisited", "2025-02-03", SW, VISIT), "--key", "v1")
    before = fingerprint(db, "C1")
    again = json_of(db, *record_args("C1", "ChildVisited", "2025-02-03", SW, VISIT), "--key", "v1")
    assert (again["seq"], again["duplicate"], first["duplicate"]) == (4, True, False)
    assert fingerprint(db, "C1") == before
    text = ok(db, *record_args("C1", "ChildVisited", "2025-02-03", SW, VISIT), "--key", "v1")
    assert text.stdout.startswith("C1: key already recorded as seq 4; nothing written")


def test_a_key_reused_for_a_different_event_is_a_conflict_naming_the_key_and_its_seq(
    db: str,
) -> None:
    opened_on_plan(db)
    ok(db, *record_args("C1", "ChildVisited", "2025-02-03", SW, VISIT), "--key", "v1")
    before = fingerprint(db, "C1")
    reused = cpw(
        db, *record_args("C1", "ChildVisited", "2025-02-05", SW, {"seen": False}), "--key", "v1"
    )
    assert reused.exit_code == 3
    assert reused.stderr == (
        "error: case C1: key 'v1' is already recorded as seq 4 with a different occurred_on"
        " and data; nothing was written (use a new key)\n"
    )
    assert fingerprint(db, "C1") == before


def test_expect_version_records_when_it_matches_and_exits_3_when_it_does_not(db: str) -> None:
    opened_on_plan(db)
    visit = record_args("C1", "ChildVisited", "2025-02-03", SW, VISIT)
    assert json_of(db, *visit, "--expect-version", "3")["version"] == 4
    before = fingerprint(db, "C1")
    stale = cpw(db, *visit, "--expect-version", "3")
    assert stale.exit_code == 3
    assert stale.stderr == "error: case C1: expected version 3, but it is at 4\n"
    assert fingerprint(db, "C1") == before


def test_a_refusal_exits_1_with_one_line_per_rule_naming_its_source(db: str) -> None:
    opened_on_plan(db)
    ok(
        db,
        *record_args(
            "C1", "ReviewConferenceConvened", "2025-03-01", CHAIR, {"conference_date": "2025-04-15"}
        ),
    )
    before = fingerprint(db, "C1")
    data = {
        "chair": CHAIR,
        "decision": "end_plan",
        "category_judgements": {"neglect": "continuing_risk"},
        "social_worker_recommendation": "end_plan",
    }
    result = cpw(db, *record_args("C1", "ReviewConferenceHeld", "2025-04-15", CHAIR, data))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    rules = [m.group(1) for m in map(REFUSAL.match, lines) if m]
    assert len(rules) == len(lines), lines
    assert set(rules) == {
        "G-SUPPORT",
        "G-EACH-CATEGORY",
        "G-FIRST-REVIEW",
        "G-MANAGER",
        "G-INFORMED",
    }
    assert result.stdout == ""
    assert fingerprint(db, "C1") == before


def test_a_second_case_opened_is_refused_and_an_unknown_case_exits_5(db: str) -> None:
    opened_on_plan(db)
    again = cpw(db, *record_args("C1", "CaseOpened", "2025-02-01", SW, {"child": {"ref": "x"}}))
    assert again.exit_code == 1
    assert again.stderr.startswith("refused: G-STAGE: case C1 already exists")
    missing = cpw(db, *record_args("C9", "ChildVisited", "2025-02-03", SW, VISIT))
    assert missing.exit_code == 5
    assert missing.stderr == "error: case C9 not found (a case starts with CaseOpened)\n"


def test_bad_input_exits_2_naming_the_field(db: str) -> None:
    opened_on_plan(db)
    result = cpw(db, *record_args("C1", "ChildVisited", "2025-02-03", SW, {"seen": "yes"}))
    assert result.exit_code == 2
    assert result.stderr == "error: data.seen: expected true or false, got 'yes'\n"


def test_import_reads_a_file_or_stdin_and_counts_what_it_wrote(db: str) -> None:
    # C1001 and C1002 still meet today's rules; C1003 and C1004 close without saying every
    # professional was informed (revision 2's G-INFORMED), so they are restored, not imported
    first = ok(db, "import", str(SAMPLES / "C1001.jsonl"))
    assert first.stdout == "imported 52 events for 1 cases\n"
    rest = (SAMPLES / "C1002.jsonl").read_bytes()
    assert json_of(db, "import", "-", input=rest) == {"events": 8, "cases": 1, "duplicates": 0}
    assert EventStore(db).count() == 60


def test_cpw_db_in_the_environment_selects_the_store(db: str, tmp_path: Path) -> None:
    ok(None, "import", str(SAMPLES / "C1002.jsonl"), env={"CPW_DB": db})
    assert EventStore(db).case_ids() == ["C1002"]
    assert json_of(None, "show", "C1002", env={"CPW_DB": db})["version"] == 8


# -- the read commands ----------------------------------------------------------------------


def test_show_json_has_the_product_shape(samples_db: str) -> None:
    view = json_of(samples_db, "show", "C1002")
    assert view.keys() >= SHOW_KEYS
    assert (view["stage"], view["version"], view["policy"]) == ("cin", 8, "sefton")
    assert view["people"]["cp_chair"] == {"id": "iro-7", "role": "cp_chair"}
    for row in view["obligations"]:
        assert row.keys() >= OBLIGATION_KEYS
        assert row["status"] in ("open", "overdue", "met", "met_late")
    first = view["obligations"][0]
    assert (first["rule"], first["due"], first["status"]) == ("T-CIN-PLAN", "2025-10-06", "overdue")
    text = ok(samples_db, "show", "C1002").stdout
    assert text.startswith("Case C1002: stage cin since 2025-10-06 (version 8, policy sefton")


def test_show_as_of_known_at_and_at_seq_give_the_case_as_it_stood(samples_db: str) -> None:
    at_seq = json_of(samples_db, "show", "C1001", "--at-seq", "5")
    assert (at_seq["stage"], at_seq["version"], at_seq["as_of"]) == ("cp_plan", 5, "2025-01-28")
    assert at_seq["categories"] == ["neglect", "emotional"]
    as_of = json_of(samples_db, "show", "C1001", "--as-of", "2025-01-07")
    assert (as_of["stage"], as_of["version"]) == ("referral", 2)
    assert [(o["rule"], o["status"]) for o in as_of["obligations"]] == [("T-ASSESSMENT", "open")]
    recorded = json_of(samples_db, "history", "C1004")[0]["recorded_at"]
    known = json_of(samples_db, "show", "C1004", "--known-at", recorded)
    assert known["version"] == 1  # restored: each event keeps the moment it was recorded
    before = cpw(samples_db, "show", "C1004", "--known-at", "2000-01-01T00:00:00Z")
    assert (before.exit_code, before.stderr) == (5, "error: case C1004 had no events by then\n")


def test_history_json_marks_retractions_and_waivers(samples_db: str) -> None:
    rows = json_of(samples_db, "history", "C1003")
    assert [r["seq"] for r in rows] == list(range(1, 19))
    for row in rows:
        assert row.keys() >= HISTORY_KEYS
    assert [r["seq"] for r in rows if r["retracted"]] == [8]
    assert [(r["seq"], r["waived_rules"]) for r in rows if r["waived_rules"]] == [
        (16, ["G-MANAGER"])
    ]
    assert (rows[0]["type"], rows[0]["stage_after"], rows[0]["actor"]) == (
        "CaseOpened",
        "referral",
        {"id": "sw-104", "role": "social_worker"},
    )
    assert len(json_of(samples_db, "history", "C1003", "--at-seq", "4")) == 4
    assert len(json_of(samples_db, "history", "C1003", "--as-of", "2025-03-10")) == 4
    assert "[retracted]" in ok(samples_db, "history", "C1003").stdout


def test_due_lists_open_obligations_filtered_by_overdue_case_and_role(samples_db: str) -> None:
    rows = json_of(samples_db, "due")
    assert all(row.keys() >= DUE_KEYS for row in rows)
    assert [(r["case_id"], r["rule"], r["due"], r["status"]) for r in rows] == [
        ("C1002", "T-CIN-PLAN", "2025-10-06", "overdue"),
        ("C1002", "T-CIN-COPIES", "2025-10-13", "overdue"),
        ("C1002", "T-ASSESSMENT", "2025-10-21", "overdue"),
        ("C1002", "T-CIN-REVIEW", "2025-11-03", "overdue"),
        ("C1002", "T-CIN-VISIT", "2025-11-17", "overdue"),
    ]
    assert json_of(samples_db, "due", "--role", "cp_chair") == []
    assert len(json_of(samples_db, "due", "--case", "C1002", "--role", "social_worker")) == 5
    early = json_of(samples_db, "due", "--as-of", "2025-10-08", "--case", "C1002")
    assert [r["status"] for r in early] == ["overdue", "open", "open", "open", "open"]
    assert len(json_of(samples_db, "due", "--as-of", "2025-10-08", "--overdue")) == 1
    assert ok(samples_db, "due", "--case", "C1001").stdout == "Nothing due.\n"


@pytest.mark.parametrize(
    ("case_id", "reason"),
    [
        ("C1002 ", "must not start or end with a space"),
        ("", "must not be empty"),
        ("C\x011002", "must be printable: character 2 is a control character (U+0001)"),
    ],
)
def test_due_refuses_a_case_id_that_breaks_the_id_rule_as_show_does(
    samples_db: str, case_id: str, reason: str
) -> None:
    due = cpw(samples_db, "due", "--case", case_id, "--json")
    assert (due.exit_code, due.stdout, due.stderr) == (2, "", f"error: --case: {reason}\n")
    show = cpw(samples_db, "show", case_id, "--json")
    assert (show.exit_code, show.stderr) == (2, f"error: CASE_ID: {reason}\n")


def test_due_csv_has_a_header_and_the_same_rows_as_json(samples_db: str) -> None:
    text = ok(samples_db, "due", "--csv").stdout
    assert text.splitlines()[0] == "case_id,rule,due,status,owner_role"
    parsed = list(csv.DictReader(io.StringIO(text)))
    expected = [{k: r[k] for k in sorted(DUE_KEYS)} for r in json_of(samples_db, "due")]
    assert [dict(sorted(row.items())) for row in parsed] == expected


def test_audit_reports_each_obligation_waivers_retractions_and_integrity(samples_db: str) -> None:
    report = json_of(samples_db, "audit", "C1003")
    assert report["integrity"] == {"ok": True, "problems": []}
    assert report["summary"] == {"lapsed": 3, "met": 10, "met_late": 1}
    late = [o for o in report["obligations"] if o["status"] == "met_late"]
    assert [(o["rule"], o["late_by_working_days"]) for o in late] == [("T-IRO-AUDIT", 12)]
    assert [(w["seq"], w["rule"], w["used_by_seq"]) for w in report["waivers"]] == [
        (15, "G-MANAGER", 16)
    ]
    assert [(r["seq"], r["retracted_seq"]) for r in report["retractions"]] == [(9, 8)]
    text = ok(samples_db, "audit", "C1003").stdout
    assert "Integrity: hash chain, sequence and replay verified" in text
    assert re.search(r"T-IRO-AUDIT +2025-06-04 +met_late +2025-06-20 +12 wd late", text)


def test_verify_passes_a_clean_store_and_exits_4_after_tampering(samples_db: str) -> None:
    assert ok(samples_db, "verify").stdout.startswith("verified:")
    assert json_of(samples_db, "verify", "C1001") == {"ok": True, "problems": []}
    tamper_with_payload(samples_db, "C1001", 2)
    broken = cpw(samples_db, "verify", "--json")
    assert broken.exit_code == 4
    problems = json.loads(broken.stdout)["problems"]
    assert [(p["case_id"], p["seq"]) for p in problems] == [("C1001", 2)]
    assert cpw(samples_db, "verify", "C1002").exit_code == 0
    text = cpw(samples_db, "verify", "C1001")
    assert text.exit_code == 4
    assert text.stdout.startswith("INTEGRITY FAILURE: case C1001 seq 2:")
    audit = cpw(samples_db, "audit", "C1001")
    assert (audit.exit_code, audit.stdout) == (4, "")
    assert audit.stderr.startswith("error: case C1001 at seq 2: ")


def test_diagram_draws_the_lifecycle_and_a_cases_path(samples_db: str, tmp_path: Path) -> None:
    mermaid = ok(samples_db, "diagram").stdout
    assert "\nstateDiagram-v2\n" in mermaid
    dot = ok(samples_db, "diagram", "--format", "dot", "--case", "C1001").stdout
    assert "digraph" in dot
    assert dot != ok(samples_db, "diagram", "--format", "dot").stdout
    target = tmp_path / "lifecycle.mmd"
    written = ok(samples_db, "diagram", "--case", "C1003", "-o", str(target))
    assert written.stderr == f"wrote {target}\n"
    assert "\nstateDiagram-v2\n" in target.read_text()


def test_export_jsonl_writes_every_event_in_seq_order(samples_db: str, tmp_path: Path) -> None:
    lines = ok(samples_db, "export", "C1003", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["stored"]["seq"] for line in lines] == list(range(1, 19))
    target = tmp_path / "all.jsonl"
    ok(samples_db, "export", "--format", "jsonl", "-o", str(target))
    assert len(target.read_text().splitlines()) == 80


def test_rules_events_and_policies_describe_the_engine() -> None:
    rules = json_of(None, "rules", "--policy", "sefton")
    assert rules["policy"] == "sefton"
    guards = {g["id"]: g for g in rules["guards"]}
    assert guards["G-CHRONOLOGY"]["source"] == "engine"
    assert {"T-CP-VISIT", "T-FIRST-CIN"} <= {t["id"] for t in rules["timescales"]}
    assert "G-CONTINGENCY" in ok(None, "rules").stdout
    events = {e["type"]: e for e in json_of(None, "events")["events"]}
    assert {"ChildVisited", "RuleWaived", "EntryRetracted", "CaseReopened"} <= events.keys()
    assert [f["name"] for f in events["RuleWaived"]["fields"]] == [
        "rule",
        "reason",
        "authorised_by",
    ]
    assert events["CaseOpened"]["stages"] == ["(new case)"]
    assert "ChildVisited" in ok(None, "events").stdout
    assert {p["id"] for p in json_of(None, "policies")} == {"default", "lancashire", "sefton"}


@pytest.mark.parametrize(
    "args",
    [
        ["show", "C1001"],
        ["history", "C1001"],
        ["due"],
        ["audit", "C1001"],
        ["verify"],
        ["rules"],
        ["events"],
        ["policies"],
    ],
    ids=lambda args: args[0],
)
def test_every_read_command_prints_one_json_document(samples_db: str, args: list[str]) -> None:
    result = ok(samples_db, *args, "--json")
    assert result.stdout.strip()
    json.loads(result.stdout)  # one document, nothing around it
    assert result.stderr == ""


def test_usage_errors_exit_2_on_one_line(samples_db: str) -> None:
    result = cpw(samples_db, "show", "C1001", "--at-seq", "0")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: Invalid value for '--at-seq': 0 is out of range (1 to 2147483647)"
        " (see 'cpw show --help')\n"
    )
    assert cpw(samples_db, "nosuchcommand").stderr.count("\n") == 1
    assert TM["role"] == "team_manager"
