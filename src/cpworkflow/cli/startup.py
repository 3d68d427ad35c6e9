"""Start-up and exit without needless work for the cyclic garbage collector: a command's
first imports (SQLAlchemy, the store, the service and the policy packs)
make a few hundred thousand objects that live as long as the process, and each full
collection walks them all again, during the imports and once more on the way out (Python
collects as it shuts down, even with the collector off). `importing` turns the collector
off for such a block, then moves what it made to the permanent generation (`gc.freeze`:
collections skip it) and turns the collector on again, so the command's own work runs
with it on, as before. Each block pauses it once a process (a test process that runs many
commands in process pays nothing more, and freezes nothing more). `skip_last_collection`
freezes everything as the process exits, when nothing more is to be freed: `cpw`'s
entry point asks for it, a process that calls `main` in a loop gets it once, at its end.
Together a third of a cold `cpw show`'s CPU time (bench/startup.py)."""

from __future__ import annotations

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager

_DONE: set[str] = set()


@contextmanager
def importing(block: str) -> Iterator[None]:
    """The collector off while `block` first runs in this process; on again after it,
    with what the block made frozen. A no-op if the collector was already off (someone
    else's choice) or the block has run before."""
    if block in _DONE or not gc.isenabled():
        yield
        return
    _DONE.add(block)
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def skip_last_collection() -> None:
    """At this process's exit, before Python's last collection: freeze every object, so
    that collection has nothing to walk (the process is ending; nothing is kept)."""
    if "exit" not in _DONE:
        _DONE.add("exit")
        atexit.register(gc.freeze)
