"""The authority a simulated caseload belongs to: its teams and staff, and each case's own
social worker, team manager and conference chair (DOMAIN.md §1). Ids only, never names."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

Person = dict[str, str]
TEAMS = ("north", "south", "east", "west", "central", "disabled-children")
SOCIAL_WORKERS_PER_TEAM = 7
CHAIRS = 8
AGENCIES = ("school", "health visiting", "police", "GP", "CAMHS", "Family Hub", "housing")


def person(pid: str, role: str) -> Person:
    return {"id": pid, "role": role}


@dataclass(frozen=True)
class CaseTeam:
    """Who works one case: its team, social worker, team manager and (once a conference is
    held) its CP chair; and the authority-wide people who act on every case."""

    team: str
    social_worker: Person
    team_manager: Person
    chair: Person
    aswp: Person
    iro_manager: Person = field(default_factory=lambda: person("irom-1", "iro_manager"))
    service_manager: Person = field(default_factory=lambda: person("sm-1", "service_manager"))


def case_team(rng: random.Random) -> CaseTeam:
    """A case's people, drawn from the authority's staff."""
    number = rng.randrange(len(TEAMS))
    team = TEAMS[number]
    worker = rng.randrange(SOCIAL_WORKERS_PER_TEAM)
    return CaseTeam(
        team=team,
        social_worker=person(f"sw-{number + 1}{worker:02d}", "social_worker"),
        team_manager=person(f"tm-{number + 1}", "team_manager"),
        chair=person(f"iro-{rng.randrange(CHAIRS) + 1}", "cp_chair"),
        aswp=person(f"aswp-{number + 1}", "aswp"),
    )
