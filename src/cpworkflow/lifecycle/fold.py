"""The fold of a case's event log. `evolve` applies one stored fact; `replay` folds a log.

Evolve never judges: guards, the policy, the calendar and today are consulted only by
`decide`. What a decision computed (stage after, obligations opened, met and lapsed) is
read back from the event's `decision`. The stage is re-derived from THE transition table
and checked against the recorded one; a step the table does not allow is corruption.

`replay` folds through a `Fold`, which owns the case it builds: it changes that case in
place (the data effects' `but` too, on the fold's own case) and keeps the obligations as
plain lists of their fields until the end, instead of copying the case, its obligations and
each obligation met for every event (the copies made a 1,000-event case's replay
quadratic: it ends with some 2,000 met obligations). Both ways give the same case;
tests/unit/test_fold_fast_path.py holds them to the fold as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from cpworkflow.errors import IntegrityError
from cpworkflow.lifecycle.case import Case, EventLike
from cpworkflow.lifecycle.case_data import DATA_EFFECTS
from cpworkflow.lifecycle.machine import NOT_ALLOWED, begins_period, changes_stage, next_stage
from cpworkflow.lifecycle.obligation import Obligation

# An obligation while a Fold holds it: Obligation's fields in its order, changed in place.
Fields = list[Any]
_MET_ON, _LAPSED_ON = 6, 9
_RULE_EVENTS = frozenset(("RuleWaived", "EntryRetracted"))


def replay(events: Iterable[EventLike], case_id: str | None = None, *, view: bool = False) -> Case:
    """Fold a stored log into the case. Raises IntegrityError if the log is not legal.

    `view=True` folds a selection of the log (what had happened by a date): seq may skip,
    and a late record that reached the log after a later stage change is applied as a fact.
    """
    fold = Fold(case_id, view=view)
    fold.extend(events)
    return fold.case()


def evolve(case: Case, event: EventLike, *, view: bool = False) -> Case:
    """Apply one stored fact. Never consults the policy, the calendar or the clock."""
    return _evolve(case, event, view, None)


class Fold:
    """A replay under way: `add` each event in turn, then `case()`. The case being built is
    the fold's own, never seen outside until `case()` hands over a copy. An `add` that
    raises (the log is not legal) leaves the fold spent."""

    def __init__(self, case_id: str | None = None, *, view: bool = False) -> None:
        self.view = view
        self._case: Case | None = _Own.of(Case(case_id)) if case_id is not None else None
        self._work: dict[str, Fields] = {}  # the case's obligations, in their order

    def add(self, event: EventLike) -> None:
        if self._case is None:
            self._case = _Own.of(Case(event.case_id))
        self._case = _evolve(self._case, event, self.view, self._work)

    def extend(self, events: Iterable[EventLike]) -> None:
        """`add` each event in turn (one call for a log: replay's loop)."""
        view, work, case = self.view, self._work, self._case
        try:
            for event in events:
                if case is None:
                    case = _Own.of(Case(event.case_id))
                case = _evolve(case, event, view, work)
        finally:
            self._case = case

    def copy(self, *, view: bool | None = None) -> Fold:
        """A fold that goes on from here on its own (as a view, if asked)."""
        other = Fold(view=self.view if view is None else view)
        if self._case is not None:
            other._case = _Own.of(self._case)
        other._work = {ob_id: list(fields) for ob_id, fields in self._work.items()}
        return other

    def case(self, keep: Callable[[Fields], bool] | None = None) -> Case:
        """The case so far; with `keep`, only the obligations whose fields it accepts (the
        others are never built)."""
        if self._case is None:
            raise ValueError("replay of an empty log needs a case_id")
        obligations = {
            ob_id: Obligation(*fields)
            for ob_id, fields in self._work.items()
            if keep is None or keep(fields)
        }
        return Case.but(self._case, obligations=obligations)  # a Case of its own


class _Own(Case):
    """The case a Fold builds, which is its own: `but` (as the data effects call it)
    changes it in place and gives it back, instead of a copy. Never seen outside the Fold,
    whose `case()` hands over a Case copied from it."""

    @staticmethod
    def of(case: Case) -> _Own:
        own = object.__new__(_Own)
        own.__dict__.update(case.__dict__)
        return own

    def but(self, **changes: Any) -> Case:
        state = self.__dict__
        if not changes.keys() <= state.keys():
            return Case.but(self, **changes)  # which says which field there is not
        state.update(changes)
        return self


def still_open(fields: Fields) -> bool:
    """`Obligation.is_open` of an obligation as a Fold holds it (for `Fold.case`'s keep)."""
    return fields[_MET_ON] is None and fields[_LAPSED_ON] is None


def _evolve(case: Case, event: EventLike, view: bool, work: dict[str, Fields] | None) -> Case:
    """`evolve`, or with `work` a Fold's step: the case is the fold's own (made by it, and
    dropped for the case this returns), so its fields are changed in place, and `work`
    holds its obligations (the case's own `obligations` are left as they are)."""
    state = case.__dict__
    seq = event.seq
    if seq != state["version"] + 1 and not view:
        raise IntegrityError(case.case_id, seq, f"expected seq {state['version'] + 1}")
    stage = state["stage"]
    event_type = event.type
    dest = next_stage(stage, event_type, event.data)
    if dest is NOT_ALLOWED and view and not changes_stage(event_type):
        dest = None
    if dest is NOT_ALLOWED:
        raise IntegrityError(case.case_id, seq, f"{event_type} is not allowed from stage {stage}")
    new_stage = stage if dest is None else str(dest)
    decision = event.decision
    recorded = decision.get("stage_after")
    if recorded != new_stage and not view:
        raise IntegrityError(
            case.case_id,
            seq,
            f"recorded stage {recorded!r} but the table gives {new_stage!r}",
        )
    on, last = event.occurred_on, state["last_occurred_on"]
    changes: dict[str, Any] = {} if work is None else state
    changes["version"] = seq
    changes["policy_version"] = event.policy_version
    # The later date (the earlier one on a tie, as max() gives); a missing one left out.
    changes["last_occurred_on"] = last if on is None or (last is not None and last >= on) else on
    if dest is not None:
        changes["stage"] = new_stage
        changes["previous_stage_since"] = state["stage_since"]
        changes["stage_since"] = on
        changes["unretractable"] = state["unretractable"] | {seq}
        if begins_period(stage, new_stage, event_type, event.data):
            changes["period_seq"] = seq
            changes["previous_period_since"] = state["period_since"]
            changes["period_since"] = on
    if event_type in _RULE_EVENTS:
        changes["unretractable"] = changes.get("unretractable", state["unretractable"]) | {seq}
    if work is None:
        case = case.but(**changes)
    effect = DATA_EFFECTS.get(event_type)
    if effect is not None:
        case = effect(case, event)
    if work is None:
        obligations = dict(case.obligations)
        _apply_obligations(obligations, case, event, view)
    else:
        _work_obligations(work, case, event, view)
    waivers: Mapping[str, int]
    if event_type == "RuleWaived":
        waivers = {**case.pending_waivers, str(event.data["rule"]): seq}
    elif "waivers_spent" in decision:  # spent only by an event the waived rule judged
        spent = decision["waivers_spent"]
        waivers = {r: s for r, s in case.pending_waivers.items() if r not in spent}
    else:  # a decision stored before revision 2: the next event spent every waiver
        waivers = {}
    if work is None:
        return case.but(obligations=obligations, pending_waivers=waivers)
    case.__dict__["pending_waivers"] = waivers
    return case


def _apply_obligations(
    obligations: dict[str, Obligation], case: Case, event: EventLike, view: bool
) -> None:
    """Apply what the decision recorded, in one order: opened, reopened, met, lapsed,
    withdrawn. An obligation re-chained by a late or retracted fact names the event that
    opened it (`opened_seq`, `opened_on`) or met it (`seq`) when that is not this one; a
    decision stored before revision 2 names neither, and never reopens and meets at once.
    (`_work_obligations` is the same on a Fold's lists.)"""
    decision = event.decision
    for spec in decision.get("opened", ()):
        opened_on = spec.get("opened_on")
        ob = Obligation.from_json(
            spec,
            opened_seq=int(spec.get("opened_seq", event.seq)),
            opened_on=date.fromisoformat(opened_on) if opened_on else event.occurred_on,
        )
        obligations[ob.id] = ob
    for ob_id in decision.get("reopened", ()):
        if _known(obligations, ob_id, case, event, view):
            obligations[ob_id] = obligations[ob_id].reopen()
    for met in decision.get("met", ()):
        if _known(obligations, met["id"], case, event, view):
            obligations[met["id"]] = obligations[met["id"]].meet(
                date.fromisoformat(met["on"]),
                int(met.get("seq", event.seq)),
                int(met["late_by_working_days"]),
            )
    for lapsed in decision.get("lapsed", ()):
        if _known(obligations, lapsed["id"], case, event, view):
            on = lapsed.get("on")
            obligations[lapsed["id"]] = obligations[lapsed["id"]].lapse(
                date.fromisoformat(on) if on else event.occurred_on
            )
    for ob_id in decision.get("withdrawn", ()):
        obligations.pop(ob_id, None)


def _work_obligations(work: dict[str, Fields], case: Case, event: EventLike, view: bool) -> None:
    """`_apply_obligations` on a Fold's lists: opening is `Obligation.from_json`, and
    reopen, meet and lapse set the fields that `Obligation.reopen`, `meet` and `lapse` do."""
    decision, seq = event.decision, event.seq
    for spec in decision.get("opened", ()):
        # read in the order `_apply_obligations` and `from_json` read them
        opened_on = spec.get("opened_on")
        opened_seq = int(spec.get("opened_seq", seq))
        opened = date.fromisoformat(opened_on) if opened_on else event.occurred_on
        ob_id = str(spec["id"])
        work[ob_id] = [
            ob_id,
            str(spec["rule"]),
            date.fromisoformat(spec["due"]),
            str(spec["owner_role"]),
            opened_seq,
            opened,
            None,  # met_on
            None,  # met_seq
            None,  # late_by_working_days
            None,  # lapsed_on
        ]
    for ob_id in decision.get("reopened", ()):
        if _known(work, ob_id, case, event, view):
            work[ob_id][_MET_ON:] = (None, None, None, None)
    for met in decision.get("met", ()):
        ob_id = met["id"]
        if ob_id in work or _known(work, ob_id, case, event, view):
            on = date.fromisoformat(met["on"])
            met_seq, late = int(met.get("seq", seq)), int(met["late_by_working_days"])
            work[ob_id][_MET_ON:] = (on, met_seq, late, None)
    for lapsed in decision.get("lapsed", ()):
        ob_id = lapsed["id"]
        if _known(work, ob_id, case, event, view):
            on = lapsed.get("on")
            work[ob_id][_LAPSED_ON] = date.fromisoformat(on) if on else event.occurred_on
    for ob_id in decision.get("withdrawn", ()):
        work.pop(ob_id, None)


def _known(
    obligations: Mapping[str, Any], ob_id: str, case: Case, event: EventLike, view: bool
) -> bool:
    """In a full log every obligation a decision names exists; in a view it may not yet."""
    if ob_id in obligations:
        return True
    if view:
        return False
    raise IntegrityError(case.case_id, event.seq, f"the decision names unknown obligation {ob_id}")
