"""Building a catalog version's index folder: in this process, or aside by child processes that write one segment
each over consecutive programs while the parent stores the catalog in SQL; a folder is published only when whole.
"""

from __future__ import annotations

import gc
import itertools
import logging
import os
import pickle
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

from whoosh import index

from app.search.columns import Columns, ColumnsBuilder
from app.search.indexdir import Row, folder_for, rows_of, write_index, write_segment
from app.search.query import Document

log = logging.getLogger("mentordir")

ASIDE_PROCESSES = 2  # children writing a new catalog's index segments; the parent meanwhile stores it in SQL
ASIDE_MIN_PROGRAMS = 1000  # programs per child at least: starting a process costs ~0.15 s, indexing 1,000 ~0.2 s
ASIDE_BATCH = 5000  # programs made into rows and written at a time (the parent holds one batch)
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


def building_aside(
    directory: Path, version: str, count: int, documents: Callable[[], Iterable[Document]]
) -> AbstractContextManager[None]:
    """Child processes (`python -m app.search.build`), started now, build this version's index; the block this
    returns waits for them on exit.

    Storing a new catalog in SQL and indexing it are independent, and each takes a second or more at 10,000
    programs. Each child writes one segment over a consecutive share of the programs, so docnums and scores are
    those of a single segment. `build_if_missing` for this version waits for them and assembles the index, or
    builds it in-process after all if a child failed: the children can only save time. `documents()` (`count` of
    them) is called only when children are started, and not kept: nor is what it made them from.
    """
    target = folder_for(directory, version)
    parts = min(ASIDE_PROCESSES, count // ASIDE_MIN_PROGRAMS)
    if parts >= 1 and not index.exists_in(str(target)):  # a small catalog is indexed in-process in milliseconds
        _start_aside(directory, version, target, parts, documents(), count)
    return _finishing(target)


@contextmanager
def _finishing(target: Path) -> Iterator[None]:
    try:
        yield
    finally:
        _finish_aside(target)


def _start_aside(
    directory: Path, version: str, target: Path, parts: int, documents: Iterable[Document], total: int
) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".build-{version}-", dir=directory))
    aside = _Aside(scratch, [], [], [])
    columns = ColumnsBuilder()
    listed = iter(documents)
    try:
        for k in range(parts):  # one share of the documents at a time, in batches made, written and let go
            size = total * (k + 1) // parts - total * k // parts
            part = scratch / f"part-{k}"
            part.mkdir()
            with (part / "rows.pickle").open("wb") as out:
                for start in range(0, size, ASIDE_BATCH):
                    batch = list(itertools.islice(listed, min(ASIDE_BATCH, size - start)))
                    aside.ids += [d.id for d in batch]
                    columns.add(batch)
                    pickle.dump(rows_of(batch), out, protocol=pickle.HIGHEST_PROTOCOL)
            command = [sys.executable, "-m", ASIDE_MODULE, str(part)]
            aside.children.append(subprocess.Popen(command, stdin=DEVNULL, stdout=DEVNULL, stderr=PIPE))
            aside.parts.append(part)
        aside.started = next(listed, None) is None and len(aside.ids) == total  # every program in a share
        aside.columns = columns.finish()
    except OSError as exc:
        log.warning("could not start building the index aside (%s); building it in this process", exc)
    except BaseException:  # making the documents failed: no child left running, no scratch folder left behind
        for child in aside.children:
            child.kill()
            child.communicate()
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    with _aside_lock:
        _aside[target] = aside


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
    rows: list[Row] = []
    with (part / "rows.pickle").open("rb") as batches:  # written by our own parent process, a batch at a time
        while batches.peek(1):
            rows += pickle.load(batches)
    (part / "rows.pickle").unlink()
    result = write_segment(part, rows)
    (part / "segment.pickle").write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
