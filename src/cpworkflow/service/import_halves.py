"""`cpw import` on two cores: the cases split between this process and a forked one, each
deciding its own cases' envelopes, this one writing both halves' events in the one
transaction, batch by batch, in the order one process would have written them.

Cases are independent: what an envelope decides to depends only on its case (and the
store), so a case decided wholly by one process decides as it would in one process alone.
This process reads the file, once: for each line it finds the case (a quick read of
`case_id` alone; the full read where that fails) and keeps the line or hands it to the
other process, whose cases are those `_theirs` picks. At the end of each batch both halves
are in: the events are written case by case in the order of each case's last line in the
batch, as one process orders them (`importing._Import.pending`). The other process reads
the store only through this one (`_Remote`: the cases it brings back in, within the one
transaction, so it sees what this import wrote).

The first error is the one of the lowest line number of either half (a case's error does
not depend on the other cases; a bad line ends the file for both), raised as one process
would raise it, with the same progress told before it; nothing is written, as ever.
Progress is told a batch at a time, once both halves have decided it. Each half keeps half
of `Limits`' cases and events in memory, so the two hold what one would.
"""

from __future__ import annotations

import contextlib
import pickle
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import msgspec
import msgspec.msgpack

from cpworkflow.errors import BadInputError
from cpworkflow.logs import get_logger
from cpworkflow.records import CaseView, StoredEvent
from cpworkflow.service.halves import cores
from cpworkflow.store.rows import Parts

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from cpworkflow.service.importing import Failure, Numbered, Written, _Import
    from cpworkflow.store.bulk import BulkWriter

log = get_logger("cpworkflow.service")
PARALLEL_FROM = 2_000  # lines: below, starting a process costs more than it saves
_POLL_EVERY = 64  # this process's lines decided between two looks at the other's reads

# A failure as the halves report it: the line (None: reading the cases back, before any
# line), the error as raised, and whether the line was read (then its progress was told).
Failed = tuple[int | None, Exception, bool]
Portable = tuple[type[Exception], tuple[Any, ...], dict[str, Any]]


class SecondProcessError(RuntimeError):
    """The forked process of a two-process import died without a word (killed, say): the
    import fails, and its transaction is rolled back, as for any other error."""


def worth_it() -> bool:
    """Two cores and no other thread (a fork copies only the calling thread: a lock
    another holds, in logging or a connection pool, would stay locked)."""
    return cores() > 1 and threading.active_count() == 1


# A batch decided by the other process, as it sends it: its cases' events and views, the
# cases it let go, and its events and duplicates so far. MessagePack, typed: several times
# quicker both ways than pickling these many small tuples.
Done = tuple[list[tuple[str, list[Parts], int, CaseView]], list[str], int, int]
_DONE = msgspec.msgpack.Encoder()
_DONE_READ = msgspec.msgpack.Decoder(Done)


class _Head(msgspec.Struct):
    case_id: str


_HEAD = msgspec.json.Decoder(_Head)


def _theirs(case_id: str) -> bool:
    """The other process's cases: about three in five (this one also reads and writes:
    measured, that balances the two on both engines)."""
    return zlib.crc32(case_id.encode("utf-8", "surrogatepass")) % 50 < 31


