"""The census code lists of the vocabulary are the census export's, which an integration
test checks against the schema (`tests/integration/test_census_schema.py`): one list, so an
event the vocabulary accepts is one the census return can carry."""

from __future__ import annotations

from cpworkflow.reports import census_rules
from cpworkflow.vocabulary import census_codes


def test_the_vocabularys_census_codes_are_the_census_exports() -> None:
    assert set(census_codes.REFERRAL_SOURCES) == census_rules.REFERRAL_SOURCES
    assert set(census_codes.PRIMARY_NEEDS) == census_rules.PRIMARY_NEEDS
    assert set(census_codes.ETHNICITIES) == census_rules.ETHNICITIES
    assert set(census_codes.ASSESSMENT_FACTORS) == census_rules.ASSESSMENT_FACTORS


def test_every_gender_code_is_a_census_sex_code() -> None:
    assert census_codes.GENDERS == ("M", "F", "U")
    assert {census_rules.SEX_CODES[g.lower()] for g in census_codes.GENDERS} == {"M", "F", "U"}


def test_the_code_lists_have_no_repeats() -> None:
    for codes in (
        census_codes.REFERRAL_SOURCES,
        census_codes.PRIMARY_NEEDS,
        census_codes.ETHNICITIES,
        census_codes.ASSESSMENT_FACTORS,
    ):
        assert len(set(codes)) == len(codes)
