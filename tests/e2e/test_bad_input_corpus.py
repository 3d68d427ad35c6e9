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
import sqlalchemy as sa
from cli_harness import cpw

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
    "unknown-role": Bad(
        record(role="wizard"), 2, r"^error: (actor\.role|--role): unknown role 'wizard'"
    ),
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
    "impossible-date": Bad(record(on="2025-02-30"), 2, r"^error: --on: '2025-02-30' is not"),
    "not-a-date": Bad(record(on="yesterday"), 2, r"^error: --on: 'yesterday'"),
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
        r"^error: (actor\.id|--actor): must not be empty",
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
        record("ChildVisited", SEEN, "--data-file", "-"), 2, r"give (exactly )?one of --data or"
    ),
    "neither-data-nor-data-file": Bad(
        record(data=None), 2, r"^error: --data: (give exactly one of --data or|ChildVisited needs)"
    ),
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
        r"^error: --data-file: is not UTF-8 text \(byte 0\)",
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
    "at-seq-zero": Bad(["show", PRESENT, "--at-seq", "0"], 2, r"'--at-seq': 0 is out of range"),
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


DEEP = 100_000
DEEP_ARRAY = "[" * DEEP + "]" * DEEP
DEEP_OBJECT = '{"a":' * 60_000 + "1" + "}" * 60_000
ZERO_WIDTH, BIDI_OVERRIDE, ESCAPE = "\u200b", "\u202e", "\x1b[31m"
NOT_UTF8 = "\udcff"  # how Python hands on a byte that is not UTF-8 in argv


def actor(actor_id: str) -> list[str]:
    args = ["record", PRESENT, "ChildVisited", "--on", "2026-01-05", "--actor", actor_id]
    return [*args, "--role", "social_worker", "--data", SEEN]


def staff(person_id: str) -> list[str]:
    return record(
        "StaffAssigned", json.dumps({"person": {"id": person_id, "role": "social_worker"}})
    )


def opening(case_id: str) -> list[str]:
    return record("CaseOpened", '{"child": {"ref": "R-9"}}', case=case_id, on="2026-01-05")


def keyed(key: str) -> list[str]:
    return record("ChildVisited", SEEN, "--key", key)


BAD_IDS = {
    "blank": (" ", r"must not be blank"),
    "nul": ("sw\x00104", r"character 3 is a control character \(U\+0000\)"),
    "newline": ("sw\n104", r"control character \(U\+000A\)"),
    "tab": ("sw\t104", r"control character \(U\+0009\)"),
    "terminal-escape": (f"sw{ESCAPE}104", r"control character \(U\+001B\)"),
    "delete-char": ("sw\x7f", r"control character \(U\+007F\)"),
    "c1-control": ("sw\x85", r"control character \(U\+0085\)"),
    "ten-thousand-characters": ("s" * 10_000, r"must be at most 64 characters \(it has 10000\)"),
    "zero-width-space": (f"sw{ZERO_WIDTH}104", r"invisible character \(U\+200B\)"),
    "zero-width-joiner": ("sw\u200d104", r"invisible character \(U\+200D\)"),
    "bidi-override": (f"{BIDI_OVERRIDE}401-ws", r"invisible character \(U\+202E\)"),
    "bidi-isolate": ("sw\u2066104", r"invisible character \(U\+2066\)"),
    "byte-order-mark": ("\ufeffsw104", r"invisible character \(U\+FEFF\)"),
    "line-separator": ("sw\u2028104", r"line separator"),
    "private-use": ("sw\ue000", r"private-use character"),
    "trailing-space": ("sw-104 ", r"must not start or end with a space"),
    "leading-space": (" sw-104", r"must not start or end with a space"),
    "not-nfc": ("jose\u0301", r"must be in Unicode NFC"),
}
for name, (bad_id, why) in BAD_IDS.items():
    CORPUS[f"actor-id-{name}"] = Bad(actor(bad_id), 2, rf"^error: --actor: .*{why}")
    CORPUS[f"case-id-{name}"] = Bad(opening(bad_id), 2, rf"^error: case_id: .*{why}")
for name in ("nul", "newline", "terminal-escape", "zero-width-space", "bidi-override"):
    bad_id, why = BAD_IDS[name]
    CORPUS[f"person-id-{name}"] = Bad(staff(bad_id), 2, rf"^error: data\.person\.id: .*{why}")
    CORPUS[f"key-{name}"] = Bad(keyed(bad_id), 2, rf"^error: key: .*{why}")
    CORPUS[f"import-case-id-{name}"] = import_file(
        line(bad_id, "CaseOpened", "2025-01-06", "social_worker", child={"ref": "R-3"}),
        2,
        rf"^error: line 1: case_id: .*{why}",
    )
