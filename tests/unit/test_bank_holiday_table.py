"""The bank-holiday table working days are counted from (policy/bank_holiday_table.py) is
what the pinned `holidays` package says, every nation and every year; outside the table's
years, `holidays` is asked as before."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import holidays
import pytest

from cpworkflow.policy import bank_holiday_table as table
from cpworkflow.policy.workingdays import SUBDIVISIONS, bank_holidays

sys.path.insert(0, str(Path(__file__).parents[2] / "scripts"))
import bank_holidays as generator


def from_holidays(subdiv: str, year: int) -> frozenset[date]:
    found = holidays.country_holidays("GB", subdiv=subdiv, years=(year - 1, year, year + 1))
    return frozenset(d for d in found if d.year == year)


def test_the_table_was_made_from_the_holidays_package_installed() -> None:
    assert holidays.__version__ == table.HOLIDAYS_VERSION, "run scripts/bank_holidays.py"
    assert (table.FIRST_YEAR, table.LAST_YEAR) == (generator.FIRST_YEAR, generator.LAST_YEAR)


@pytest.mark.parametrize("subdiv", SUBDIVISIONS.values())
def test_every_year_of_the_table_is_what_holidays_says(subdiv: str) -> None:
    for year in range(table.FIRST_YEAR, table.LAST_YEAR + 1):
        assert bank_holidays(subdiv, year) == from_holidays(subdiv, year), (subdiv, year)


def test_the_file_is_what_the_script_writes() -> None:
    assert generator.TABLE.read_text() == generator.text()


@pytest.mark.parametrize("year", [table.FIRST_YEAR - 1, table.LAST_YEAR + 1])
def test_a_year_outside_the_table_is_asked_of_holidays(year: int) -> None:
    assert bank_holidays("ENG", year) == from_holidays("ENG", year)
    assert date(year, 12, 25) in bank_holidays("ENG", year)
