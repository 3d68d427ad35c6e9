"""Record the sample cases through the engine and export them to eventstore/samples/.

Deterministic: "today" is each event's own date, and recorded_at is that date at 17:00 UTC
plus one second per event. The files are frozen once committed (tests replay and verify
them); run this only to add a new sample, never to rewrite an old one.

    python scripts/make_samples.py [OUT_DIR]
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from sample_cases import CASES

from cpworkflow import logs
from cpworkflow.reads import Reads
from cpworkflow.service import CaseService
from cpworkflow.store import EventStore


def main(out_dir: Path) -> None:
    logs.configure("warning")
    out_dir.mkdir(parents=True, exist_ok=True)
    state = {"today": date(2025, 1, 1), "tick": 0}

    def clock() -> datetime:
        state["tick"] = int(state["tick"]) + 1
        base = datetime.combine(state["today"], datetime.min.time(), tzinfo=UTC)  # type: ignore[arg-type]
        return base + timedelta(hours=17, seconds=int(state["tick"]))

    with tempfile.TemporaryDirectory() as tmp:
        store = EventStore(f"sqlite:///{tmp}/samples.db", clock=clock)
        store.init()
        service = CaseService(store, today=lambda: state["today"])  # type: ignore[arg-type,return-value]
        for case_id, build in CASES.items():
            for envelope in build():
                state["today"] = date.fromisoformat(envelope["occurred_on"])
                service.record(envelope)
            target = out_dir / f"{case_id}.jsonl"
            target.write_bytes(b"".join(Reads(service).export_jsonl([case_id])))
            print(f"wrote {target}")
        store.dispose()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("eventstore/samples"))