def import_in_two(
    job: _Import,
    writer: BulkWriter,
    lines: Iterable[bytes | str],
    progress: Callable[[int], None] | None,
) -> None:
    """Decide and write every line, as `job.decide` then `job.write` a batch at a time
    would, in two processes. The other half's events and duplicates are added to `job`'s."""
    from cpworkflow.service.importing import _Import

    half = replace(
        job.limits,
        keep_cases=max(1, job.limits.keep_cases // 2),
        keep_events=max(1, job.limits.keep_events // 2),
    )
    job.limits = half
    import multiprocessing  # here, not at the top: no other command pays for its import

    context = multiprocessing.get_context("fork")
    here, there = context.Pipe()
    other = _Import(job.service, _Remote(there), half)
    child = context.Process(target=_second, args=(other, there), daemon=True)
    child.start()
    there.close()
    try:
        _first(job, writer, here, lines, progress)
        _send(here, ("end", None))
        child.join()
    except (BrokenPipeError, ConnectionResetError, EOFError):  # the other process is gone
        raise SecondProcessError("the import's second process ended unexpectedly") from None
    finally:
        if child.is_alive():
            child.kill()
            child.join()
        here.close()


def _first(
    job: _Import,
    writer: BulkWriter,
    pipe: Connection,
    lines: Iterable[bytes | str],
    progress: Callable[[int], None] | None,
) -> None:
    """This process's side: read and split each batch, decide its half, take the other's,
    write both. The next batch is read while the other process finishes deciding this
    one, and handed over as soon as it has; what the store holds of the other's cases
    that it does not have in memory (it tells which it let go) is sent ahead, so it never
    waits on a question: before this batch is written if none of them is written in it,
    else just after. An error reading the file ahead is raised where one process would
    have met it: after this batch."""
    events = duplicates = 0
    held: set[str] = set()  # the cases the other process has in memory
    batches = _split(lines, job.limits.batch)
    batch = next(batches, None)
    if batch is not None:
        _send(pipe, ("batch", [line for _, line in batch[2]]))
        _preload(writer, pipe, {cid for cid, _ in batch[2]})
    while batch is not None:
        ids, mine, theirs, bad = batch
        serving = _Serving(writer, pipe)
        own = job.attempt(mine, serving.between_lines)
        failed: Failed | None = None if own is None else (own[0], own[1], True)
        ahead: Exception | None = None
        try:
            upcoming = next(batches, None) if bad is None else None
        except Exception as err:  # noqa: BLE001 - raised after this batch, as one process would
            upcoming, ahead = None, err
        reply = serving.reply()
        if reply[0] != "done":
            number, portable, read = reply[1]
            failed = _earliest(failed, (number, _rebuilt(portable), read))
        failed = _earliest(failed, bad)
        if failed is not None:
            _raise(failed, ids, progress)
        written, gone, events, duplicates = _DONE_READ.decode(reply[1])
        now = {cid for cid, _ in theirs}  # the other's cases this batch writes
        held.update(now)
        held.difference_update(gone)
        wanted = set() if upcoming is None else {cid for cid, _ in upcoming[2]} - held
        early = upcoming is not None and wanted.isdisjoint(now)
        if upcoming is not None:
            _send(pipe, ("batch", [line for _, line in upcoming[2]]))
            if early:
                _preload(writer, pipe, wanted)
        if progress is not None:
            for number, _ in ids:
                progress(number)
        _write(writer, ids, job.pending(), written)
        writer.forget(job.settle() + gone)
        if ahead is not None:
            raise ahead
        if upcoming is not None and not early:
            _preload(writer, pipe, wanted)
        batch = upcoming
    job.events += events
    job.duplicates += duplicates


def _send(pipe: Connection, message: tuple[str, Any]) -> None:
    """This process's word to the other, let go if the other has gone: what it said before
    going (its "failed", with the error that made it stop) is still in the pipe and is
    read as its reply, as if it had gone a moment later; one that went without a word is
    found when that reply is read (EOFError: SecondProcessError)."""
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        pipe.send(message)


def _preload(writer: BulkWriter, pipe: Connection, wanted: set[str]) -> None:
    """What the other process's `_bring_in` will read for a batch, sent ahead: the
    versions of its cases not in its memory, and the stored events of those that have
    any (or the error reading them raised, which it raises as its own)."""
    asked = sorted(wanted)
    try:
        versions = writer.versions(asked)
        stored = list(writer.events_of(versions))
    except Exception as err:  # noqa: BLE001 - the other process raises it as its own
        _send(pipe, ("error", _portable(err)))
        return
    _send(pipe, ("preload", (asked, versions, stored)))


Lines = list[tuple[str, tuple[int, bytes | str]]]  # the other's lines: case, number, line


def _split(
    lines: Iterable[bytes | str], size: int
) -> Iterator[tuple[list[tuple[int, str]], Numbered, Lines, Failed | None]]:
    """The file `size` lines at a time: each line's number and case, this process's
    envelopes, the other's lines; a line that is not an envelope ends the file. Should
    reading the file fail, the error is raised as one process raises it: unless a line of
    the batch before it is not an envelope (the other's lines are read here, then)."""
    from cpworkflow.service.importing import envelope_of

    ids: list[tuple[int, str]] = []
    mine: Numbered = []
    theirs: Lines = []
    numbered = enumerate(lines, 1)
    while True:
        try:
            number, line = next(numbered)
        except StopIteration:
            break
        except Exception:
            unread = _first_unread(theirs)
            if unread is None:
                raise
            cut = unread[0]
            yield (
                [i for i in ids if i[0] < cut],
                [m for m in mine if m[0] < cut],
                [t for t in theirs if t[1][0] < cut],
                (cut, unread[1], False),
            )
            return
        if not line or line.isspace():  # a blank line (isspace: no copy, as strip makes)
            continue
        try:
            case_id, envelope = _HEAD.decode(line).case_id, None
        except (msgspec.DecodeError, RecursionError, ValueError):
            envelope = None
            case_id = ""
        try:
            if not case_id:
                envelope = envelope_of(line)
                case_id = envelope.case_id
            if _theirs(case_id):
                theirs.append((case_id, (number, line)))
            else:
                mine.append((number, envelope if envelope is not None else envelope_of(line)))
        except BadInputError as err:
            yield ids, mine, theirs, (number, err, False)
            return
        ids.append((number, case_id))
        if len(ids) == size:
            yield ids, mine, theirs, None
            ids, mine, theirs = [], [], []
    if ids:
        yield ids, mine, theirs, None


def _first_unread(theirs: Lines) -> tuple[int, BadInputError] | None:
    """The first of the other's lines that is not an envelope, and why."""
    from cpworkflow.service.importing import envelope_of

    for _, (number, line) in theirs:
        try:
            envelope_of(line)
        except BadInputError as err:
            return number, err
    return None


def _earliest(a: Failed | None, b: Failed | None) -> Failed | None:
    """The failure one process would have met first: reading the cases back comes before
    any line of the batch (and reads them in case order); then the lower line number."""
    if a is None or b is None:
        return a or b
    if a[0] is None and b[0] is None:  # both reading cases back: the first case's error
        return a if str(getattr(a[1], "case_id", "")) <= str(getattr(b[1], "case_id", "")) else b
    return a if (a[0] or 0) <= (b[0] or 0) else b


def _raise(
    failed: Failed, ids: list[tuple[int, str]], progress: Callable[[int], None] | None
) -> None:
    from cpworkflow.service.importing import lined

    number, err, read = failed
    if progress is not None and number is not None:
        for n, _ in ids:
            if n < number or (n == number and read):
                progress(n)
    if number is None:
        raise err
    raise lined(err, number) from None


def _write(
    writer: BulkWriter, ids: list[tuple[int, str]], mine: list[Written], theirs: list[Written]
) -> None:
    """Both halves' events, case by case in the order of each case's last line."""
    by_case = {w[0]: w for w in mine + theirs}
    order = reversed(dict.fromkeys(cid for _, cid in reversed(ids)))
    written = [by_case[cid] for cid in order if cid in by_case]
    if len(written) != len(by_case):
        raise RuntimeError("an import half decided events for a case not in its batch")
    writer.append(
        [(cid, events, at) for cid, events, at, _ in written],
        {cid: view for cid, _, _, view in written},
    )
    for cid, events, at, _ in written:
        log.info("imported case", case_id=cid, first_seq=at + 1, events=len(events))


class _Serving:
    """This process's side of the pipe during a batch: the other's reads of the store
    served (between this process's own lines, and while waiting), until its reply."""

    def __init__(self, writer: BulkWriter, pipe: Connection) -> None:
        self.writer, self.pipe = writer, pipe
        self.answer: tuple[str, Any] | None = None
        self.lines = 0

    def between_lines(self, _number: int) -> None:
        self.lines += 1
        if self.lines % _POLL_EVERY == 0:
            while self.answer is None and self.pipe.poll():
                self._take()

    def reply(self) -> tuple[str, Any]:
        while self.answer is None:
            self._take()
        return self.answer

    def _take(self) -> None:
        kind, argument = self.pipe.recv()
        if kind in ("done", "failed"):
            self.answer = (kind, argument)
            return
        try:
            _send(self.pipe, ("ok", self.writer.originals(argument)))
        except Exception as err:  # noqa: BLE001 - the other process raises it as its own
            _send(self.pipe, ("error", _portable(err)))


class _Remote:
    """The store as the other process reads it: through this one's open transaction. What
    a batch brings back in is sent ahead (`_preload`); only repeated keys are asked for."""

    def __init__(self, pipe: Connection) -> None:
        self.pipe = pipe
        self.stored: dict[str, list[StoredEvent]] = {}

    def _answer(self) -> Any:
        kind, value = self.pipe.recv()
        if kind == "error":
            raise _rebuilt(value)
        return value

    def versions(self, case_ids: Sequence[str]) -> dict[str, int]:
        sent, versions, stored = self._answer()  # the batch's preload
        if not set(case_ids) <= set(sent):
            raise RuntimeError("the import's second process was not sent what it reads")
        self.stored = dict(stored)
        return {cid: versions[cid] for cid in case_ids if cid in versions}

    def events_of(self, versions: Mapping[str, int]) -> Iterator[tuple[str, list[StoredEvent]]]:
        stored, self.stored = self.stored, {}
        for cid in sorted(versions):
            yield cid, stored[cid]

    def originals(self, keys: Mapping[str, Sequence[str]]) -> dict[tuple[str, str], StoredEvent]:
        self.pipe.send(("originals", {cid: list(k) for cid, k in keys.items()}))
        return dict(self._answer())


def _second(job: _Import, pipe: Connection) -> None:
    """The forked process: decides its cases' lines of each batch it is sent."""
    from cpworkflow.service.importing import envelope_of

    try:
        while True:
            kind, lines = pipe.recv()
            if kind == "end":
                return
            envelopes: Numbered = []
            bad: Failure | None = None
            for number, line in lines:
                try:
                    envelopes.append((number, envelope_of(line)))
                except BadInputError as unread:
                    bad = (number, unread)
                    break
            failed = job.attempt(envelopes, None)
            if failed is not None or bad is not None:
                at, why = failed or bad  # type: ignore[misc]
                pipe.send(("failed", (at, _portable(why), failed is not None)))
                return
            written, gone = job.pending(), job.settle()
            pipe.send(("done", _DONE.encode((written, gone, job.events, job.duplicates))))
    except BaseException as err:  # noqa: BLE001 - told to the first process, which raises it
        with contextlib.suppress(Exception):
            pipe.send(("failed", (None, _portable(err), False)))


def _portable(err: BaseException) -> Portable:
    """An error as it can cross to the other process: its class, args and attributes."""
    portable = (type(err), err.args, dict(vars(err)))
    try:
        pickle.dumps(portable)
    except Exception:  # noqa: BLE001 - told as text instead
        return (RuntimeError, (f"{type(err).__name__}: {err}",), {})
    return portable  # type: ignore[return-value]


def _rebuilt(portable: Portable) -> Exception:
    cls, args, state = portable
    err = cls.__new__(cls)
    err.args = args
    vars(err).update(state)
    return err
