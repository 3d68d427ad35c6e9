"""The fold of a case's event log. `evolve` applies one stored fact; `replay` folds a log.

Evolve never judges: guards, the policy, the calendar and today are consulted only by
`decide`. What a decision computed (stage after, obligations opened, met and lapsed) is
read back from the event's `decision`. The stage is re-derived from THE transition table
and checked against the recorded one; a step the table does not allow is corruption.

Both run one step, `_step`, on the fields of a case of their own (its instance
dictionary), changed in place, the data effects' too: `evolve` copies the case it is
given once and gives the copy back, keeping the obligations when the decision leaves them
as they were (the same mapping: no one changes one in place), where it had copied the
case for each change and the obligations for every event. `replay` folds through a
`Fold`, which owns the case it builds and keeps the obligations as plain lists of their
fields until the end, instead of copying the case, its obligations and each obligation
met for every event (the copies made a 1,000-event case's replay quadratic: it ends with
some 2,000 met obligations). Every way gives the same case;
tests/unit/test_fold_fast_path.py holds them to the fold as it was
(tests/unit/fold_reference.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from cpworkflow.errors import IntegrityError
from cpworkflow.lifecycle.case import Case, EventLike
from cpworkflow.lifecycle.case_data import DATA_EFFECTS, State
from cpworkflow.lifecycle.machine import (
    NOT_ALLOWED,
    SETTLED,
    begins_period,
    changes_stage,
    next_stage,
)
from cpworkflow.lifecycle.obligation import Obligation, made

# An obligation while a Fold holds it: Obligation's fields in its order, changed in place.
Fields = list[Any]
_MET_ON, _LAPSED_ON = 6, 9
_RULE_EVENTS = frozenset(("RuleWaived", "EntryRetracted"))
_TOUCHING = ("opened", "reopened", "met", "lapsed", "withdrawn")
_ASK = object()  # not in SETTLED: ask next_stage


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
    after = object.__new__(Case)  # a copy of the case, changed in place by the step
    state = after.__dict__
    state.update(case.__dict__)
    _step(state, event, view, None)
    return after


class Fold:
    """A replay under way: `add` each event in turn, then `case()`. The case being built is
    the fold's own (its fields, `_state`), never seen outside until `case()` hands over a
    copy. An `add` that raises (the log is not legal) leaves the fold spent."""

    def __init__(self, case_id: str | None = None, *, view: bool = False) -> None:
        self.view = view
        self._state: State | None = blank(case_id) if case_id is not None else None
        self._work: dict[str, Fields] = {}  # the case's obligations, in their order

    def add(self, event: EventLike) -> None:
        if self._state is None:
            self._state = blank(event.case_id)
        _step(self._state, event, self.view, self._work)

    def extend(self, events: Iterable[EventLike]) -> None:
        """`add` each event in turn (one call for a log: replay's loop)."""
        view, work, state = self.view, self._work, self._state
        try:
            for event in events:
                if state is None:
                    state = blank(event.case_id)
                _step(state, event, view, work)
        finally:
            self._state = state

    def copy(self, *, view: bool | None = None, obligations: bool = True) -> Fold:
        """A fold that goes on from here on its own (as a view, if asked); without the
        obligations so far for a view whose own obligations are never read (its steps go
        on without them: in a view, an obligation a decision names may be missing)."""
        other = Fold(view=self.view if view is None else view)
        if self._state is not None:
            other._state = dict(self._state)
        if obligations:
            other._work = {ob_id: list(fields) for ob_id, fields in self._work.items()}
        return other

    def obligation_fields(self) -> Iterable[tuple[str, Fields]]:
        """The obligations so far by id, as the fold holds them (to read, not to change)."""
        return self._work.items()

    def case(self, keep: Callable[[Fields], bool] | None = None) -> Case:
        """The case so far; with `keep`, only the obligations whose fields it accepts (the
        others are never built)."""
        if self._state is None:
            raise ValueError("replay of an empty log needs a case_id")
        work = self._work
        if keep is None:
            obligations = {ob_id: made(*fields) for ob_id, fields in work.items()}
        elif keep is still_open:  # verify's: `still_open` read inline, not called for each
            obligations = {
                ob_id: made(*fields)
                for ob_id, fields in work.items()
                if fields[_MET_ON] is None and fields[_LAPSED_ON] is None
            }
        else:
            obligations = {ob_id: made(*f) for ob_id, f in work.items() if keep(f)}
        case = object.__new__(Case)  # a Case of its own
        state = case.__dict__
        state.update(self._state)
        state["obligations"] = obligations
        return case


def blank(case_id: str) -> State:
    """The fields of `Case(case_id)`, its three mappings new (the dataclass's __init__,
    field by field, is some ten times slower: one is made for every case verify replays)."""
    state = dict(_BLANK)
    state["case_id"] = case_id
    state["child"] = {}
    state["obligations"] = {}
    state["pending_waivers"] = {}
    return state


_BLANK = dict(Case("").__dict__)


def still_open(fields: Fields) -> bool:
    """`Obligation.is_open` of an obligation as a Fold holds it (for `Fold.case`'s keep)."""
    return fields[_MET_ON] is None and fields[_LAPSED_ON] is None


def _step(state: State, event: EventLike, view: bool, work: dict[str, Fields] | None) -> None:
    """One event on the fields of a case of the fold's own, changed in place (one that
    raises leaves them spent). With `work`, a Fold's step: `work` holds the case's
    obligations (the case's own `obligations` are left as they are); without it,
    `evolve`'s, on the case's."""
    seq = event.seq
    if seq != state["version"] + 1 and not view:
        raise IntegrityError(state["case_id"], seq, f"expected seq {state['version'] + 1}")
    stage = state["stage"]
    event_type = event.type
    data = event.data
    settled = SETTLED.get(stage)
    dest = _ASK if settled is None else settled.get(event_type, _ASK)
    if dest is _ASK:
        dest = next_stage(stage, event_type, data)
        if dest is NOT_ALLOWED:
            if not view or changes_stage(event_type):
                raise IntegrityError(
                    state["case_id"], seq, f"{event_type} is not allowed from stage {stage}"
                )
            dest = None
    decision = event.decision
    on = event.occurred_on
    if dest is None:
        if not view and decision.get("stage_after") != stage:
            raise _wrong_stage(state["case_id"], seq, decision, stage)
    else:
        new_stage = str(dest)
        if not view and decision.get("stage_after") != new_stage:
            raise _wrong_stage(state["case_id"], seq, decision, new_stage)
        state["stage"] = new_stage
        state["previous_stage_since"] = state["stage_since"]
        state["stage_since"] = on
        state["unretractable"] = state["unretractable"] | {seq}
        if begins_period(stage, new_stage, event_type, data):
            state["period_seq"] = seq
            state["previous_period_since"] = state["period_since"]
            state["period_since"] = on
    state["version"] = seq
    state["policy_version"] = event.policy_version
    # The later date (the earlier one on a tie, as max() gives); a missing one left out.
    last = state["last_occurred_on"]
    if on is not None and (last is None or not last >= on):
        state["last_occurred_on"] = on
    if event_type in _RULE_EVENTS:
        state["unretractable"] = state["unretractable"] | {seq}
    effect = DATA_EFFECTS.get(event_type)
    if effect is not None:
        effect(state, event)
    if work is None:
        obligations = state["obligations"]
        if type(obligations) is not dict or _touches(decision):
            obligations = dict(obligations)
            _apply_obligations(obligations, state["case_id"], event, view)
            state["obligations"] = obligations
    else:  # `_apply_obligations` on the Fold's lists: opening is `Obligation.from_json`, and
        # reopen, meet and lapse set the fields that `Obligation.reopen`, `meet` and `lapse` do
        for spec in decision.get("opened", ()):
            if type(spec) is not dict or "opened_on" in spec or "opened_seq" in spec:
                _work_rechained(work, spec, event)
            else:
                _work_opened(work, spec, int(seq), on)
        if "reopened" in decision:
            for ob_id in decision["reopened"]:
                if ob_id in work or _known(work, ob_id, state["case_id"], event, view):
                    work[ob_id][_MET_ON:] = (None, None, None, None)
        for met in decision.get("met", ()):
            ob_id = met["id"]
            fields = work.get(ob_id)
            if fields is not None or _known(work, ob_id, state["case_id"], event, view):
                met_on = date.fromisoformat(met["on"])
                met_seq = int(met["seq"]) if "seq" in met else int(seq)
                late = int(met["late_by_working_days"])
                if fields is None:
                    fields = work[ob_id]
                fields[_MET_ON] = met_on
                fields[7] = met_seq
                fields[8] = late
                fields[_LAPSED_ON] = None
        for lapsed in decision.get("lapsed", ()):
            ob_id = lapsed["id"]
            if ob_id in work or _known(work, ob_id, state["case_id"], event, view):
                lapsed_on = lapsed.get("on")
                work[ob_id][_LAPSED_ON] = date.fromisoformat(lapsed_on) if lapsed_on else on
        if "withdrawn" in decision:
            for ob_id in decision["withdrawn"]:
                work.pop(ob_id, None)
    waivers = state["pending_waivers"]
    if event_type == "RuleWaived":
        state["pending_waivers"] = {**waivers, str(data["rule"]): seq}
    elif waivers or type(waivers) is not dict:  # none pending: none to spend
        if "waivers_spent" in decision:  # spent only by an event the waived rule judged
            spent = decision["waivers_spent"]
            state["pending_waivers"] = {r: s for r, s in waivers.items() if r not in spent}
        else:  # a decision stored before revision 2: the next event spent every waiver
            state["pending_waivers"] = {}


def _wrong_stage(
    case_id: str, seq: int, decision: Mapping[str, Any], new_stage: str | None
) -> IntegrityError:
    recorded = decision.get("stage_after")
    return IntegrityError(
        case_id, seq, f"recorded stage {recorded!r} but the table gives {new_stage!r}"
    )


def _touches(decision: Mapping[str, Any]) -> bool:
    """Whether the decision may change the obligations: it names one, or holds something
    other than an empty list where it would (which the fold iterates, or fails to)."""
    for key in _TOUCHING:
        if key in decision and (type(decision[key]) is not list or decision[key]):
            return True
    return False


def _apply_obligations(
    obligations: dict[str, Obligation], case_id: str, event: EventLike, view: bool
) -> None:
    """Apply what the decision recorded, in one order: opened, reopened, met, lapsed,
    withdrawn. An obligation re-chained by a late or retracted fact names the event that
    opened it (`opened_seq`, `opened_on`) or met it (`seq`) when that is not this one; a
    decision stored before revision 2 names neither, and never reopens and meets at once.
    (`_step` does the same on a Fold's lists.)"""
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
        if _known(obligations, ob_id, case_id, event, view):
            obligations[ob_id] = obligations[ob_id].reopen()
    for met in decision.get("met", ()):
        if _known(obligations, met["id"], case_id, event, view):
            obligations[met["id"]] = obligations[met["id"]].meet(
                date.fromisoformat(met["on"]),
                int(met.get("seq", event.seq)),
                int(met["late_by_working_days"]),
            )
    for lapsed in decision.get("lapsed", ()):
        if _known(obligations, lapsed["id"], case_id, event, view):
            on = lapsed.get("on")
            obligations[lapsed["id"]] = obligations[lapsed["id"]].lapse(
                date.fromisoformat(on) if on else event.occurred_on
            )
    for ob_id in decision.get("withdrawn", ()):
        obligations.pop(ob_id, None)


def _work_rechained(work: dict[str, Fields], spec: Any, event: EventLike) -> None:
    """`_work_opened` of a spec that names the event that opened it (re-chained), or is not
    a plain dict: read in the order `_apply_obligations` and `from_json` read it (so a
    spec that is not well formed fails as there)."""
    opened_on = spec.get("opened_on")
    opened_seq = int(spec.get("opened_seq", event.seq))
    opened = date.fromisoformat(opened_on) if opened_on else event.occurred_on
    _work_opened(work, spec, opened_seq, opened)


def _work_opened(work: dict[str, Fields], spec: Any, opened_seq: int, opened_on: date) -> None:
    """`Obligation.from_json` of `spec`, opened by event `opened_seq` on `opened_on`, into
    a Fold's lists (its fields in Obligation's order)."""
    ob_id = str(spec["id"])
    work[ob_id] = [
        ob_id,
        str(spec["rule"]),
        date.fromisoformat(spec["due"]),
        str(spec["owner_role"]),
        opened_seq,
        opened_on,
        None,  # met_on
        None,  # met_seq
        None,  # late_by_working_days
        None,  # lapsed_on
    ]


def _known(
    obligations: Mapping[str, Any], ob_id: str, case_id: str, event: EventLike, view: bool
) -> bool:
    """In a full log every obligation a decision names exists; in a view it may not yet."""
    if ob_id in obligations:
        return True
    if view:
        return False
    raise IntegrityError(case_id, event.seq, f"the decision names unknown obligation {ob_id}")
