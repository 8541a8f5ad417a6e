"""Building a catalog version's index folder: in this process, or aside by child processes that write one segment
each over consecutive programs while the parent stores the catalog in SQL; a folder is published only when whole.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from subprocess import DEVNULL, PIPE

from whoosh import index

from app.search.columns import Columns
from app.search.indexdir import folder_for, rows_of, write_index, write_segment
from app.search.query import Document

log = logging.getLogger("mentordir")

ASIDE_PROCESSES = 2  # children writing a new catalog's index segments; the parent meanwhile stores it in SQL
ASIDE_MIN_PROGRAMS = 1000  # programs per child at least: starting a process costs ~0.15 s, indexing 1,000 ~0.2 s
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


# --- building on the other cores while the caller stores the catalog -------------------------------------------


@dataclass
class _Aside:
    scratch: Path
    parts: list[Path]
    children: list[subprocess.Popen[bytes]]
    ids: list[str]  # the programs' ids, in the order of the parts' rows: docnum order
    columns: Columns | None = None  # worked out here while the children index
    started: bool = False  # every child started: only then do their segments make the whole index


_aside: dict[Path, _Aside] = {}  # target folder -> the children building it
_aside_lock = threading.Lock()


@contextmanager
def building_aside(
    directory: Path, version: str, count: int, documents: Callable[[], Sequence[Document]]
) -> Iterator[None]:
    """Within this block, child processes (`python -m app.search.build`) build this version's index.

    Storing a new catalog in SQL and indexing it are independent, and each takes a second or more at 10,000
    programs. Each child writes one segment over a consecutive share of the programs, so docnums and scores are
    those of a single segment. `build_if_missing` for this version waits for them and assembles the index, or
    builds it in-process after all if a child failed: the children can only save time. The block waits on exit.
    `documents()` (`count` of them) is called only when children are started.
    """
    target = folder_for(directory, version)
    count = min(ASIDE_PROCESSES, count // ASIDE_MIN_PROGRAMS)
    if count < 1 or index.exists_in(str(target)):  # a small catalog is indexed in-process in milliseconds
        yield
        return
    directory.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".build-{version}-", dir=directory))
    listed = documents()
    del documents  # nor what it made them from (a whole parsed catalog), while the caller goes on
    rows = rows_of(listed)
    aside = _Aside(scratch, [], [], [program_id for program_id, _ in rows])
    try:
        for k in range(count):
            part = scratch / f"part-{k}"
            part.mkdir()
            share = rows[len(rows) * k // count : len(rows) * (k + 1) // count]
            with (part / "rows.pickle").open("wb") as out:  # streamed: no second copy of the rows as bytes
                pickle.dump(share, out, protocol=pickle.HIGHEST_PROTOCOL)
            del share
            command = [sys.executable, "-m", ASIDE_MODULE, str(part)]
            aside.children.append(subprocess.Popen(command, stdin=DEVNULL, stdout=DEVNULL, stderr=PIPE))
            aside.parts.append(part)
        aside.started = True
        aside.columns = Columns.of(listed)
    except OSError as exc:
        log.warning("could not start building the index aside (%s); building it in this process", exc)
    del listed, rows  # the children have them: not kept in this frame while the caller stores the catalog
    with _aside_lock:
        _aside[target] = aside
    try:
        yield
    finally:
        _finish_aside(target)


def _finish_aside(target: Path) -> None:
    """Wait for the children building `target`, if any, and put their segments together as the index."""
    with _aside_lock:
        aside = _aside.pop(target, None)
    if aside is None:
        return
    try:
        failures = []
        for child in aside.children:
            _, stderr = child.communicate()
            if child.returncode:
                failures.append(stderr.decode(errors="replace").strip().splitlines()[-1:] or [str(child.returncode)])
        if failures or not aside.started or aside.columns is None:
            if failures:
                log.warning("building the index aside failed (%s); building it in this process", failures[0][0])
            return
        segments, words = [], Counter[str]()
        for part in aside.parts:
            segment, part_words = pickle.loads((part / "segment.pickle").read_bytes())  # our own child's output
            segments.append(segment)
            words.update(part_words)
            for file in part.glob("*.seg"):
                file.rename(aside.scratch / file.name)
            shutil.rmtree(part)
        write_index(aside.scratch, segments, words, aside.ids, aside.columns)
        _publish(aside.scratch, target)
    finally:
        shutil.rmtree(aside.scratch, ignore_errors=True)


def _main(argv: Sequence[str]) -> int:
    """A child of `building_aside`: write the rows in PART/rows.pickle as a segment in PART, and what it wrote
    (the segment and the words) to PART/segment.pickle."""
    gc.disable()  # a short-lived process making objects that all live until it exits (see app.live.loading.gc_paused)
    part = Path(argv[0])
    rows = pickle.loads((part / "rows.pickle").read_bytes())  # written by our own parent process
    (part / "rows.pickle").unlink()
    result = write_segment(part, rows)
    (part / "segment.pickle").write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
