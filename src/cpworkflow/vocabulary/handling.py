"""What is recorded about how a case is handled rather than what happened to the child:
advice sought, audits, dissent, who holds which role, and the engine's own records (a rule
waived, an entry retracted). None of them changes the stage (DOMAIN.md §3)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import field

from cpworkflow.vocabulary.people import Agency, Person, Record, Text

AtLeastOne = msgspec.Meta(min_length=1)


class ManagementAdviceSought(Record):
    """Advice on a long plan, from the group manager and legal."""

    from_: Annotated[list[Literal["group_manager", "legal"]], AtLeastOne] = field(name="from")


class IroManagerAuditCompleted(Record):
    """The IRO manager audited a plan ended at the first review."""

    findings: str | None = None


class DissentRecorded(Record):
    """An agency's disagreement, recorded after the event."""

    agency: Agency
    about: Text
    reason: Text


class StaffAssigned(Record):
    """Who holds which role on this case, in which team, and whether they left the
    authority."""

    person: Person
    team: Text | None = None
    left_authority: bool | None = None


class RuleWaived(Record):
    """Lets the next event pass one guard; authorised by a role the pack allows."""

    rule: Annotated[str, msgspec.Meta(pattern=r"^G-[A-Z0-9-]+$")]
    reason: Text
    authorised_by: Person


class EntryRetracted(Record):
    """Marks an earlier event (one that did not change the stage) as recorded in error."""

    seq: Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]
    reason: Text
