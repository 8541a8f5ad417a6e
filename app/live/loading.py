"""Loading a catalog file: validate it and write it to the database in one transaction."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import hashlib
import logging
import math
import time
from collections.abc import Callable, Iterator, Set
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.catalog.validate import load_catalog
from app.config import Settings
from app.store.db import SyncReport, init_db, sync_catalog

log = logging.getLogger("mentordir")

SYNC_ATTEMPTS = 3  # workers reloading the same change at once can collide on the database; the retry sees it done


def file_digest(settings: Settings) -> str:
    try:
        return hashlib.sha256(settings.catalog.read_bytes()).hexdigest()[:16]
    except OSError:
        return "unreadable"


FileStamp = tuple[int, int, int] | None


def file_stamp(path: Path) -> FileStamp:
    """A cheap fingerprint (inode, size, mtime) that changes when the file is rewritten or replaced."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


class RemovalsHeld(Exception):
    """The file would remove more programs than a load may without a curator's confirmation; nothing was written."""

    def __init__(self, removed: list[str], stored: int) -> None:
        super().__init__(f"would remove {len(removed)} of the {stored} programs stored")
        self.removed, self.stored = removed, stored


class FileChanged(Exception):
    """The file changed while it was read: it is read again once it settles."""


def removal_limit(settings: Settings, stored: int) -> int:
    """The most programs a load may remove, of `stored`, without a curator's confirmation."""
    return max(settings.hold_removals_min, math.floor(stored * settings.hold_removals_percent / 100))


def load_file(
    settings: Settings,
    engine: Engine,
    *,
    allow_removals: bool = False,
    stamp: FileStamp = None,
) -> SyncReport:
    """Validate the catalog file and write it to the database (one transaction); the index is built afterwards,
    from what was stored (`app.live.snapshot.build_snapshot`).

    Unless `allow_removals`, a file that removes more than `removal_limit` programs is held (`RemovalsHeld`), and
    given the file's `stamp` from before it was read, a file that changed since is not written (`FileChanged`).
    """
    catalog = load_catalog(settings.catalog, max_bytes=settings.max_catalog_bytes, max_programs=settings.max_programs)
    if stamp is not None and file_stamp(settings.catalog) != stamp:
        raise FileChanged(str(settings.catalog))

    def check(stored: Set[str]) -> None:
        removed = catalog.removes(stored)
        if not allow_removals and len(removed) > removal_limit(settings, len(stored)):
            raise RemovalsHeld(removed, len(stored))

    init_db(engine)
    for attempt in range(1, SYNC_ATTEMPTS + 1):
        try:
            return sync_catalog(engine, catalog, check=check)
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
