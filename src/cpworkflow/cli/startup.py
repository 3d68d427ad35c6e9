"""Start-up without the cyclic garbage collector: a command's first imports (structlog,
then SQLAlchemy, the store, the service and the policy packs) make a few hundred thousand
objects that live as long as the process, and each full collection during them walks
them all again: about a tenth of a cold `cpw show`. `importing` turns the collector off
for such a block, then moves what it made to the permanent generation (`gc.freeze`, so
later collections skip it) and turns the collector on again: the command's own work runs
with it on, as before. Each block pauses it once a process (a test process that runs many
commands in process pays nothing more, and freezes nothing more)."""

from __future__ import annotations

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
