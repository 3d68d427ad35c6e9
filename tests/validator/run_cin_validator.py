"""Run the DfE CIN census validator (PyPI `csc-validator-be-cin`) on one return and print,
as JSON, what every rule of a ruleset flags. Run with the validator's own interpreter
(`.venv-validator`, made by `make validator`: its pandas and numpy pins clash with ours).

The validator's report can drop what a rule found (a rule that raises is only printed; a
failure to lay out a rule's issue locations is swallowed and the rule counted as passed).
So each rule's function is run here directly and what it pushed is read from its context:

    {"ruleset": ..., "children": N, "rules": {"8540": {"type": "Error", "message": ...,
     "raised": null, "flagged": 0, "children": [], "whole_return": false}, ...},
     "report": {"rules_failed": [...], "whole_return": [...]}}

Usage: python run_cin_validator.py RETURN.xml [RULESET]
"""

import copy
import importlib
import json
import sys
import xml.etree.ElementTree as ET

from cin_validator import cin_validator
from cin_validator.rule_engine import RuleContext


def _rows(ctx):
    """(table name, row id or None, error id) of every location a rule pushed."""
    private = {name.rsplit("__", 1)[-1]: value for name, value in vars(ctx).items()}
    for locator in private.get("issues") or []:
        yield locator.table.name, int(locator.row), None
    groups = [private.get("type1_issues")]
    groups += list(private.get("type2_issues") or []) + list(private.get("type3_issues") or [])
    for group in groups:
        if group is None or not hasattr(group, "row_df") or len(group.row_df) == 0:
            continue
        frame = group.row_df
        column = next((c for c in frame.columns if str(c).startswith("ROW_ID")), None)
        errors = frame["ERROR_ID"] if "ERROR_ID" in frame.columns else [None] * len(frame)
        rows = frame[column] if column is not None else [None] * len(frame)
        for error, located in zip(errors, rows, strict=True):
            for row in located if isinstance(located, list | tuple) else [located]:
                yield group.table.name, None if row is None else int(row), error


def _child(data, table, row, error):
    """The LAchildID of a flagged location: from its table row, else its error id."""
    frame = data[table]
    if row is not None and "LAchildID" in frame.columns and row in frame.index:
        return str(frame.loc[row, "LAchildID"])
    if isinstance(error, tuple) and error:
        return str(error[0])
    return None


def run(path, ruleset):
    root = ET.parse(path).getroot()  # noqa: S314 (our own export)
    data = cin_validator.process_data(cin_validator.convert_data(root))
    registry = importlib.import_module(f"cin_validator.rules.{ruleset}").registry
    tables = cin_validator.enum_keys(data)
    rules = {}
    for code, rule in sorted(registry.items()):
        ctx = RuleContext(rule)
        raised = None
        try:
            rule.func(copy.deepcopy(tables), ctx)
        except Exception as err:  # noqa: BLE001 - the validator swallows these; we report them
            raised = f"{type(err).__name__}: {err}"
        children = set()
        flagged = 0
        for table, row, error in _rows(ctx):
            flagged += 1
            child = _child(data, table, row, error)
            if child is not None:
                children.add(child)
        whole = bool(getattr(ctx, "_RuleContext__la_issues", None))
        rules[str(code)] = {
            "type": rule.rule_type.value,
            "message": rule.message,
            "raised": raised,
            "flagged": flagged,
            "children": sorted(children),
            "whole_return": whole,
        }
    validator = cin_validator.CinValidator(copy.deepcopy(data), registry)
    report = {
        "rules_failed": sorted(str(c) for c in validator.rules_broken),
        "whole_return": sorted(str(c) for c in validator.multichild_issues["rule_code"]),
    }
    children = int(data["ChildIdentifiers"]["LAchildID"].nunique())
    return {"ruleset": ruleset, "children": children, "rules": rules, "report": report}


if __name__ == "__main__":
    ruleset = sys.argv[2] if len(sys.argv) > 2 else "cin2025_26"
    print(json.dumps(run(sys.argv[1], ruleset), indent=1, sort_keys=True))
