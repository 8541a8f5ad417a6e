"""Building a catalog version's index folder: written in a scratch folder, published (renamed) only when whole."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from whoosh import index

from app.search.columns import ColumnsBuilder
from app.search.indexdir import FolderWriter, folder_for, rows_of
from app.search.query import Document

BATCH = 1000  # documents made, analysed and let go at a time: 100,000 documents and their rows held at once took
# a third of a large catalog's cold start's peak memory


def _publish(scratch: Path, target: Path) -> None:
    """Rename a finished scratch folder into place; losing the race to another process's identical build is fine."""
    try:
        os.rename(scratch, target)
    except OSError:
        shutil.rmtree(scratch, ignore_errors=True)
        if not index.exists_in(str(target)):  # not a lost race: a real failure
            raise


def build_if_missing(directory: Path, version: str, documents: Callable[[], Iterable[Document]]) -> Path:
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
            while batch := list(itertools.islice(listed, BATCH)):
                writer.add(rows_of(batch))
                columns.add(batch)
            writer.finish(columns.finish())
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        _publish(scratch, target)
    os.utime(target)
    return target