CORPUS.update(
    {
        "key-trailing-space": Bad(keyed("rcpc-1 "), 2, r"^error: key: must not start or end"),
        "person-id-blank": Bad(staff("   "), 2, r"^error: data\.person\.id: must not be blank"),
        "visitor-id-too-long": Bad(
            record(data=json.dumps({"seen": True, "visitor": {"id": "v" * 65, "role": "aswp"}})),
            2,
            r"^error: data\.visitor\.id: must be at most 64",
        ),
        # -- JSON nested far too deep, by every way in
        "data-nested-100000-deep": Bad(record(data=DEEP_ARRAY), 2, r"^error: --data: .*too deep"),
        "data-objects-nested-60000-deep": Bad(
            record(data=DEEP_OBJECT), 2, r"^error: --data: .*too deep"
        ),
        "data-file-nested-100000-deep": Bad(
            record("ChildVisited", None, "--data-file", "{tmp}/deep.json"),
            2,
            r"^error: --data-file: .*too deep",
            files={"deep.json": DEEP_ARRAY.encode()},
        ),
        "stdin-nested-100000-deep": Bad(
            record("ChildVisited", None, "--data-file", "-"),
            2,
            r"^error: --data-file: .*too deep",
            input=DEEP_ARRAY,
        ),
        "import-line-nested-100000-deep": import_file(
            OPEN_C3 + ('{"case_id": ' + DEEP_ARRAY + "}\n").encode(),
            2,
            r"^error: line 2: .*too deep",
        ),
        "import-data-nested-60000-deep-on-stdin": Bad(
            ["import", "-"],
            2,
            r"^error: line 1: .*too deep",
            input='{"case_id": "C3000", "data": ' + DEEP_OBJECT + "}\n",
        ),
        # -- text that is not UTF-8, on the command line and in files
        "case-id-not-utf8": Bad(
            opening(f"C{NOT_UTF8}"), 2, r"^error: argument \d+: is not valid UTF-8 text$"
        ),
        "actor-not-utf8": Bad(actor(f"sw{NOT_UTF8}"), 2, r"^error: --actor: is not valid UTF-8"),
        "data-not-utf8": Bad(
            record(data=f'{{"seen": true, "x": "{NOT_UTF8}"}}'), 2, r"^error: --data: is not valid"
        ),
        "key-not-utf8": Bad(keyed(f"k{NOT_UTF8}"), 2, r"^error: --key: is not valid UTF-8"),
        "show-case-not-utf8": Bad(
            ["show", f"C{NOT_UTF8}"], 2, r"^error: argument \d+: is not valid UTF-8 text$"
        ),
        "data-file-utf16": Bad(
            record("ChildVisited", None, "--data-file", "{tmp}/u16.json"),
            2,
            r"^error: --data-file: is not UTF-8 text",
            files={"u16.json": SEEN.encode("utf-16")},
        ),
        "data-file-utf32": Bad(
            record("ChildVisited", None, "--data-file", "{tmp}/u32.json"),
            2,
            r"^error: --data-file: is not UTF-8 text",
            files={"u32.json": SEEN.encode("utf-32")},
        ),
        "data-file-latin1": Bad(
            record("ChildVisited", None, "--data-file", "{tmp}/l1.json"),
            2,
            r"^error: --data-file: is not UTF-8 text",
            files={"l1.json": '{"seen": true, "note": "café"}'.encode("latin-1")},
        ),
        "utf16-on-stdin": Bad(
            record("ChildVisited", None, "--data-file", "-"),
            2,
            r"^error: --data-file: is not valid JSON",
            input=SEEN.encode("utf-16-le"),
        ),
        "import-utf16-file": import_file(OPEN_C3.decode().encode("utf-16"), 2, r"^error: line 1: "),
        "import-latin1-line": import_file(
            OPEN_C3 + 'X{"case_id": "Cé"}\n'.encode("latin-1"), 2, r"^error: line 2: .*UTF-8"
        ),
        # -- dates and times: the contract is YYYY-MM-DD, within years 1 to 9999
        "known-at-past-year-9999-in-utc": Bad(
            ["show", PRESENT, "--known-at", "9999-12-31T23:59:59-01:00"],
            2,
            r"^error: --known-at: .*between years 1 and 9999",
        ),
        "known-at-before-year-1-in-utc": Bad(
            ["history", PRESENT, "--known-at", "0001-01-01T00:00:00+01:00"],
            2,
            r"^error: --known-at: .*between years 1 and 9999",
        ),
        "known-at-year-10000": Bad(
            ["show", PRESENT, "--known-at", "10000-01-01T00:00:00Z"], 2, r"^error: --known-at: "
        ),
        "known-at-year-0": Bad(
            ["show", PRESENT, "--known-at", "0000-06-01T00:00:00Z"], 2, r"^error: --known-at: "
        ),
        "known-at-basic-format": Bad(
            ["show", PRESENT, "--known-at", "20250304T120000Z"], 2, r"^error: --known-at: "
        ),
        "known-at-week-date": Bad(
            ["show", PRESENT, "--known-at", "2025-W10-2T12:00Z"], 2, r"^error: --known-at: "
        ),
        "known-at-non-ascii-digits": Bad(
            ["show", PRESENT, "--known-at", "٢٠٢٥-03-04T12:00Z"], 2, r"^error: --known-at: "
        ),
        "as-of-basic-format": Bad(
            ["show", PRESENT, "--as-of", "20250205"], 2, r"^error: --as-of: '20250205' is not"
        ),
        "as-of-week-date": Bad(
            ["show", PRESENT, "--as-of", "2025-W06-3"], 2, r"^error: --as-of: '2025-W06-3'"
        ),
        "as-of-ordinal-date": Bad(
            ["history", PRESENT, "--as-of", "2025-036"], 2, r"^error: --as-of: '2025-036'"
        ),
        "as-of-with-a-time": Bad(
            ["show", PRESENT, "--as-of", "2025-02-05T10:00"], 2, r"^error: --as-of: "
        ),
        "as-of-year-10000": Bad(["show", PRESENT, "--as-of", "10000-01-01"], 2, r"--as-of: "),
        "due-as-of-week-date": Bad(["due", "--as-of", "2026-W01-1"], 2, r"^error: --as-of: "),
        "cpw-today-basic-format": Bad(
            record(), 2, r"^error: CPW_TODAY: '20260630'", env={"CPW_TODAY": "20260630"}
        ),
        "occurred-on-basic-format": Bad(record(on="20260105"), 2, r"^error: --on: "),
        "occurred-on-week-date": Bad(record(on="2026-W02-1"), 2, r"^error: --on: "),
        # -- numbers: ASCII digits, within the store's range
        "at-seq-beyond-64-bits": Bad(
            ["show", PRESENT, "--at-seq", str(2**64)], 2, r"'--at-seq': 18446744073709551616 is out"
        ),
        "at-seq-beyond-63-bits": Bad(["history", PRESENT, "--at-seq", str(2**63)], 2, r"--at-seq"),
        "at-seq-thirty-digits": Bad(["show", PRESENT, "--at-seq", "9" * 30], 2, r"'--at-seq': "),
        "at-seq-negative": Bad(["show", PRESENT, "--at-seq", "-1"], 2, r"'--at-seq': -1 is out"),
        "at-seq-arabic-indic-digit": Bad(["show", PRESENT, "--at-seq", "٣"], 2, r"'--at-seq': "),
        "expect-version-arabic-indic-digit": Bad(
            record("ChildVisited", SEEN, "--expect-version", "٣"),
            2,
            r"'--expect-version': '٣' is not a whole number",
        ),
        "expect-version-fullwidth-digit": Bad(
            record("ChildVisited", SEEN, "--expect-version", "\uff18"), 2, r"'--expect-version'"
        ),
        "expect-version-decimal": Bad(
            record("ChildVisited", SEEN, "--expect-version", "8.0"), 2, r"'--expect-version'"
        ),
        "expect-version-exponent": Bad(
            record("ChildVisited", SEEN, "--expect-version", "8e0"), 2, r"'--expect-version'"
        ),
        "expect-version-beyond-64-bits": Bad(
            record("ChildVisited", SEEN, "--expect-version", str(2**64)),
            2,
            r"'--expect-version': .* is out of range",
        ),
        "export-year-10000": Bad(
            ["export", "--format", "cin-census", "--year", "10000"], 2, r"--year: 10000 is not"
        ),
        "export-year-negative": Bad(
            ["export", "--format", "cin-census", "--year", "-5"], 2, r"--year: -5 is not"
        ),
        "export-year-zero": Bad(
            ["export", "--format", "cin-census", "--year", "0"], 2, r"--year: 0 is not"
        ),
        "export-year-huge": Bad(
            ["export", "--format", "cin-census", "--year", "9" * 25], 2, r"--year: "
        ),
        # -- options that name what does not exist
        "due-unknown-role": Bad(["due", "--role", "sw"], 2, r"'--role': 'sw' is not one of"),
        "due-empty-role": Bad(["due", "--role", ""], 2, r"'--role': '' is not one of"),
        "export-into-a-missing-folder": Bad(
            ["export", "--format", "jsonl", "-o", "{tmp}/missing/all.jsonl"],
            2,
            r"^error: -o: cannot use '.*/missing/all\.jsonl': No such file or directory$",
        ),
        "export-with-the-long-option-into-a-missing-folder": Bad(
            ["export", "C1002", "--format", "jsonl", "--output", "{tmp}/no/c.jsonl"],
            2,
            r"^error: --output: cannot use .*No such file",
        ),
        "diagram-into-a-missing-folder": Bad(
            ["diagram", "-o", "{tmp}/missing/lifecycle.mmd"], 2, r"^error: -o: cannot use .*No such"
        ),
        "diagram-dot-into-a-missing-folder": Bad(
            ["diagram", "--format", "dot", "--case", PRESENT, "-o", "{tmp}/x/y/z.dot"],
            2,
            r"^error: -o: cannot use ",
        ),
        "export-onto-a-folder": Bad(
            ["export", "--format", "jsonl", "-o", "{tmp}"], 2, r"'-o'|^error: -o: "
        ),
        "in-memory-url": Bad(
            ["--db", "sqlite://", "show", PRESENT], 2, r"^error: url: is an in-mem"
        ),
        "in-memory-url-for-record": Bad(
            ["--db", "sqlite:///:memory:", *record()], 2, r"^error: url: is an in-memory"
        ),
        "in-memory-url-in-the-environment": Bad(
            ["--db", "sqlite:///file:x?mode=memory&uri=true", "due"], 2, r"^error: url: is an in"
        ),
        # -- a new event's own dates out of order
        "birth-date-in-the-future": Bad(
            record(
                "CaseOpened", '{"child": {"ref": "R", "birth_date": "2027-01-01"}}', case="C2000"
            ),
            2,
            r"^error: data\.child\.birth_date: 2027-01-01 is after the event's own date",
        ),
        "birth-date-after-the-case-opened": Bad(
            record(
                "CaseOpened", '{"child": {"ref": "R", "birth_date": "2026-01-06"}}', case="C2000"
            ),
            2,
            r"^error: data\.child\.birth_date: 2026-01-06 is after the event's own date",
        ),
        "referral-after-the-case-opened": Bad(
            record(
                "CaseOpened",
                json.dumps(
                    {
                        "child": {"ref": "R"},
                        "referral": {"date": "2026-01-09", "source": "2A", "primary_need": "N1"},
                    }
                ),
                case="C2000",
            ),
            2,
            r"^error: data\.referral\.date: 2026-01-09 is after the event's own date",
        ),
        "import-birth-date-after-the-case-opened": import_file(
            line(
                "C3000",
                "CaseOpened",
                "2025-01-06",
                "social_worker",
                child={"ref": "R", "birth_date": "2025-02-01"},
            ),
            2,
            r"^error: line 1: data\.child\.birth_date: 2025-02-01 is after",
        ),
        # -- import lines: the export's `stored` is an object, or absent
        "import-stored-is-a-number": import_file(
            OPEN_C3[:-2] + b', "stored": 5}\n', 2, r"^error: line 1: stored: must be an object"
        ),
        "import-stored-is-a-string": import_file(
            OPEN_C3[:-2] + b', "stored": "seq 1"}\n', 2, r"^error: line 1: stored: must be an obj"
        ),
        "import-stored-is-a-list": import_file(
            OPEN_C3[:-2] + b', "stored": [1]}\n', 2, r"^error: line 1: stored: must be an object"
        ),
        "import-stored-is-null": import_file(
            OPEN_C3[:-2] + b', "stored": null}\n', 2, r"^error: line 1: stored: must be an object"
        ),
    }
)


