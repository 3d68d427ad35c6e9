"""`cpw simulate N --seed S`: N children's cases, each walking the lifecycle of DOMAIN.md §2
through the real vocabulary, over the three years before `until`. The same seed gives the
same bytes, and each child's case depends only on the seed and its number."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date, timedelta

from cpworkflow.vocabulary.census_codes import ETHNICITIES, PRIMARY_NEEDS, REFERRAL_SOURCES
from cpworkflow.workload import need, protection
from cpworkflow.workload.people import case_team
from cpworkflow.workload.story import Envelope, Story

DEFAULT_UNTIL = date(2026, 3, 31)  # the end of the 2025-26 census year
PACKS = ("default", "lancashire", "sefton")
PACK_WEIGHTS = (60, 20, 20)
YEARS = 3


def case_story(seed: int, number: int, until: date = DEFAULT_UNTIL) -> list[Envelope]:
    """The envelopes of child `number` (from 1), in the order they are recorded."""
    rng = random.Random(f"cpw-simulate:{seed}:{number}")
    start = until - timedelta(days=rng.randint(10, YEARS * 365))
    pack = rng.choices(PACKS, weights=PACK_WEIGHTS)[0]
    s = Story(rng, f"S{number:06d}", pack, start, until, case_team(rng))
    open_case(s)
    steps = {
        "referral": protection.strategy,
        "cp_plan": lambda s: protection.plan(s, ["neglect"], s.on + timedelta(days=90)),
        "step_down": need.step_down,
        "cin": need.cin,
        "closed": need.reopen_or_stop,
    }
    while not s.ended and s.stage != "ended":
        steps[s.stage](s)
    return s.finish()


def open_case(s: Story) -> None:
    """The referral opens the case; the team manager assigns the social worker."""
    rng, t = s.rng, s.team
    born = s.on - timedelta(days=rng.randint(40, 17 * 365))
    child = {
        "ref": s.case_id,
        "birth_date": born,
        "gender": rng.choice("MF"),
        "ethnicity": rng.choice(ETHNICITIES),
    }
    child["disabilities"] = ["NONE"] if rng.random() < 0.85 else [rng.choice(["LD", "AUT", "COMM"])]
    if born.year <= s.on.year - 5:
        child["upn"] = f"A{rng.randrange(10**11):011d}{rng.randrange(10)}"
    referral = {
        "date": s.on,
        "source": rng.choice(REFERRAL_SOURCES),
        "primary_need": rng.choice(PRIMARY_NEEDS[:9]),
    }
    s.add("CaseOpened", t.social_worker, child=child, policy=s.pack, referral=referral)
    for who in (t.social_worker, t.team_manager):
        s.add("StaffAssigned", t.team_manager, person=who, team=t.team)
    if "upn" not in child and rng.random() < 0.6:  # learned later: why there is no UPN
        learned = s.on + timedelta(days=rng.randint(2, 20))
        s.add("ChildDetailsRecorded", t.social_worker, on=learned, upn_unknown="UN1")


def simulate(count: int, seed: int = 0, until: date = DEFAULT_UNTIL) -> Iterator[Envelope]:
    """Every envelope of `count` children, child after child."""
    for number in range(1, count + 1):
        yield from case_story(seed, number, until)


def jsonl(envelopes: Iterator[Envelope]) -> Iterator[bytes]:
    """One envelope a line, as `cpw import` reads them."""
    for envelope in envelopes:
        yield (json.dumps(envelope, ensure_ascii=False, sort_keys=True) + "\n").encode()
