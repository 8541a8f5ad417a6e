"""The live catalog: the one mutable object, holding the snapshot being served and swapping it atomically."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.catalog import Catalog, CatalogError, Problem, load_catalog, version_of
from app.config import SYNONYMS, Settings
from app.db import (
    CatalogMeta,
    StoredProgram,
    SyncReport,
    init_db,
    ping,
    read_meta,
    read_programs,
    removed_since,
    sync_catalog,
    utcnow,
)
from app.indexdir import building_aside
from app.search import Document, SearchIndex, Synonyms

log = logging.getLogger("mentordir")

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
SYNC_ATTEMPTS = 3  # workers reloading the same change at once can collide on the database; the retry sees it done


@dataclass(frozen=True)
class Snapshot:
    """One catalog version, ready to serve: its program records and its search index, always from the same load.

    Requests read records from here (`fetch`), never from the database, so a reload that has already written
    the next version's rows cannot show a request new rows through an old index.
    """

    version: str
    title: str | None
    program_count: int
    loaded_at: dt.datetime
    index: SearchIndex
    programs: Mapping[str, StoredProgram] = field(default_factory=dict)
    removed: tuple[tuple[str, dt.datetime], ...] = ()  # programs that left the catalog, with when

    def removed_since(self, since: dt.datetime) -> list[tuple[str, dt.datetime]]:
        """The programs removed after `since`, as this version knows them (for syncing clients)."""
        return [(pid, when) for pid, when in self.removed if when > since]

    def fetch(self, ids: Sequence[str]) -> list[StoredProgram]:
        """The programs with these ids, in the order given, as this version holds them (unknown ids skipped)."""
        return [self.programs[pid] for pid in ids if pid in self.programs]

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "title": self.title,
            "programs": self.program_count,
            "loaded_at": self.loaded_at.isoformat(),
        }


@dataclass(frozen=True)
class Rejected:
    """A catalog file that failed validation; the last good snapshot is served meanwhile."""

    digest: str
    errors: list[Problem]
    at: dt.datetime = field(default_factory=utcnow)

    def as_dict(self) -> dict[str, object]:
        return {
            "file_digest": self.digest,
            "rejected_at": self.at.isoformat(),
            "errors": [e.as_dict() | {"text": str(e)} for e in self.errors],
        }


def build_snapshot(
    settings: Settings,
    engine: Engine,
    synonyms: Synonyms,
    *,
    prune: bool = True,
    stored: Sequence[StoredProgram] | None = None,
) -> Snapshot:
    """Index what the database holds now (the index folder is keyed by version, so an unchanged catalog reopens).

    `stored` is what a load has just written (`SyncReport.programs`): used when it is still the database's version,
    rather than reading every row back.
    """
    meta = read_meta(engine)
    if meta is None:
        raise LookupError("the database holds no catalog yet: run `mentordir load`")
    if stored is None or version_of((p.id, p.content_hash) for p in stored) != meta.version:
        meta, stored = _read_consistent(engine)
    documents = [Document.from_record(p.record, updated_at=p.updated_at) for p in stored]
    index = SearchIndex.open_or_build(settings.index_dir, meta.version, documents, synonyms)
    if prune:
        SearchIndex.prune(settings.index_dir, keep=meta.version)
    removed = tuple(removed_since(engine, dt.datetime.min.replace(tzinfo=dt.UTC)))
    programs = {p.id: p for p in stored}
    return Snapshot(meta.version, meta.title, len(documents), meta.loaded_at, index, programs, removed)


def _read_consistent(engine: Engine) -> tuple[CatalogMeta, list[StoredProgram]]:
    """The catalog version and its rows, read so that they belong together.

    They are read separately, and a load committing in between would pair one version's name with another's
    rows. The rows' own content hashes say which version they are, so read until they agree.
    """
    for attempt in range(CONSISTENT_READ_ATTEMPTS):
        meta = read_meta(engine)
        if meta is None:
            raise LookupError("the database holds no catalog yet: run `mentordir load`")
        stored = read_programs(engine)
        if version_of((p.id, p.content_hash) for p in stored) == meta.version:
            return meta, stored
        time.sleep(0.05 * (attempt + 1))
    raise RuntimeError("the database kept changing while the catalog was read; try again")


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
    catalog = load_catalog(settings.catalog, max_bytes=settings.max_catalog_bytes)

    def documents() -> list[Document]:  # the index holds text only: when each program changed does not matter
        return [Document.from_record(p.record, updated_at=EPOCH) for p in catalog.programs]

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


def _loaded_marker(settings: Settings) -> tuple[Path, dict[str, str]]:
    """Where a warm restart looks, and what must match: the file, the database and the code that validated it."""
    code = hashlib.sha256()
    for source in sorted(Path(__file__).parent.glob("*.py")):
        code.update(source.read_bytes())
    identity = {
        "database": hashlib.sha256(settings.database_url.encode()).hexdigest()[:16],  # no credentials on disk
        "code": code.hexdigest()[:16],
    }
    return settings.index_dir / "loaded.json", identity


def already_loaded(settings: Settings, engine: Engine, digest: str) -> bool:
    """True when these exact bytes were validated and stored in this database by this code (a warm restart)."""
    path, identity = _loaded_marker(settings)
    try:
        marker = orjson.loads(path.read_bytes())
        meta = read_meta(engine)
    except (OSError, ValueError, SQLAlchemyError):
        return False
    expected = identity | {"digest": digest, "version": meta.version if meta else ""}
    return meta is not None and marker == expected


def remember_loaded(settings: Settings, digest: str, version: str) -> None:
    """Note that this file is in the database now, so the next start can skip validating and storing it."""
    path, identity = _loaded_marker(settings)
    with contextlib.suppress(OSError):  # only an optimisation: a start without it does the full load
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(orjson.dumps(identity | {"digest": digest, "version": version}))
        os.replace(tmp, path)


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


def _touch_index(directory: Path, version: str) -> None:
    """Mark a retired version's index folder as recently used, so pruning spares it while requests finish on it."""
    for path in directory.glob(f"*{version}"):
        with contextlib.suppress(OSError):
            os.utime(path)