def test_the_corpus_has_at_least_150_bad_inputs() -> None:
    assert len(CORPUS) >= 150


def store_snapshot(url: str) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table of the store, sorted: the events (each with its hash) and
    whatever read models sit beside them."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            tables = sorted(sa.inspect(connection).get_table_names())
            return {
                name: sorted(
                    tuple(str(v) for v in row)
                    for row in connection.execute(sa.text(f'SELECT * FROM "{name}"'))
                )
                for name in tables
                if not name.startswith("sqlite_")
            }
    finally:
        engine.dispose()


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres, id="postgres")]
)
def corpus_db(request: pytest.FixtureRequest) -> str:
    """The first build's store (the samples and C1005) on SQLite, a copy for each input,
    and on PostgreSQL, restored once for the session: every input must leave it as it was,
    and the test checks that it does."""
    name = "old_db" if request.param == "sqlite" else "pg_old_db"
    return str(request.getfixturevalue(name))


@pytest.mark.parametrize("bad", CORPUS.values(), ids=CORPUS.keys())
def test_bad_input_is_refused_in_one_line_and_writes_nothing(
    corpus_db: str, tmp_path: Path, bad: Bad
) -> None:
    for name, content in bad.files.items():
        (tmp_path / name).write_bytes(content)
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in bad.args]
    before = store_snapshot(corpus_db)
    assert len(before["events"]) == 90

    result = cpw(corpus_db, *args, input=bad.input, env=bad.env)

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
    assert store_snapshot(corpus_db) == before
