"""The CIN census return (`cpw export --format cin-census`): a pure function of the logs.

Each case log is folded into census episodes (`census_fold`), the episodes open at some
point in the census year are kept, and the `Message` document is written in the element
order of the schema (tests/fixtures/reference/cin-census.xsd). A child the log cannot give
a required item for is left out and named in the return's `problems`. The mapping and
every choice behind it are in docs/census.md; the code lists are in `census_rules`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from cpworkflow.errors import BadInputError
from cpworkflow.records import StoredEvent
from cpworkflow.reports import census_document as document
from cpworkflow.reports import census_rules as rules
from cpworkflow.reports.census_child import identify, needs_disabilities
from cpworkflow.reports.census_fold import CaseFold, fold

Period = tuple[date, date]


@dataclass(frozen=True)
class Problem:
    """A child who cannot be returned: which case, which census item, what is missing."""

    child: str
    case_id: str
    item: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {
            "child": self.child,
            "case_id": self.case_id,
            "item": self.item,
            "problem": self.message,
        }


@dataclass(frozen=True)
class CensusReturn:
    xml: bytes
    children: int  # children in the return
    problems: tuple[Problem, ...]  # children left out, by LAchildID


def census_return(
    logs: Iterable[Sequence[StoredEvent]],
    *,
    year: int,
    la_code: str = "000",
    reference_date: date | None = None,
    generated_at: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> CensusReturn:
    """The CIN census `Message` for the year ending 31 March `year` (2026 is 2025-26).

    One stored log per case, read one at a time (`progress` is told after each). A child
    is in the return when one of its CIN episodes was open at some point from 1 April
    `year - 1` to the reference date (default 31 March `year`); only what happened by the
    reference date counts. `generated_at` becomes the header's DateTime (omitted when not
    given, so the output is a function of the input). A child whose log lacks a required
    item is left out and named in `problems`; BadInputError when no child can be returned.
    """
    rules.check_collection_year(year)
    if not rules.LA_CODE.fullmatch(la_code):
        raise BadInputError(
            f"{la_code!r} is not a three-digit local authority code", field="la_code"
        )
    reference_date = reference_date or date(year, 3, 31)
    period = (date(year - 1, 4, 1), reference_date)
    by_child: dict[str, list[CaseFold]] = {}
    problems: dict[str, Problem] = {}
    for n, log in enumerate(logs, start=1):
        if log:
            _collect(log, reference_date, by_child, problems)
        if progress is not None:
            progress(n)
    message = ET.Element("Message")
    document.header(message, year, reference_date, la_code, generated_at)
    children = ET.SubElement(message, "Children")
    for ref in sorted(by_child):
        if ref in problems:
            continue
        try:
            child = _child(ref, by_child[ref], period)
        except BadInputError as err:
            problems[ref] = _problem(ref, err)
            continue
        if child is not None:
            children.append(child)
    left_out = tuple(problems[ref] for ref in sorted(problems))
    if len(children) == 0:
        reason = f"no child's CIN episode was open between {period[0]} and {period[1]}"
        if left_out:
            reason = f"no child can be returned ({len(left_out)} left out: {left_out[0].message})"
        raise BadInputError(f"{reason}; the census needs at least one child", field="--year")
    ET.indent(message, space="  ")
    body: bytes = ET.tostring(message, encoding="utf-8")
    xml = b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"
    return CensusReturn(xml, len(children), left_out)


def census_xml(
    logs: Iterable[Sequence[StoredEvent]],
    *,
    year: int,
    la_code: str = "000",
    reference_date: date | None = None,
    generated_at: datetime | None = None,
) -> bytes:
    """The return's XML when every child can be returned; else BadInputError naming the
    first child left out (`census_return` gives the rest of the return and every problem)."""
    result = census_return(
        logs, year=year, la_code=la_code, reference_date=reference_date, generated_at=generated_at
    )
    if result.problems:
        first = result.problems[0]
        error = BadInputError(f"case {first.case_id}: {first.message}")
        error.field = first.item
        raise error
    return result.xml


def _collect(
    log: Sequence[StoredEvent],
    reference_date: date,
    by_child: dict[str, list[CaseFold]],
    problems: dict[str, Problem],
) -> None:
    ref = str((log[0].data.get("child") or {}).get("ref") or "")
    try:
        case = fold(log, reference_date)
    except BadInputError as err:
        problems.setdefault(ref, _problem(ref, err, log[0].case_id))
        return
    if case.episodes:
        by_child.setdefault(ref, []).append(case)


def _problem(ref: str, err: BadInputError, case_id: str | None = None) -> Problem:
    """`census_rules.refuse` errors read 'case C1: <message>'."""
    text = str(err)
    prefix, _, rest = text.partition(": ")
    if case_id is None and prefix.startswith("case "):
        case_id = prefix.removeprefix("case ")
    return Problem(
        ref, case_id or "", err.field or "", rest if prefix.startswith("case ") else text
    )


def _child(ref: str, folds: list[CaseFold], period: Period) -> ET.Element | None:
    """The child's `Child` element, or None when no episode is in the year; BadInputError
    (naming the case and the census item) when the child cannot be returned."""
    folds = sorted(folds, key=lambda f: f.case_id)
    episodes = sorted((ep for f in folds for ep in f.episodes), key=lambda ep: ep.referral_date)
    plans = sorted((p for ep in episodes for p in ep.plans), key=lambda p: p.started)
    for previous, plan in enumerate(plans):
        plan.previous = previous
    shown = [ep for ep in episodes if rules.overlaps(ep.referral_date, ep.closed, period)]
    if not shown:
        return None
    identity = identify(folds[0].case_id, folds[0].child)
    for other in folds[1:]:
        if identify(other.case_id, other.child) != identity:
            raise rules.refuse(
                other.case_id,
                "ChildIdentifiers",
                f"case {folds[0].case_id} is the same child ({ref}) with other details",
            )
    if not identity.disabilities and needs_disabilities(identity, shown, period):
        raise rules.refuse(
            folds[-1].case_id,
            "Disability",
            "the census needs the child's disabilities (Disability, DfE rule 8540): record "
            'ChildDetailsRecorded with disabilities, ["NONE"] when the child has none',
        )
    for ep in shown:
        unfinished = rules.unfinished_assessment(ep, period)
        if unfinished is not None:
            raise rules.refuse(ep.case_id, "AssessmentAuthorisationDate", unfinished)
    died = max((f.died_on for f in folds if f.died_on), default=None)
    return document.child(ref, identity, died, shown, period)
