"""The garbage collector held back while verify makes its pass.

verify builds many short-lived containers (each event's decoded texts, the fold's state)
and drops each case's with it: its pass leaves no reference cycles, so the collector finds
nothing to free, yet its passes cost some tenth of verify's time. A young pass every 700
allocations walks the objects made since the last; a full one walks every object the
process holds (its imports, SQLAlchemy's caches), and in verify's forked second half
(service/halves.py), by touching each one's header, copies the parent's pages it shares.
So for the pass the objects held so far are frozen (left out of every collection) and the
young generation is collected every YOUNG allocations: still collected, so memory stays
bounded should a cycle be made, but seldom. Both are undone afterwards. A caller who
turned the collector off is left as it was. A caller who froze objects (as `cpw`'s
start-up has, cli/startup.py, before `cpw verify` begins) keeps them frozen, and nothing
more is frozen (`gc.unfreeze` would thaw theirs with ours); the young generation is held
back all the same, or the command would collect every 700 allocations.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG = 20_000  # allocations between two young collections during the pass (Python: 700)


@contextmanager
def held_back() -> Iterator[None]:
    """The collector as the module's doc says, for the `with` block."""
    threshold = gc.get_threshold()
    if not gc.isenabled() or not threshold[0]:
        yield
        return
    freeze = not gc.get_freeze_count()  # none frozen yet: ours alone, thawed afterwards
    if freeze:
        gc.freeze()
    gc.set_threshold(max(YOUNG, threshold[0]), threshold[1], threshold[2])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if freeze:
            gc.unfreeze()
