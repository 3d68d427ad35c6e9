"""A corpus of bad input. Each gets its exit code, one line on stderr naming what is wrong
(or one `refused:` line per rule), no traceback, nothing on stdout, and the store exactly
as it was: the event count and the last hash of a case already in it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cli_harness import cpw, fingerprint

PRESENT = "C1002"  # a sample case in stage cin, under the sefton pack (version 8)
SEEN = '{"seen": true}'
TEN_MB = "x" * (10 * 1024 * 1024)
REFUSED = re.compile(r"^(line \d+: )?refused: G-[A-Z0-9-]+: \S.* \([^()]+\)$")


@dataclass(frozen=True)
class Bad:
    args: list[str]
    code: int
    says: str  # a regex the stderr must match: the field, line or rule it names
    input: bytes | str | None = None
    env: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)


def record(
    type_: str = "ChildVisited",
    data: str | None = SEEN,
    *extra: str,
    case: str = PRESENT,
    on: str = "2026-01-05",
    role: str = "social_worker",
) -> list[str]:
    args = ["record", case, type_, "--on", on, "--actor", "sw-104", "--role", role]
    return [*args, *(["--data", data] if data is not None else []), *extra]


def line(case: str, type_: str, on: str, role: str, **data: Any) -> bytes:
    envelope = {
        "case_id": case,
        "type": type_,
        "occurred_on": on,
        "actor": {"id": "u-1", "role": role},
        "data": data,
    }
    return json.dumps(envelope).encode() + b"\n"


OPEN_C3 = line("C3000", "CaseOpened", "2025-01-06", "social_worker", child={"ref": "R-3"})
S47_C3 = line("C3000", "StrategyMeetingHeld", "2025-01-07", "team_manager", outcome="s47")
VISIT_C3 = line("C3000", "AssessmentStarted", "2025-01-08", "social_worker")
CHAIR = {"id": "iro-7", "role": "cp_chair"}


def import_file(content: bytes, code: int, says: str) -> Bad:
    return Bad(["import", "{tmp}/cases.jsonl"], code, says, files={"cases.jsonl": content})


CORPUS: dict[str, Bad] = {
    # -- the JSON itself
    "data-bad-json": Bad(record(data="{bad"), 2, r"^error: --data: is not valid JSON"),
    "data-empty-string": Bad(record(data=""), 2, r"^error: --data: is not valid JSON"),
    "data-two-documents": Bad(record(data=SEEN + "\n" + SEEN), 2, r"--data: is not valid JSON"),
    "data-repeated-key": Bad(
        record(data='{"seen": true, "seen": false}'), 2, r"'seen' is repeated"
    ),
    "data-nan": Bad(record(data='{"seen": NaN}'), 2, r"--data: .*NaN"),
    "data-json-array": Bad(record(data="[1, 2]"), 2, r"^error: data: expected an object"),
    "data-json-null": Bad(record(data="null"), 2, r"^error: data: expected an object, got null"),
    "data-json-number": Bad(record(data="3"), 2, r"^error: data: expected an object, got 3"),
    "data-json-string": Bad(record(data='"seen"'), 2, r"^error: data: expected an object"),
    "data-json-true": Bad(record(data="true"), 2, r"^error: data: expected an object"),
    # -- the vocabulary
    "unknown-type": Bad(
        record("ChildVisitd"), 2, r"^error: type: unknown event type 'ChildVisitd'"
    ),
    "unknown-field": Bad(record(data='{"seen": true, "colour": 1}'), 2, r"data\.colour: unknown"),
    "unknown-nested-field": Bad(
        record(data='{"seen": true, "visitor": {"id": "a", "role": "social_worker", "x": 1}}'),
        2,
        r"^error: data\.visitor\.x: unknown field",
    ),
    "missing-field": Bad(record(data="{}"), 2, r"^error: data\.seen: required field is missing"),
    "wrong-type-string-for-bool": Bad(record(data='{"seen": "yes"}'), 2, r"^error: data\.seen: "),
    "wrong-type-number-for-bool": Bad(record(data='{"seen": 1}'), 2, r"^error: data\.seen: "),
    "wrong-type-string-for-person": Bad(
        record(data='{"seen": true, "visitor": "bob"}'), 2, r"^error: data\.visitor: expected"
    ),
    "unknown-enum-outcome": Bad(
        record("StrategyMeetingHeld", '{"outcome": "maybe"}', role="team_manager"),
        2,
        r"^error: data\.outcome: unknown outcome 'maybe'",
    ),
    "unknown-enum-category": Bad(
        record(
            "InitialConferenceHeld",
            json.dumps(
                {
                    "chair": CHAIR,
                    "decision": "plan",
                    "categories": ["boredom"],
                    "lead_social_worker": {"id": "s", "role": "social_worker"},
                }
            ),
            role="cp_chair",
        ),
        2,
        r"^error: data\.categories\[0\]: unknown category 'boredom'",
    ),
    "unknown-enum-recipient": Bad(
        record("ChildInNeedPlanCirculated", '{"recipients": ["neighbours"]}'),
        2,
        r"^error: data\.recipients\[0\]: unknown recipient",
    ),
    "unknown-role": Bad(record(role="wizard"), 2, r"^error: actor\.role: unknown role 'wizard'"),
    "unknown-nested-role": Bad(
        record(data='{"seen": true, "visitor": {"id": "a", "role": "wizard"}}'),
        2,
        r"^error: data\.visitor\.role: unknown role",
    ),
    "empty-person-id": Bad(
        record("StaffAssigned", '{"person": {"id": "", "role": "social_worker"}}'),
        2,
        r"^error: data\.person\.id: must not be empty",
    ),
    # -- dates
    "impossible-date": Bad(record(on="2025-02-30"), 2, r"^error: occurred_on: '2025-02-30' is not"),
    "not-a-date": Bad(record(on="yesterday"), 2, r"^error: occurred_on: 'yesterday'"),
    "impossible-date-in-data": Bad(
        record("ReviewConferenceConvened", '{"conference_date": "2025-02-30"}', role="cp_chair"),
        2,
        r"^error: data\.conference_date: '2025-02-30'",
    ),
    "future-date": Bad(record(on="2027-01-05"), 1, r"^refused: G-CHRONOLOGY: .*in the future"),
    "before-the-stage-began": Bad(record(on="2025-01-01"), 1, r"^refused: G-CHRONOLOGY: .*before"),
    "invalid-cpw-today": Bad(
        record(), 2, r"^error: CPW_TODAY: 'tomorrow'", env={"CPW_TODAY": "tomorrow"}
    ),
    "impossible-cpw-today": Bad(
        record(), 2, r"^error: CPW_TODAY: ", env={"CPW_TODAY": "2026-02-30"}
    ),
    # -- the case and the rules
    "unknown-case": Bad(record(case="C9999"), 5, r"^error: case C9999 not found"),
    "empty-case-id": Bad(record(case=""), 2, r"^error: case_id: must not be empty"),
    "case-id-too-long": Bad(record(case="C" * 65), 2, r"^error: case_id: must be at most 64"),
    "case-opened-twice": Bad(
        record("CaseOpened", '{"child": {"ref": "R"}}'), 1, r"^refused: G-STAGE: case C1002 already"
    ),
    "unknown-policy-pack": Bad(
        record("CaseOpened", '{"child": {"ref": "R"}, "policy": "narnia"}', case="C2000"),
        2,
        r"^error: policy: no policy pack named 'narnia'",
    ),
    "role-may-not-record-it": Bad(record(role="cp_chair"), 1, r"^refused: G-ROLE: "),
    "next-meeting-too-late": Bad(
        record(
            "ChildInNeedMeetingHeld",
            json.dumps({"chair": CHAIR, "kind": "review", "next_meeting_date": "2026-12-01"}),
            role="cp_chair",
        ),
        1,
        r"^refused: G-NEXT-MEETING: ",
    ),
    # -- the options
    "negative-expected-version": Bad(
        record("ChildVisited", SEEN, "--expect-version", "-1"),
        2,
        r"^error: expected_version: must be 0 or more",
    ),
    "conflicting-expected-version": Bad(
        record("ChildVisited", SEEN, "--expect-version", "3"),
        3,
        r"expected version 3, but it is at 8",
    ),
    "expected-version-not-a-number": Bad(
        record("ChildVisited", SEEN, "--expect-version", "two"), 2, r"'--expect-version'"
    ),
    "empty-key": Bad(
        record("ChildVisited", SEEN, "--key", ""), 2, r"^error: key: must not be empty"
    ),
    "key-too-long": Bad(
        record("ChildVisited", SEEN, "--key", "k" * 201), 2, r"key: must be at most"
    ),
    "empty-actor": Bad(
        [*record(data=None)[:5], "--actor", "", "--role", "social_worker", "--data", SEEN],
        2,
        r"^error: actor\.id: must not be empty",
    ),
    "missing-on": Bad(
        [
            "record",
            PRESENT,
            "ChildVisited",
            "--actor",
            "a",
            "--role",
            "social_worker",
            "--data",
            SEEN,
        ],
        2,
        r"Missing option '--on'",
    ),
    "both-data-and-data-file": Bad(
        record("ChildVisited", SEEN, "--data-file", "-"), 2, r"give exactly one of --data or"
    ),
    "neither-data-nor-data-file": Bad(record(data=None), 2, r"give exactly one of --data or"),
    "missing-data-file": Bad(
        record("ChildVisited", None, "--data-file", "{tmp}/none.json"),
        2,
        r"--data-file: cannot read",
    ),
    "data-file-is-a-folder": Bad(
        record("ChildVisited", None, "--data-file", "{tmp}"), 2, r"--data-file: .*Is a directory"
    ),
    "binary-garbage-on-stdin-for-data": Bad(
        record("ChildVisited", None, "--data-file", "-"),
        2,
        r"^error: --data-file: is not valid",
        input=b"\xff\xfe\x00\x01garbage\x9c",
    ),
    "ten-mb-data": Bad(record(data='{"seen": "' + TEN_MB + '"}'), 2, r"^error: --data: is larger"),
    "ten-mb-data-on-stdin": Bad(
        record("ChildVisited", None, "--data-file", "-"),
        2,
        r"--data-file: is larger",
        input=TEN_MB.encode(),
    ),
    "as-of-garbage": Bad(["show", PRESENT, "--as-of", "soon"], 2, r"^error: --as-of: 'soon'"),
    "as-of-impossible": Bad(["history", PRESENT, "--as-of", "2025-02-30"], 2, r"--as-of: "),
    "known-at-garbage": Bad(["show", PRESENT, "--known-at", "noonish"], 2, r"^error: --known-at: "),
    "at-seq-zero": Bad(["show", PRESENT, "--at-seq", "0"], 2, r"'--at-seq': 0 is not in the range"),
    "at-seq-not-a-number": Bad(["history", PRESENT, "--at-seq", "x"], 2, r"'--at-seq'"),
    "two-points-in-time": Bad(
        ["show", PRESENT, "--at-seq", "2", "--as-of", "2025-10-01"], 2, r"at most one of --as-of"
    ),
    "due-as-of-garbage": Bad(["due", "--as-of", "2025-13-01"], 2, r"^error: --as-of: '2025-13-01'"),
    "show-unknown-case": Bad(["show", "C9999"], 5, r"^error: case C9999 not found$"),
    "history-unknown-case": Bad(["history", "C9999"], 5, r"^error: case C9999 not found$"),
    "audit-unknown-case": Bad(["audit", "C9999"], 5, r"^error: case C9999 not found$"),
    "verify-unknown-case": Bad(["verify", "C9999"], 5, r"^error: case C9999 not found$"),
    "diagram-unknown-case": Bad(
        ["diagram", "--case", "C9999"], 5, r"^error: case C9999 not found$"
    ),
    "export-unknown-case": Bad(["export", "C9999", "--format", "jsonl"], 5, r"C9999 not found$"),
    "export-unknown-format": Bad(["export", "--format", "xml"], 2, r"'--format': 'xml' is not one"),
    "diagram-unknown-format": Bad(["diagram", "--format", "gif"], 2, r"'--format': 'gif' is not"),
    "rules-unknown-policy": Bad(
        ["rules", "--policy", "narnia"], 2, r"no policy pack named 'narnia'"
    ),
    "unknown-command": Bad(["frobnicate"], 2, r"No such command 'frobnicate'"),
    "unknown-option": Bad(["show", PRESENT, "--colour"], 2, r"No such option '--colour'"),
    "unknown-log-level": Bad(["--log-level", "loud", "due"], 2, r"'--log-level': 'loud'"),
    # -- import
    "import-binary-garbage-on-stdin": Bad(
        ["import", "-"], 2, r"^error: line 1: ", input=b"\x00\xff\xfegarbage\x9c\n"
    ),
    "import-ten-mb-line": Bad(
        ["import", "-"],
        2,
        r"^error: line 2: the line is longer than 1 MiB",
        input=OPEN_C3 + TEN_MB.encode() + b"\n",
    ),
    "import-empty-file": import_file(b"", 2, r"^error: FILE: the file has no envelopes"),
    "import-blank-lines-only": import_file(b"\n \n\n", 2, r"the file has no envelopes"),
    "import-missing-file": Bad(["import", "{tmp}/none.jsonl"], 2, r"^error: FILE: cannot read"),
    "import-bad-json-in-the-middle": import_file(
        OPEN_C3 + S47_C3 + b"{not json\n" + VISIT_C3, 2, r"^error: line 3: "
    ),
    "import-json-array-line": import_file(
        OPEN_C3 + b"[1, 2]\n", 2, r"^error: line 2: expected one"
    ),
    "import-unknown-field-in-the-middle": import_file(
        OPEN_C3 + line("C3000", "AssessmentStarted", "2025-01-08", "social_worker", colour=1),
        2,
        r"^error: line 2: data\.colour: unknown field",
    ),
    "import-repeated-key": import_file(
        OPEN_C3.replace(b'"case_id": "C3000"', b'"case_id": "C3000", "case_id": "C3001"'),
        2,
        r"^error: line 1: the key 'case_id' is repeated",
    ),
    "import-missing-case-id": import_file(
        b'{"type": "CaseOpened"}\n', 2, r"^error: line 1: case_id"
    ),
    "import-refusal-in-the-middle": import_file(
        OPEN_C3
        + line("C3000", "StrategyMeetingHeld", "2027-01-07", "team_manager", outcome="s47")
        + VISIT_C3,
        1,
        r"^line 2: refused: G-CHRONOLOGY: ",
    ),
    "import-unknown-case-in-the-middle": import_file(
        OPEN_C3 + line("C3001", "ChildVisited", "2025-01-07", "social_worker", seen=True) + S47_C3,
        5,
        r"^error: line 2: case C3001 not found",
    ),
    "import-a-case-already-opened": import_file(
        line(PRESENT, "CaseOpened", "2025-09-01", "social_worker", child={"ref": "R"}),
        1,
        r"^line 1: refused: G-STAGE: case C1002 already exists",
    ),
}


def test_the_corpus_has_at_least_fifty_bad_inputs() -> None:
    assert len(CORPUS) >= 50


@pytest.mark.parametrize("bad", CORPUS.values(), ids=CORPUS.keys())
def test_bad_input_is_refused_in_one_line_and_writes_nothing(
    samples_db: str, tmp_path: Path, bad: Bad
) -> None:
    for name, content in bad.files.items():
        (tmp_path / name).write_bytes(content)
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in bad.args]
    before = fingerprint(samples_db, PRESENT)

    result = cpw(samples_db, *args, input=bad.input, env=bad.env)

    assert "Traceback" not in result.stdout + result.stderr
    assert (result.exit_code, result.stdout) == (bad.code, ""), result.stderr
    lines = result.stderr.splitlines()
    assert lines and result.stderr.endswith("\n")
    if bad.code == 1:
        assert all(REFUSED.match(text) for text in lines), lines
    else:
        assert len(lines) == 1, lines
    assert re.search(bad.says, lines[0]), lines[0]
    assert len(lines[0]) < 400
    assert fingerprint(samples_db, PRESENT) == before
