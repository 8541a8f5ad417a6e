"""Building a catalog version's index folder: in this process, or aside by child processes that write one segment
each over consecutive programs while the parent reads the file and stores it in SQL; a folder is published only when
whole.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import os
import pickle
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from subprocess import DEVNULL, PIPE
from typing import BinaryIO

import orjson
from whoosh import index

from app.catalog import shares
from app.catalog.models import CheckedCatalog, Program
from app.search.columns import Columns, ColumnsBuilder
from app.search.indexdir import SegmentWriter, folder_for, rows_of, write_index, write_segment
from app.search.query import Document

log = logging.getLogger("mentordir")

ASIDE_PROCESSES = 2  # children writing a new catalog's index segments; the parent meanwhile stores it in SQL
ASIDE_MIN_PROGRAMS = 1000  # programs per child at least: starting a process costs ~0.15 s, indexing 1,000 ~0.2 s
# When a program changed does not matter to the index (it holds text): the documents it is built from all say this.
INDEXED = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
ASIDE_BATCH = 1000  # programs handed to a child at a time
# While the parent reads the file, it is the slower side: the indexing children give way to it.
ASIDE_NICENESS = 10
ASIDE_MODULE = __name__  # what the children run (`python -m app.search.build PART`)


def _publish(scratch: Path, target: Path) -> None:
    """Rename a finished scratch folder into place; losing the race to another process's identical build is fine."""
    try:
        os.rename(scratch, target)
    except OSError:
        shutil.rmtree(scratch, ignore_errors=True)
        if not index.exists_in(str(target)):  # not a lost race: a real failure
            raise


def build_if_missing(directory: Path, version: str, documents: Callable[[], Sequence[Document]]) -> Path:
    """This version's index folder in `directory`, built first (in a scratch folder, then renamed) if missing;
    `documents()` is called only then."""
    target = folder_for(directory, version)
    _finish_aside(target)
    if not index.exists_in(str(target)):
        directory.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".build-{version}-", dir=directory))
        try:
            listed = documents()
            rows = rows_of(listed)
            segment, words = write_segment(scratch, rows)
            write_index(scratch, [segment], words, [program_id for program_id, _ in rows], Columns.of(listed))
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        _publish(scratch, target)
    os.utime(target)
    return target


# --- building on the other cores while the caller reads and stores the catalog -----------------------------


