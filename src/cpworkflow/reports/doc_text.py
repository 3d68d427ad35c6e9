"""Text for the self-documentation commands (`cpw rules`, `cpw events`, `cpw policies`):
the guards and timescales of a pack, each event type with a table of its fields, the packs."""

from __future__ import annotations

from typing import Any

from cpworkflow.reports.tables import table

Json = dict[str, Any]


def rules(doc: Json) -> str:
    lines = [f"Policy {doc['policy']} {doc['version']}: {doc['title']}", "", "Guards:"]
    lines.append(
        table(
            [
                [g["id"], "on" if g["enabled"] else "off", g["summary"], g["source"]]
                for g in doc["guards"]
            ],
            ("ID", "", "RULE", "SOURCE"),
        )
    )
    lines += ["", "Timescales:"]
    lines.append(
        table(
            [
                [
                    t["id"],
                    "on" if t["enabled"] else "off",
                    t["summary"],
                    t["when"],
                    t["owner_role"],
                    t["source"],
                ]
                for t in doc["timescales"]
            ],
            ("ID", "", "OBLIGATION", "DUE", "OWNER", "SOURCE"),
        )
    )
    return "\n".join(lines)


def events(doc: Json) -> str:
    """Each event type: its summary, stages, who records it, and a table of its fields (for
    one type, also the structures its fields hold)."""
    blocks = []
    for e in doc["events"]:
        lines = [f"{e['type']}: {e['summary']}" if e["summary"] else e["type"]]
        lines.append(f"  accepted in: {', '.join(e['stages'])}")
        who = ", ".join(e["recorded_by"]) or "no role"
        lines.append(f"  recorded by ({doc['policy']} pack): {who}")
        lines += (
            _field_rows(e["fields"]) if e["fields"] else ["  no fields: record it without --data"]
        )
        for name, fields in e.get("structures", {}).items():
            lines += ["", f"  {name}:", *_field_rows(fields, indent="    ")]
        if "structures" in e:
            lines += ["", f"  An example to start from: cpw events {e['type']} --template"]
        blocks.append("\n".join(lines))
    roles = ", ".join(doc["person"]["role"])
    blocks.append(f'A person is {{"id": "...", "role": ROLE}}, ROLE one of {roles}.')
    return "\n\n".join(blocks)


def _field_rows(fields: list[Json], indent: str = "  ") -> list[str]:
    rows = [
        [
            f["name"],
            f["kind"],
            "required" if f["required"] else "optional",
            ", ".join(f["allowed"]),
        ]
        for f in fields
    ]
    text = table(rows, ("FIELD", "TYPE", "NEEDED", "ALLOWED"))
    return [indent + line.rstrip() for line in text.splitlines()]


def policies(doc: list[Json]) -> str:
    return table(
        [[p["id"], p["version"], p["nation"], p["title"]] for p in doc],
        ("PACK", "VERSION", "NATION", "TITLE"),
    )
