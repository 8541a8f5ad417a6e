"""Building a catalog version's index folder: written in a scratch folder, published (renamed) only when whole."""

from __future__ import annotations

import collections
import itertools
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from whoosh import index

from app.search.columns import ColumnsBuilder
from app.search.indexdir import Counted, FolderWriter, count, folder_for, rows_of
from app.search.query import Document

BATCH = 1000  # documents made, analysed and let go at a time: 100,000 documents and their rows held at once took
# a third of a large catalog's cold start's peak memory
# Batches counted in this process before the rest are counted by a pool of processes (`count` is pure), while this
# one makes the next batches: starting the pool costs about a second, worth it only for a large catalog.
PARALLEL_AFTER = 20
WORKERS = max(1, (os.cpu_count() or 1) - 1)  # this process makes the batches and writes the segment meanwhile


def _publish(scratch: Path, target: Path) -> None:
    """Rename a finished scratch folder into place; losing the race to another process's identical build is fine."""
    try:
        os.rename(scratch, target)
    except OSError:
        shutil.rmtree(scratch, ignore_errors=True)
        if not index.exists_in(str(target)):  # not a lost race: a real failure
            raise


def build_if_missing(
    directory: Path,
    version: str,
    documents: Callable[[], Iterable[Document]],
    *,
    batch: int = BATCH,
    parallel_after: int = PARALLEL_AFTER,
) -> Path:
    """This version's index folder in `directory`, built first (in a scratch folder, then renamed) if missing;
    `documents()` is called only then, and its documents indexed in order (docnum = position), a batch at a time."""
    target = folder_for(directory, version)
    if not index.exists_in(str(target)):
        directory.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".build-{version}-", dir=directory))
        try:
            columns = ColumnsBuilder()
            writer = FolderWriter(scratch)
            listed = iter(documents())
            batches = iter(lambda: list(itertools.islice(listed, batch)), [])
            for counted in _counted(batches, columns, parallel_after):
                writer.add(counted)
            writer.finish(columns.finish())
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        _publish(scratch, target)
    os.utime(target)
    return target


def _counted(batches: Iterator[list[Document]], columns: ColumnsBuilder, parallel_after: int) -> Iterator[Counted]:
    """Each batch's postings in order (its columns added as it is made): the first batches counted here, the rest
    by a pool, a few at a time so that only those are held."""
    for documents in itertools.islice(batches, parallel_after):
        columns.add(documents)
        yield count(rows_of(documents))
    rest = next(batches, None)
    if rest is None:
        return
    # Spawned, not forked: the serving process has threads.
    with ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending: collections.deque[Future[Counted]] = collections.deque()
        for documents in itertools.chain([rest], batches):
            pending.append(pool.submit(count, rows_of(documents)))
            columns.add(documents)
            if len(pending) > WORKERS + 1:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