class Aside:
    """Child processes (`python -m app.search.build PART`) indexing a new catalog while its file is still being read.

    Reading (parsing and validating) 100,000 programs takes one core for seconds, and so does indexing them: each
    program is handed over (`take`) as soon as it has been read and found valid, and the children index it on the
    other core meanwhile. The first programs go to one child and the rest to the next, each writing one segment over
    its consecutive share, so docnums and scores are those of a single segment. `expected` (the entries the file
    seems to list, `expect`) only sets where the shares divide: any count is indexed whole.

    The file's verdict comes after the last program: `abandon` on a refusal (no child left running, no folder left
    behind); `finish` once accepted, and `build_if_missing` for that version waits for the children and assembles
    the index, or builds it in-process after all if a child failed: the children can only save time.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._ends: list[int] = []  # where each share but the last ends
        self._on = False
        self._scratch: Path | None = None
        self._children: list[_Child] = []
        self._ids: list[str] = []
        self._batch: list[str] = []

    def expect(self, entries: int) -> None:
        """How many programs the file seems to list (it sets where the shares divide)."""
        parts = min(ASIDE_PROCESSES, entries // ASIDE_MIN_PROGRAMS)  # a small catalog is indexed in-process
        self._ends = [entries * (k + 1) // parts for k in range(parts - 1)]
        self._on = parts > 0

    def take(self, program: Program) -> None:
        """The next program of the file, valid. Its record goes to the children as the JSON text the database
        stores (made once, kept by the program for that)."""
        if not self._on:
            return
        self._ids.append(program.id)
        self._batch.append(program.raw)
        share_ends = len(self._ids) in self._ends
        if len(self._batch) >= ASIDE_BATCH or share_ends:
            self._send(last=share_ends)

    def _send(self, *, last: bool) -> None:
        try:
            if self._batch:
                if not self._children or self._children[-1].closed:  # a share's first batch: its child starts
                    self._children.append(_Child.start(self._part(len(self._children))))
                self._children[-1].send(pickle.dumps(self._batch, protocol=pickle.HIGHEST_PROTOCOL))
                self._batch = []
            if last and self._children:
                self._children[-1].close()
        except OSError as exc:
            log.warning("could not start indexing aside (%s); the index is built in this process", exc)
            self.abandon()

    def _part(self, k: int) -> Path:
        if self._scratch is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._scratch = Path(tempfile.mkdtemp(prefix=".build-", dir=self.directory))
        part = self._scratch / f"part-{k}"
        part.mkdir()
        return part

    def abandon(self) -> None:
        """Stop: the children are killed and their folder removed."""
        self._on = False
        if self._scratch is not None:
            _Building(self._scratch, self._children, self._ids).abandon()
        self._children, self._scratch = [], None

    def finish(self, version: str, count: int) -> AbstractContextManager[None]:
        """The file was accepted as this version of `count` programs: the children get their last programs; the
        block this returns waits for them on exit (as `build_if_missing` for this version would)."""
        if self._on:
            self._send(last=True)
        self._on = False
        if not self._children or count != len(self._ids) or self._scratch is None:
            self.abandon()  # nothing started (small, or could not start)
            return _finishing(folder_for(self.directory, version))
        return _Building(self._scratch, self._children, self._ids).hand_over(self.directory, version)


def read_aside(
    directory: Path, data: bytes, display: str, max_values: int, entries: int, max_programs: int
) -> tuple[CheckedCatalog, AbstractContextManager[None]] | None:
    """Read a large catalog file in shares, a child process each (`app.catalog.shares`), the children then
    indexing their programs: the catalog, and a block that waits for its index on exit (as `Aside.finish`).

    None when the file is small, not laid out one entry marker a line, or not valid as read in shares (nothing is
    left behind): the caller reads it the usual way, which reports its problems.
    """
    parts = min(ASIDE_PROCESSES, entries // ASIDE_MIN_PROGRAMS)
    cut = shares.layout(data, parts) if parts >= 2 else None  # one share would only move the reading elsewhere
    if cut is None:
        return None
    scratch: Path | None = None
    children: list[_Child] = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".build-", dir=directory))
        for k, (start, end) in enumerate(cut.cuts):
            (scratch / f"part-{k}").mkdir()
            children.append(_Child.start(scratch / f"part-{k}", reading=True))
            children[-1].send(pickle.dumps((display, max_values, max_programs, end - start)))
            children[-1].send(memoryview(data)[start:end])
            children[-1].close()
        reads = []
        for child in children:
            if (read := child.share()) is None:
                raise _Declined
            reads.append(read)
        catalog = shares.join(cut.header, reads, display, max_values, max_programs)
        if catalog is None:
            raise _Declined
    except BaseException as exc:  # declined, or failed: no child left running, no folder left behind
        if scratch is not None:
            _Building(scratch, children, []).abandon()
        if isinstance(exc, _Declined | OSError):
            return None
        raise
    building = _Building(scratch, children, [p.id for p in catalog.programs])
    return catalog, building.hand_over(directory, catalog.version)


class _Declined(Exception):
    pass


_ERRORS = "errors.txt"  # what a child printed to stderr, in its folder


class _Child:
    """One child process and the thread feeding it (the parent never waits on a full pipe)."""

    def __init__(self, part: Path, process: subprocess.Popen[bytes]) -> None:
        self.part = part
        self.process = process
        self.closed = False
        self._queue: queue.SimpleQueue[bytes | memoryview | None] = queue.SimpleQueue()
        self._feeder = threading.Thread(target=self._feed, name=f"index-{part.name}", daemon=True)
        self._feeder.start()

    @classmethod
    def start(cls, part: Path, *, reading: bool = False) -> _Child:
        """A child indexing the batches of records it is sent; `reading`: one reading the share it is sent."""
        command = [sys.executable, "-m", ASIDE_MODULE, str(part), *(["--read"] if reading else [])]
        stdout = PIPE if reading else DEVNULL
        with (part / _ERRORS).open("wb") as errors:  # a file, not a pipe: a child that says much never blocks
            return cls(part, subprocess.Popen(command, stdin=PIPE, stdout=stdout, stderr=errors))

    def send(self, data: bytes | memoryview) -> None:
        self._queue.put(data)

    def close(self) -> None:
        self._queue.put(None)
        self.closed = True

    def _feed(self) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        try:
            while (data := self._queue.get()) is not None:
                stdin.write(data)
        except OSError:
            pass  # the child died: its exit status says so
        finally:
            with contextlib.suppress(OSError):
                stdin.close()

    def share(self) -> shares.ShareRead | None:
        """A reading child's verdict on its share: what it read, or None if it declined (or died)."""
        assert self.process.stdout is not None
        if self.process.stdout.readline() != b"read\n":
            return None
        read: shares.ShareRead = pickle.loads((self.part / "share.pickle").read_bytes())  # our own child's
        return read

    def wait(self) -> str | None:
        """Wait for the child: None if it wrote its segment, else why not."""
        if not self.closed:
            self.close()
        self._feeder.join()
        self.process.stdin = None  # closed by the feeder
        self.process.communicate()
        if self.process.returncode:
            try:
                said = (self.part / _ERRORS).read_text(errors="replace").strip().splitlines()[-1:]
            except OSError:
                said = []
            return (said or [f"exit status {self.process.returncode}"])[0]
        return None

    def kill(self) -> None:
        self.process.kill()
        self.wait()


