"""Ofsted's Annex A lists 3-7 (`cpw export --format annex-a --as-at DATE`): a pure function
of the logs and the inspection date. The same logs and date always give the same bytes:
nothing here reads the clock (the workbook's creation time is the inspection date).

Logs are read one case at a time and folded (`annex_a_fold`); the rows of each list come
from `annex_a_lists`, the headers and value formats from `annex_a_codes`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import xlsxwriter

from cpworkflow.errors import BadInputError
from cpworkflow.records import StoredEvent
from cpworkflow.reports import annex_a_codes as codes
from cpworkflow.reports.annex_a_fold import CaseFacts, facts
from cpworkflow.reports.annex_a_lists import BUILDERS, Row, Window

LISTS = tuple(codes.HEADERS)


@dataclass(frozen=True)
class AnnexA:
    as_at: date
    rows: dict[int, list[Row]]
    unread: tuple[str, ...] = ()  # cases left out: "case C1: <why its log cannot be read>"

    def headers(self, number: int, *, trace: bool = False) -> tuple[str, ...]:
        return codes.HEADERS[number] + (codes.TRACE if trace else ())

    def table(self, number: int, *, trace: bool = False) -> list[tuple[str | int, ...]]:
        """The list's rows as cells, with the case and its event seqs when tracing."""
        return [
            row.cells + ((row.case_id, " ".join(map(str, row.seqs))) if trace else ())
            for row in self.rows[number]
        ]

    def csv(self, number: int, *, trace: bool = False) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.headers(number, trace=trace))
        writer.writerows(self.table(number, trace=trace))
        return out.getvalue().encode("utf-8")

    def xlsx(self, numbers: Sequence[int] = LISTS, *, trace: bool = False) -> bytes:
        """One sheet per list, named as Ofsted's template names them, headers in row 1."""
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
        book.set_properties(
            {
                "title": f"Annex A as at {codes.day(self.as_at)}",
                "author": "cpworkflow",
                "created": datetime(self.as_at.year, self.as_at.month, self.as_at.day),
            }
        )
        bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        for number in numbers:
            sheet = book.add_worksheet(codes.TITLES[number])
            headers = self.headers(number, trace=trace)
            sheet.write_row(0, 0, headers, bold)
            for r, cells in enumerate(self.table(number, trace=trace), start=1):
                for c, value in enumerate(cells):
                    if isinstance(value, int):
                        sheet.write_number(r, c, value)
                    else:
                        sheet.write_string(r, c, value)
            sheet.set_column(0, len(headers) - 1, 22)
            sheet.freeze_panes(1, 0)
        book.close()
        return out.getvalue()


def annex_a(
    logs: Iterable[Sequence[StoredEvent]],
    as_at: date,
    *,
    progress: Callable[[int], None] | None = None,
) -> AnnexA:
    """Lists 3-7 as at the inspection date `as_at`, from one stored log per case.
    Two cases with the same child ref are one child. A log the census fold cannot read
    is left out and named in `unread`."""
    by_child: dict[str, list[CaseFacts]] = {}
    unread: list[str] = []
    for n, log in enumerate(logs, start=1):
        try:
            case = facts(log, as_at) if log else None
        except BadInputError as err:  # one unreadable log never blocks the others
            unread.append(str(err))
            case = None
        if case is not None and case.census.episodes:
            by_child.setdefault(str(case.census.child.get("ref", "")), []).append(case)
        if progress is not None:
            progress(n)
    window = Window.before(as_at)
    rows: dict[int, list[Row]] = {number: [] for number in LISTS}
    for ref in sorted(by_child):
        child = sorted(by_child[ref], key=lambda c: c.case_id)
        for number, build in BUILDERS.items():
            rows[number].extend(build(child, window))
    return AnnexA(as_at, rows, tuple(unread))
