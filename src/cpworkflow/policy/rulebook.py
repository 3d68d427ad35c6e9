"""Every rule's id, one-line summary and source: the catalogue `cpw rules` prints.

Numbers live in the policy packs; the logic of each guard lives in `guards_plan.py`,
`guards_cin.py` or `guards.py` (the engine's), and of each timescale in `obligations.py`.
This module only names and cites them. Sources refer to
the seed documents: 000 step-down briefing, 001 Managing a Child Protection Plan,
002 IRO step-down guidance (Lancashire), 003 Sefton discontinuation chapter,
004 10 point Child in Need guide.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    source: str
    waivable: bool = True


GUARDS: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "G-CONTINGENCY", "a step-down to CiN carries an agreed contingency plan", "000 §2, §6"
        ),
        Rule(
            "G-SMART",
            "a CiN plan has an outcome and an action, every action an owner and a timescale, "
            "and a visiting interval of at most 4 weeks",
            "000 §2, 004",
        ),
        Rule(
            "G-FIRST-CIN-DATE",
            "stepping down sets the first CiN meeting date within the policy's limit",
            "000 §2, 004",
        ),
        Rule(
            "G-EACH-CATEGORY",
            "ending a plan needs every category judged no longer at risk",
            "001",
        ),
        Rule("G-FIRST-REVIEW", "ending at the first RCPC needs overriding reasons", "001, 002"),
        Rule(
            "G-TEMPORARY",
            "safety on temporary arrangements needs a written assessment and long-term plan",
            "001",
        ),
        Rule("G-COURT", "an ending that depends on a court order needs a contingency", "001"),
        Rule("G-SUPPORT", "ending a plan states the continuing support", "001, 002, 003"),
        Rule(
            "G-MANAGER",
            "the first-line manager attends when the social worker recommends ending",
            "001",
        ),
        Rule(
            "G-CHAIR-FIRST-CIN",
            "the case's CP chair (the conference's, or the one assigned after it left) chairs "
            "the first CiN meeting after a conference",
            "000 §2, §4",
        ),
        Rule(
            "G-NEXT-MEETING",
            "every CiN meeting, a continuing final review included, sets the next meeting "
            "within the maximum interval",
            "000 §4, 004",
        ),
        Rule(
            "G-THIRD-REVIEW",
            "the third CiN review (final reviews counted) is chaired by an ASWP or team manager",
            "004",
        ),
        Rule(
            "G-REFLECTIVE",
            "ending a CiN plan needs a reflective discussion of the case's team manager, social "
            "worker and CP chair (none on the s17 path), recorded by the team manager",
            "000 §5, §7",
        ),
        Rule(
            "G-FINAL-REVIEW",
            "the final CiN review names lead professional, outcomes, actions, "
            "frequency and contingency",
            "000 §5",
        ),
        Rule(
            "G-INFORMED",
            "whatever event closes a case, every professional has been informed",
            "001, 003",
        ),
        Rule(
            "G-TRANSFER",
            "a plan ended by a move needs the receiving authority's conference by that day and "
            "its written confirmation; a case without a plan, the written handover",
            "003",
        ),
        Rule("G-AGE", "ending because the child turned 18 needs the 18th birthday", "003"),
        Rule(
            "G-PRE-BIRTH",
            "a pre-birth conference, and a birth, only for a child not yet born",
            "engine",
        ),
        Rule(
            "G-CHRONOLOGY",
            "no event in the future; a fact not before the current period began, a step of "
            "the stage not before the last one",
            "engine",
            waivable=False,
        ),
        Rule("G-ROLE", "the actor's role may record this event type", "engine", waivable=False),
        Rule(
            "G-STAGE",
            "the event is allowed from the case's current stage",
            "engine: DOMAIN.md §2",
            waivable=False,
        ),
        Rule(
            "G-WAIVER",
            "only a permitted role waives, and only a waivable guard",
            "engine: DOMAIN.md §3",
            waivable=False,
        ),
        Rule(
            "G-RETRACT",
            "only an event that did not change the stage can be retracted, once",
            "engine: DOMAIN.md §3",
            waivable=False,
        ),
    )
}

TIMESCALES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule("T-OUTCOMES", "conference outcomes recorded on the child's file", "000 §3"),
        Rule(
            "T-CIN-PLAN",
            "CiN plan populated and circulated to child, family and agencies",
            "000 §3",
        ),
        Rule(
            "T-FIRST-CIN",
            "first CiN meeting after step-down (s17 path: 10 working days, social worker)",
            "000 §2, 004",
        ),
        Rule("T-CIN-COPIES", "copies of the CiN plan circulated after each meeting", "004"),
        Rule("T-CIN-REVIEW", "next CiN meeting held by the date set", "000 §4, 003, 004"),
        Rule("T-CIN-VISIT", "child seen at the CiN plan's visiting interval", "004"),
        Rule(
            "T-CP-VISIT", "child seen every 2 weeks on a plan (or the conference's interval)", "001"
        ),
        Rule(
            "T-SEEN-ALONE",
            "child seen alone (a baby: seen awake) at least every 6 weeks on a plan",
            "001",
        ),
        Rule("T-BEDROOM", "child's bedroom seen once between conferences", "001"),
        Rule("T-FIRST-RCPC", "first review conference within 3 months of the ICPC", "001"),
        Rule("T-NEXT-RCPC", "next review conference within 6 months", "001"),
        Rule("T-REPORTS", "agency reports to the chair 5 working days before the RCPC", "001"),
        Rule("T-ICPC-REPORTS", "agency reports to the chair 2 days before the ICPC", "001"),
        Rule(
            "T-ICPC",
            "initial conference within 15 working days of the s47 strategy meeting",
            "national: Working Together 2023",
        ),
        Rule(
            "T-CORE-GROUP",
            "core groups: 10 working days after the ICPC, 6-weekly to the first RCPC, then "
            "2-monthly",
            "001",
        ),
        Rule("T-CORE-GROUP-RCPC", "a core group at least 2 weeks before each RCPC", "001"),
        Rule("T-ASSESSMENT", "assessment completed after the strategy meeting", "001"),
        Rule(
            "T-LONG-PLAN",
            "group manager advice after the second RCPC, before the third",
            "001",
        ),
        Rule("T-TWO-YEARS", "a plan over two years discusses other ways to protect", "001"),
        Rule("T-IRO-AUDIT", "a plan ended at the first review is audited", "001, 002"),
        Rule("T-NOTIFY", "agencies notified that the plan has ended", "003"),
    )
}
