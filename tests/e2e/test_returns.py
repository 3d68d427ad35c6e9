"""The statutory returns through the command line: `cpw export --format cin-census` (the LA
code, the collection year, the children who cannot be returned, --strict) and
`--format annex-a` (the workbook, a list as CSV, tracing), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from cli_harness import ROOT, cpw, ok

from casebook_annex_a import AS_AT, EXPECTED, HEADERS, SHEETS, book
from cpworkflow.records import StoredEvent

CPW = ROOT / ".venv" / "bin" / "cpw"


def _envelopes(logs: list[list[StoredEvent]]) -> str:
    """The decided logs as the envelopes a case system would send (`cpw import`)."""
    fields = ("case_id", "type", "actor", "data")
    return "".join(
        json.dumps({**{f: getattr(e, f) for f in fields}, "occurred_on": str(e.occurred_on)}) + "\n"
        for log in logs
        for e in log
    )


@pytest.fixture
def casebook_db(store_url: str) -> str:
    """The Annex A case book imported through `cpw import`, on each engine."""
    ok(store_url, "import", "-", input=_envelopes(book()))
    return store_url


def _unreturnable(db: str) -> None:
    """A case whose child has no birth date: the census cannot return it."""
    ok(
        db,
        *("record", "X1", "CaseOpened", "--on", "2026-01-12", "--actor", "sw-1"),
        *("--role", "social_worker", "--data", '{"child": {"ref": "X1"}}'),
    )


def _lea(document: str) -> str | None:
    return ET.fromstring(document).findtext("Header/Source/LEA")  # noqa: S314 (our output)


def test_the_la_code_comes_from_the_option_or_the_environment_or_is_warned_of(
    casebook_db: str,
) -> None:
    given = ok(
        casebook_db, "export", "--format", "cin-census", "--year", "2026", "--la-code", "318"
    )
    from_env = ok(
        casebook_db,
        "export",
        "--format",
        "cin-census",
        "--year",
        "2026",
        env={"CPW_LA_CODE": "877"},
    )
    wrong = cpw(
        casebook_db, "export", "--format", "cin-census", "--year", "2026", "--la-code", "E09"
    )

    missing = ok(casebook_db, "export", "--format", "cin-census", "--year", "2026")

    assert (_lea(given.stdout), _lea(from_env.stdout), _lea(missing.stdout)) == (
        "318",
        "877",
        "000",
    )
    assert "warning: no --la-code" not in given.stderr + from_env.stderr
    assert missing.stderr.startswith(
        "warning: no --la-code (or CPW_LA_CODE, or la_code in a --policy-file pack): the "
        "return says LEA 000\n"
    )
    assert wrong.exit_code == 2
    assert "'E09' is not a three-digit local authority code" in wrong.stderr


def test_the_la_code_can_come_from_the_authoritys_own_pack(
    casebook_db: str, tmp_path: Path
) -> None:
    pack = tmp_path / "richmond.toml"
    pack.write_text(
        'extends = "default"\nid = "richmond"\nversion = "2026.1"\ntitle = "Richmond"\n'
        'la_code = "318"\n'
    )
    bad = tmp_path / "bad.toml"
    bad.write_text(pack.read_text().replace('"318"', '"E09"').replace("richmond", "bad"))

    from_pack = ok(
        casebook_db,
        "--policy-file",
        str(pack),
        "export",
        "--format",
        "cin-census",
        "--year",
        "2026",
    )
    refused = cpw(
        casebook_db, "--policy-file", str(bad), "export", "--format", "cin-census", "--year", "2026"
    )

    assert _lea(from_pack.stdout) == "318"
    assert "warning: no --la-code" not in from_pack.stderr
    assert refused.exit_code == 2
    assert "la_code: expected the authority's three-digit LA code" in refused.stderr


def test_a_year_written_short_is_refused_naming_what_a_collection_year_is(db: str) -> None:
    ok(db, "init")

    refused = cpw(db, "export", "--format", "cin-census", "--year", "26")

    assert refused.exit_code == 2
    assert refused.stderr == (
        "error: --year: 26 is not a collection year: give the year the census ends in, in "
        "full (2000-2100; 2026 is 2025-26)\n"
    )


def test_children_who_cannot_be_returned_are_named_while_the_rest_is_written(
    casebook_db: str, tmp_path: Path
) -> None:
    _unreturnable(casebook_db)
    target, problems = tmp_path / "cin.xml", tmp_path / "left-out.json"

    result = ok(
        casebook_db,
        *("export", "--format", "cin-census", "--year", "2026", "-o", str(target)),
        *("--problems", str(problems), "--la-code", "318"),
    )

    assert result.stderr.splitlines() == [
        "warning: 2 children cannot be returned and were left out of the census (7 returned):",
        "  A6 (case A6): Disability: the census needs the child's disabilities (Disability, "
        'DfE rule 8540): record ChildDetailsRecorded with disabilities, ["NONE"] when the '
        "child has none",
        "  X1 (case X1): PersonBirthDate: the census needs the child's birth date "
        "(PersonBirthDate) or expected birth date (ExpectedPersonBirthDate)",
        f"wrote {target}",
    ]
    report = json.loads(problems.read_text())
    assert report["children"] == 7
    assert [(p["child"], p["case_id"], p["item"]) for p in report["left_out"]] == [
        ("A6", "A6", "Disability"),
        ("X1", "X1", "PersonBirthDate"),
    ]
    ids = ET.parse(target).getroot().iter("LAchildID")  # noqa: S314 (our output)
    assert [e.text for e in ids] == ["A1", "A2", "A3", "A4", "A5", "A7", "A8"]


def test_strict_exits_2_and_writes_no_return_when_a_child_is_left_out(
    casebook_db: str, tmp_path: Path
) -> None:
    _unreturnable(casebook_db)
    target = tmp_path / "cin.xml"

    refused = cpw(
        casebook_db,
        "export",
        "--format",
        "cin-census",
        "--year",
        "2026",
        "--strict",
        "-o",
        str(target),
    )

    assert refused.exit_code == 2
    assert refused.stderr.splitlines()[-1] == "error: --strict: 2 left out; no return written"
    assert not target.exists()


def test_a_census_of_only_a_case_that_cannot_be_returned_is_refused(db: str) -> None:
    _unreturnable(db)

    refused = cpw(db, "export", "X1", "--format", "cin-census", "--year", "2026")

    assert refused.exit_code == 2
    assert "no child can be returned (1 left out: the census needs the child's birth date" in (
        refused.stderr
    )


def test_annex_a_writes_ofsteds_workbook(casebook_db: str, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    target = tmp_path / "annex-a.xlsx"

    ok(
        casebook_db,
        "export",
        "--format",
        "annex-a",
        "--as-at",
        AS_AT.isoformat(),
        "-o",
        str(target),
    )

    workbook = openpyxl.load_workbook(target, read_only=True)
    assert workbook.sheetnames == SHEETS
    for number, name in zip((3, 4, 5, 6, 7), SHEETS, strict=True):
        rows = list(workbook[name].iter_rows(values_only=True))
        assert list(rows[0]) == HEADERS[number]
        assert len(rows) - 1 == len(EXPECTED[number])


def test_one_list_as_csv_with_its_trace(casebook_db: str) -> None:
    result = ok(
        casebook_db,
        *("export", "--format", "annex-a", "--as-at", AS_AT.isoformat()),
        *("--list", "7", "--csv", "--trace"),
    )

    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == [*HEADERS[7], "Case ID", "Source Event Seqs"]
    assert rows[1:] == [[*map(str, cells), *source] for cells, source in EXPECTED[7]]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "annex-a needs the inspection date: --as-at YYYY-MM-DD"),
        (("--as-at", "2026-02-30"), "'2026-02-30' is not a real date"),
        (("--as-at", "2026-03-02", "--csv"), "--csv writes one list: give --list N (3-7)"),
        (("--as-at", "2026-03-02", "--list", "8"), "'8' is not one of '3', '4', '5', '6', '7'"),
    ],
)
def test_annex_a_refuses_what_it_cannot_do(db: str, args: tuple[str, ...], message: str) -> None:
    ok(db, "init")

    refused = cpw(db, "export", "--format", "annex-a", *args)

    assert refused.exit_code == 2
    assert message in refused.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "annex-a", "--as-at", "2026-03-02", "--strict"), "--strict only apply"),
        (("--format", "cin-census", "--list", "7", "--trace"), "--list, --trace only apply"),
        (("--format", "jsonl", "--year", "2026"), "--year only apply to --format cin-census"),
    ],
)
def test_an_option_of_another_format_is_refused_not_ignored(
    db: str, args: tuple[str, ...], message: str
) -> None:
    ok(db, "init")

    refused = cpw(db, "export", *args)

    assert refused.exit_code == 2
    assert message in refused.stderr


def test_the_same_inspection_date_gives_the_same_workbook_whatever_the_day(
    tmp_path: Path,
) -> None:
    """Real `cpw` processes, a day apart by CPW_TODAY and seconds apart by the clock."""
    db = f"sqlite:///{tmp_path / 'events.db'}"
    env = {**os.environ, "CPW_TODAY": "2026-06-30"}
    env.pop("CPW_DB", None)
    subprocess.run(
        [str(CPW), "--db", db, "import", "-"],
        input=_envelopes(book()).encode(),
        env=env,
        check=True,
        capture_output=True,
    )
    files = []
    for n, today in enumerate(("2026-06-30", "2026-07-01")):
        target = tmp_path / f"annex-{n}.xlsx"
        command = [str(CPW), "--db", db, "export", "--format", "annex-a", "--as-at"]
        subprocess.run(
            [*command, "2026-03-02", "-o", str(target)],
            env={**env, "CPW_TODAY": today},
            check=True,
            capture_output=True,
        )
        files.append(target.read_bytes())

    assert files[0] == files[1]
    assert files[0].startswith(b"PK")


def test_the_store_of_the_first_build_still_gives_both_returns(tmp_path: Path) -> None:
    """Stored logs are forever: the 0.1.0 store, its old payloads upcast, exports both."""
    store = tmp_path / "store-0.1.0.sqlite"
    shutil.copyfile(ROOT / "tests" / "fixtures" / "stores" / "store-0.1.0.sqlite", store)
    db = f"sqlite:///{store}"

    census = ok(db, "export", "--format", "cin-census", "--year", "2026", "--la-code", "318")
    annex = ok(db, "export", "--format", "annex-a", "--as-at", "2026-03-02", "--list", "7", "--csv")

    ids = [e.text for e in ET.fromstring(census.stdout).iter("LAchildID")]  # noqa: S314
    assert ids == ["C1004"]  # the others have no disabilities recorded: named, left out
    assert census.stderr.count("Disability: the census needs the child's disabilities") == 4
    assert [row[0] for row in csv.reader(io.StringIO(annex.stdout))] == [
        "Child Unique ID",
        "C1001",
        "C1005",
    ]