DB_CHECK_SECONDS = 1.0
CONSISTENT_READ_ATTEMPTS = 5


class LiveCatalog:
    """Holds the snapshot being served. Readers take `current` once per request; reloads swap it whole."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.synonyms = Synonyms.load(SYNONYMS)
        self.current: Snapshot | None = None
        self.rejected: Rejected | None = None
        self._lock = threading.Lock()
        self._seen: tuple[str, tuple[int, int, int] | None] | None = None  # (digest, stamp) of the file last read
        self.failures = 0  # reloads refused or failed since start, for /metrics
        self._db_lock = threading.Lock()
        self._db_checked = -DB_CHECK_SECONDS
        self._db_error: str | None = None

    def database_check_due(self) -> bool:
        return time.monotonic() - self._db_checked >= DB_CHECK_SECONDS

    def database_error(self, *, refresh: bool = True) -> str | None:
        """Why the database does not answer, or None; pinged at most once a second, by one thread at a time.

        Requests are served from the snapshot in memory, but a replica whose database is gone is out of date by
        design, so the API and pages answer 503 until it comes back (and recover by themselves when it does).
        """
        if refresh and self.database_check_due() and self._db_lock.acquire(blocking=False):
            try:
                ping(self.engine)
                self._db_error = None
            except (SQLAlchemyError, OSError) as exc:
                self._db_error = f"unreachable: {type(exc).__name__}"
            finally:
                self._db_checked = time.monotonic()
                self._db_lock.release()
        return self._db_error

    def reload(self) -> bool:
        """Validate the file, store it, index it aside and swap it in; on invalid input keep serving the last good one.

        Returns True when the file was accepted. Database and disk errors propagate with the old snapshot still served.
        """
        with self._lock, gc_paused():
            # Fingerprint before reading: a write landing during the load then differs, and is loaded next time.
            stamp = file_stamp(self.settings.catalog)
            digest = file_digest(self.settings)
            try:
                warm = self.current is None and already_loaded(self.settings, self.engine, digest)
                with contextlib.ExitStack() as aside:
                    report = None if warm else load_file(self.settings, self.engine, aside)[1]
                    stored = report.programs if report else None
                    snapshot = build_snapshot(self.settings, self.engine, self.synonyms, prune=False, stored=stored)
            except CatalogError as exc:
                self.failures += 1
                self._seen = (digest, stamp)
                self.rejected = Rejected(digest, exc.errors)
                for problem in exc.errors:
                    log.error("catalog rejected: %s", problem)
                if self.current is None:
                    self._fall_back_to_database()
                return False
            except Exception:
                self.failures += 1  # the database or the disk failed: the old snapshot stays, the caller hears why
                raise
            self._swap(snapshot)
            self._seen = (digest, stamp)  # only now: a load that failed on the database is retried on the next check
            self.rejected = None
            if report is None:
                log.info("catalog %s unchanged since it was loaded: reusing the database and index", snapshot.version)
                return True
            remember_loaded(self.settings, digest, report.version)
            log.info(
                "catalog %s loaded: %d programs (%d added, %d changed, %d removed)",
                report.version,
                report.total,
                len(report.added),
                len(report.changed),
                len(report.removed),
            )
            return True

    def start(self) -> None:
        """Load the first catalog: from the file, or in follower mode from the database the leader writes."""
        if not self.settings.follow:
            self.reload()
            return
        try:
            self.refresh_from_database()
        except (LookupError, SQLAlchemyError, OSError) as exc:
            log.error("following: no catalog to serve yet (%s); polling the database", exc)

    def refresh_from_database(self) -> bool:
        """Follower: serve the database's catalog version when it differs from the one served; True when swapped."""
        with self._lock, gc_paused():
            meta = read_meta(self.engine)
            if meta is None:
                raise LookupError("the database holds no catalog yet: run `mentordir load`")
            if self.current is not None and meta.version == self.current.version:
                return False
            try:
                snapshot = build_snapshot(self.settings, self.engine, self.synonyms, prune=False)
            except Exception:
                self.failures += 1
                raise
            self._swap(snapshot)
            log.info("following: now serving catalog %s (%d programs)", snapshot.version, snapshot.program_count)
            return True

    def reload_now(self) -> bool:
        """An operator's reload: the file (leader), or the database's latest version (follower, which never reads
        its own copy of the file: that would write an old catalog over the one every replica follows)."""
        if self.settings.follow:
            self.refresh_from_database()
            return True
        return self.reload()

    def reload_if_changed(self, *, suspect: bool = True) -> bool | None:
        """Reload when the file's bytes differ from the last ones read; None when nothing changed.

        With `suspect` False (a periodic check, no change event) an unchanged inode, size and mtime is trusted.
        """
        seen = self._seen
        if seen is not None:
            if not suspect and file_stamp(self.settings.catalog) == seen[1]:
                return None
            if file_digest(self.settings) == seen[0]:
                return None
        return self.reload()

    def status(self) -> dict[str, Any]:
        """What is served and what was refused, for /readyz, /api/v1/catalog and the admin reload."""
        snapshot, rejected = self.current, self.rejected
        return {
            "catalog": snapshot.as_dict() if snapshot else None,
            "rejected": rejected.as_dict() if rejected else None,
        }

    def _fall_back_to_database(self) -> None:
        """At start with an invalid file: serve what the database last accepted, if anything."""
        try:
            init_db(self.engine)
            self._swap(build_snapshot(self.settings, self.engine, self.synonyms, prune=False))
            log.warning("serving the last good catalog from the database")
        except LookupError:
            log.error("no valid catalog to serve")

    def _swap(self, snapshot: Snapshot) -> None:
        # One reference assignment: a request holds either the old snapshot or the new one, never a mix. Requests
        # that took the old one finish on it; its index folder is touched so pruning leaves it for a while.
        old, self.current = self.current, snapshot
        if old is not None and old.version != snapshot.version:
            _touch_index(self.settings.index_dir, old.version)
        SearchIndex.prune(self.settings.index_dir, keep=snapshot.version)

    def close(self) -> None:
        if self.current is not None:
            self.current.index.close()