@dataclass
class _Building:
    scratch: Path
    children: list[_Child]
    ids: list[str]  # the programs' ids, in the order of the children's shares: docnum order

    def hand_over(self, directory: Path, version: str) -> AbstractContextManager[None]:
        """Let `build_if_missing` of this version wait for the children; the block returned waits on exit."""
        target = folder_for(directory, version)
        if index.exists_in(str(target)):
            self.abandon()  # this version's index is already there
        else:
            with _aside_lock:
                _aside[target] = self
        return _finishing(target)

    def abandon(self) -> None:
        for child in self.children:
            child.kill()
        shutil.rmtree(self.scratch, ignore_errors=True)


_aside: dict[Path, _Building] = {}  # target folder -> the children building it
_aside_lock = threading.Lock()


@contextmanager
def _finishing(target: Path) -> Iterator[None]:
    try:
        yield
    finally:
        _finish_aside(target)


def _finish_aside(target: Path) -> None:
    """Wait for the children building `target`, if any, and put their segments together as the index."""
    with _aside_lock:
        building = _aside.pop(target, None)
    if building is None:
        return
    try:
        failures = [failed for child in building.children if (failed := child.wait())]
        if failures:
            log.warning("building the index aside failed (%s); building it in this process", failures[0])
            return
        segments, words, columns = [], Counter[str](), ColumnsBuilder()
        for child in building.children:
            segment, part_words, part_columns = pickle.loads((child.part / "segment.pickle").read_bytes())  # our own
            segments.append(segment)
            words.update(part_words)
            columns.extend(part_columns)
            for file in child.part.glob("*.seg"):
                file.rename(building.scratch / file.name)
            shutil.rmtree(child.part)
        write_index(building.scratch, segments, words, building.ids, columns.finish())
        _publish(building.scratch, target)
    finally:
        shutil.rmtree(building.scratch, ignore_errors=True)


def _main(argv: Sequence[str]) -> int:
    """A child of `Aside`: index the batches of records (JSON texts) read from stdin as a segment in PART, and
    write what it wrote (the segment, the words, the columns) to PART/segment.pickle. With --read, a child of
    `read_aside`: first read the share of the file sent on stdin, write what it holds to PART/share.pickle and
    say `read` on stdout (or `declined`, and stop), then index its programs the same way."""
    gc.disable()  # a short-lived process making objects that all live until it exits (see app.live.loading.gc_paused)
    part = Path(argv[0])
    if argv[1:] == ["--read"]:
        share = _read(part, sys.stdin.buffer)
        if share is None:
            return 0
        batches: Iterable[list[str]] = (share[k : k + ASIDE_BATCH] for k in range(0, len(share), ASIDE_BATCH))
    else:
        os.nice(ASIDE_NICENESS)  # the parent reading the file is the longer path: give way to it
        batches = _batches(sys.stdin.buffer)
    columns = ColumnsBuilder()
    with SegmentWriter(part) as writer:
        for records in batches:
            documents = [Document.from_record(orjson.loads(r), updated_at=INDEXED) for r in records]
            writer.add(rows_of(documents))
            columns.add(documents)
        segment, words = writer.finish()
    (part / "segment.pickle").write_bytes(pickle.dumps((segment, words, columns), protocol=pickle.HIGHEST_PROTOCOL))
    return 0


def _read(part: Path, stream: BinaryIO) -> list[str] | None:
    """Read the share sent by our parent; its programs' records, or None if declined (said on stdout)."""
    display, max_values, max_programs, size = pickle.load(stream)
    share = stream.read(size)
    read = shares.read_share(share, display, max_values, max_programs) if len(share) == size else None
    del share
    if read is not None:
        (part / "share.pickle").write_bytes(pickle.dumps(read, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.write("read\n" if read is not None else "declined\n")
    sys.stdout.flush()
    return [p.raw for p in read.programs] if read is not None else None


def _batches(stream: BinaryIO) -> Iterator[list[str]]:
    """The batches our own parent process writes (pickled lists of records), until it closes the pipe."""
    while True:
        try:
            yield pickle.load(stream)
        except EOFError:
            return


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
