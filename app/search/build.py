"""Building a catalog version's index folder: written in a scratch folder, published (renamed) only when whole."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from whoosh import index

from app.search.columns import Columns
from app.search.indexdir import folder_for, rows_of, write_index, write_segment
from app.search.query import Document


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
