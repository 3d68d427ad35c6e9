"""The lines of the JSON Lines file `cpw import` reads, never held whole: the file is read
twice, once to check it (every line at most 1 MiB, at least one envelope, and how many
lines there are, for the progress bar) before the store is opened, then line by line as
the import decides. Standard input is copied to a temporary file first (in memory up to
a few MiB, on disk beyond), so it can be read twice too."""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from cpworkflow.cli.support import MAX_LINE_BYTES
from cpworkflow.errors import BadInputError

_SPOOL_BYTES = 8 * 1024 * 1024


@contextmanager
def opened(file: str) -> Iterator[IO[bytes]]:
    """FILE, or standard input for `-`, open for reading bytes."""
    if file == "-":
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as copy:
            shutil.copyfileobj(sys.stdin.buffer, copy)
            copy.seek(0)
            yield copy
        return
    try:
        stream = Path(file).open("rb")  # noqa: SIM115 - closed below, after the import
    except OSError as err:
        raise BadInputError(f"cannot read {file!r}: {err.strerror}", field="FILE") from None
    with stream:
        yield stream


def checked(stream: IO[bytes]) -> int:
    """How many lines the file has; BadInputError for a line over 1 MiB or a file without
    an envelope. Leaves the stream at its start again."""
    count, envelopes = 0, False
    for line in lines(stream):
        count += 1
        envelopes = envelopes or bool(line.strip())
    stream.seek(0)
    if not envelopes:
        raise BadInputError("the file has no envelopes", field="FILE")
    return count


def lines(stream: IO[bytes]) -> Iterator[bytes]:
    """Each line, without its newline, read as it is asked for (as `split(b"\\n")` would
    cut the file: the empty line after a last newline included)."""
    number = 0
    while True:
        try:
            line = stream.readline(MAX_LINE_BYTES + 2)  # a longer line is not read whole
        except OSError as err:
            raise BadInputError(f"cannot be read: {err.strerror}", field="FILE") from None
        number += 1
        body = line[:-1] if line.endswith(b"\n") else line
        if len(body) > MAX_LINE_BYTES:
            raise BadInputError("the line is longer than 1 MiB", line=number)
        yield body
        if not line.endswith(b"\n"):
            return
