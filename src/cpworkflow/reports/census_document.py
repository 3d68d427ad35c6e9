"""The CIN census `Message` written in the element order of the schema
(tests/fixtures/reference/cin-census.xsd), from what `census` decided to return."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime

from cpworkflow import __version__
from cpworkflow.reports import census_rules as rules
from cpworkflow.reports.census_child import Identity
from cpworkflow.reports.census_records import Episode

Period = tuple[date, date]


def header(
    message: ET.Element, year: int, reference_date: date, la_code: str, at: datetime | None
) -> None:
    header = ET.SubElement(message, "Header")
    details = ET.SubElement(header, "CollectionDetails")
    _text(details, "Collection", "CIN")
    _text(details, "Year", f"{year:04d}")
    _date(details, "ReferenceDate", reference_date)
    source = ET.SubElement(header, "Source")
    _text(source, "SourceLevel", "L")
    _text(source, "LEA", la_code)
    _text(source, "SoftwareCode", "cpworkflow")
    _text(source, "Release", __version__)
    _text(source, "DateTime", None if at is None else at.isoformat(timespec="seconds"))


def child(
    ref: str, identity: Identity, died: date | None, shown: list[Episode], period: Period
) -> ET.Element:
    """The `Child` element: identifiers, characteristics, one CINdetails per episode."""
    child = ET.Element("Child")
    ids = ET.SubElement(child, "ChildIdentifiers")
    _text(ids, "LAchildID", ref)
    _text(ids, "UPN", identity.upn)
    _text(ids, "FormerUPN", identity.former_upn)
    _text(ids, "UPNunknown", identity.upn_unknown)
    _date(ids, "PersonBirthDate", identity.birth)
    _date(ids, "ExpectedPersonBirthDate", identity.expected)
    _text(ids, "Sex", identity.sex)
    _date(ids, "PersonDeathDate", died)
    characteristics = ET.SubElement(child, "ChildCharacteristics")
    _text(characteristics, "Ethnicity", identity.ethnicity)
    if identity.disabilities:
        disabilities = ET.SubElement(characteristics, "Disabilities")
        for code in identity.disabilities:
            _text(disabilities, "Disability", code)
    for episode in shown:
        _cin_details(child, episode, period)
    return child


def _cin_details(parent: ET.Element, ep: Episode, period: Period) -> None:
    details = ET.SubElement(parent, "CINdetails")
    _date(details, "CINreferralDate", ep.referral_date)
    _text(details, "ReferralSource", ep.source)
    _text(details, "PrimaryNeedCode", ep.primary_need)
    _date(details, "CINclosureDate", ep.closed)
    _text(details, "ReasonForClosure", ep.reason)
    _date(details, "DateOfInitialCPC", ep.icpc_alone)
    for a in ep.assessments:
        if rules.overlaps(a.started, a.authorised, period):
            assessment = ET.SubElement(details, "Assessments")
            _date(assessment, "AssessmentActualStartDate", a.started)
            _date(assessment, "AssessmentAuthorisationDate", a.authorised)
            if a.factors:
                factors = ET.SubElement(assessment, "FactorsIdentifiedAtAssessment")
                for code in a.factors:
                    _text(factors, "AssessmentFactors", code)
    for c in ep.cin_plans:
        if rules.overlaps(c.started, c.ended, period):
            cin_plan = ET.SubElement(details, "CINPlanDates")
            _date(cin_plan, "CINPlanStartDate", c.started)
            _date(cin_plan, "CINPlanEndDate", c.ended)
    for s in ep.s47s:
        if rules.overlaps(s.started, s.concluded, period):
            s47 = ET.SubElement(details, "Section47")
            _date(s47, "S47ActualStartDate", s.started)
            _date(s47, "DateOfInitialCPC", s.icpc)
            _text(s47, "ICPCnotRequired", "1" if s.icpc_not_required else "0")
    _text(details, "ReferralNFA", "1" if rules.referral_nfa(ep, period) else "0")
    for p in ep.plans:
        if rules.overlaps(p.started, p.ended, period):
            plan = ET.SubElement(details, "ChildProtectionPlans")
            _date(plan, "CPPstartDate", p.started)
            _date(plan, "CPPendDate", p.ended)
            _text(plan, "InitialCategoryOfAbuse", p.initial)
            _text(plan, "LatestCategoryOfAbuse", p.latest)
            _text(plan, "NumberOfPreviousCPP", str(p.previous))
            reviews = rules.within(p.reviews, period)
            if reviews:
                held = ET.SubElement(plan, "Reviews")
                for day in reviews:
                    _date(held, "CPPreviewDate", day)


def _text(parent: ET.Element, tag: str, value: str | None) -> None:
    """A child element with text; nothing when the value is absent (optional items)."""
    if value is not None:
        ET.SubElement(parent, tag).text = value


def _date(parent: ET.Element, tag: str, value: date | None) -> None:
    _text(parent, tag, None if value is None else value.isoformat())
