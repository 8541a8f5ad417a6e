"""Loading a catalog file: validate it, write it to the database in one transaction, index it aside."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import logging
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.catalog.models import Catalog
from app.catalog.validate import load_catalog
from app.config import Settings
from app.search.build import building_aside
from app.search.query import Document
from app.store.db import SyncReport, init_db, sync_catalog

log = logging.getLogger("mentordir")

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
SYNC_ATTEMPTS = 3  # workers reloading the same change at once can collide on the database; the retry sees it done


def file_digest(settings: Settings) -> str:
    try:
        return hashlib.sha256(settings.catalog.read_bytes()).hexdigest()[:16]
    except OSError:
        return "unreadable"


def file_stamp(path: Path) -> tuple[int, int, int] | None:
    """A cheap fingerprint (inode, size, mtime) that changes when the file is rewritten or replaced."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def load_file(
    settings: Settings, engine: Engine, aside: contextlib.ExitStack | None = None
) -> tuple[Catalog, SyncReport]:
    """Validate the catalog file and write it to the database (one transaction).

    An accepted file's index is built by child processes meanwhile (`building_aside`), until `aside` closes (or
    this call returns, without one); `build_snapshot` of this version waits for them.
    """
    catalog = load_catalog(settings.catalog, max_bytes=settings.max_catalog_bytes, max_programs=settings.max_programs)

    def documents() -> Iterator[Document]:  # the index holds text only: when each program changed does not matter
        return (Document.from_record(p.record, updated_at=EPOCH) for p in catalog.programs)

    with contextlib.ExitStack() as local:
        building = building_aside(settings.index_dir, catalog.version, len(catalog.programs), documents)
        (aside or local).enter_context(building)
        init_db(engine)
        for attempt in range(1, SYNC_ATTEMPTS + 1):
            try:
                return catalog, sync_catalog(engine, catalog)
            except SQLAlchemyError:
                if attempt == SYNC_ATTEMPTS:
                    raise
                log.warning("writing catalog %s to the database failed; retrying", catalog.version, exc_info=True)
                time.sleep(0.2 * attempt)
    raise AssertionError("unreachable")


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a catalog loads.

    A load makes millions of objects that live on (records, postings, documents), and the collector would walk
    them again each time the heap grows by a quarter: a third of parsing 10,000 programs, and worse than linear
    beyond. Reference counting still frees whatever is dropped; collection resumes afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
