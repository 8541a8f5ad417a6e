"""Loading a catalog file: validate it, write it to the database in one transaction, index it aside."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.catalog.filelimits import read_utf8
from app.catalog.models import Catalog, CheckedCatalog
from app.catalog.validate import limits, load_catalog
from app.config import Settings
from app.search.build import Aside, read_aside
from app.store.db import SyncReport, init_db, sync_catalog

log = logging.getLogger("mentordir")

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


def load_file(settings: Settings, engine: Engine, aside: contextlib.ExitStack | None = None) -> SyncReport:
    """Validate the catalog file and write it to the database (one transaction).

    The index is built by child processes meanwhile (`app.search.build`), until `aside` closes (or this call
    returns, without one); `build_snapshot` of this version waits for them. A large file is read in shares by
    the children themselves (`read_aside`); any other, or one they do not find valid, is read here, each program
    handed to them as soon as it is valid (`Aside`).
    """
    display = str(settings.catalog)
    data = read_utf8(settings.catalog, display, settings.max_catalog_bytes)
    max_values, entries = limits(data, display, None, settings.max_programs)
    shared = read_aside(settings.index_dir, data, display, max_values, entries, settings.max_programs)
    del data
    with contextlib.ExitStack() as local:
        if shared is not None:
            catalog: Catalog | CheckedCatalog = shared[0]
            (aside or local).enter_context(shared[1])
        else:
            indexing = Aside(settings.index_dir)
            try:
                catalog = load_catalog(
                    settings.catalog,
                    max_bytes=settings.max_catalog_bytes,
                    max_programs=settings.max_programs,
                    accepted=indexing,
                )
            except BaseException:
                indexing.abandon()
                raise
            (aside or local).enter_context(indexing.finish(catalog.version, len(catalog.programs)))
        init_db(engine)
        for attempt in range(1, SYNC_ATTEMPTS + 1):
            try:
                return sync_catalog(engine, catalog)
            except SQLAlchemyError:
                if attempt == SYNC_ATTEMPTS:
                    raise
                log.warning("writing catalog %s to the database failed; retrying", catalog.version, exc_info=True)
                time.sleep(0.2 * attempt)
    raise AssertionError("unreachable")


def release_freed_memory() -> None:
    """Return to the system what a load has freed: the file's text and the validated programs, 0.3 GB at 100,000.

    glibc keeps freed blocks for reuse rather than returning them, so the process would stay at the load's peak,
    and the index opened next would add 0.1 GB to that. `malloc_trim` gives the free pages back (a few ms);
    elsewhere than on glibc nothing is done.
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


try:
    _MALLOC_TRIM: Callable[[int], int] | None = ctypes.CDLL(None).malloc_trim
except (AttributeError, OSError):
    _MALLOC_TRIM = None


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
