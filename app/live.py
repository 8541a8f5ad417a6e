"""The live catalog: the one mutable object, holding the snapshot being served and swapping it atomically."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from dataclasses import dataclass, field

from sqlalchemy import Engine

from app.catalog import Catalog, CatalogError, Problem, load_catalog
from app.config import SYNONYMS, Settings
from app.db import SyncReport, init_db, read_meta, read_programs, sync_catalog, utcnow
from app.search import Document, SearchIndex, Synonyms

log = logging.getLogger("mentordir")


@dataclass(frozen=True)
class Snapshot:
    """One catalog version, ready to serve: what the database holds and its search index."""

    version: str
    title: str | None
    program_count: int
    loaded_at: dt.datetime
    index: SearchIndex


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


def build_snapshot(settings: Settings, engine: Engine, synonyms: Synonyms) -> Snapshot:
    """Index what the database holds now (the index folder is keyed by version, so an unchanged catalog reopens)."""
    meta = read_meta(engine)
    if meta is None:
        raise LookupError("the database holds no catalog yet: run `mentordir load`")
    stored = read_programs(engine)
    documents = [Document.from_record(p.record, updated_at=p.updated_at) for p in stored]
    index = SearchIndex.open_or_build(settings.index_dir, meta.version, documents, synonyms)
    SearchIndex.prune(settings.index_dir, keep=meta.version)
    return Snapshot(meta.version, meta.title, len(documents), meta.loaded_at, index)


def file_digest(settings: Settings) -> str:
    try:
        return hashlib.sha256(settings.catalog.read_bytes()).hexdigest()[:16]
    except OSError:
        return "unreadable"


def load_file(settings: Settings, engine: Engine) -> tuple[Catalog, SyncReport]:
    """Validate the catalog file and write it to the database (one transaction)."""
    catalog = load_catalog(settings.catalog, max_bytes=settings.max_catalog_bytes)
    init_db(engine)
    return catalog, sync_catalog(engine, catalog)


class LiveCatalog:
    """Holds the snapshot being served. Readers take `current` once per request; reloads swap it whole."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.synonyms = Synonyms.load(SYNONYMS)
        self.current: Snapshot | None = None
        self.rejected: Rejected | None = None
        self._lock = threading.Lock()

    def reload(self) -> bool:
        """Validate the file, store it, index it and swap it in; on invalid input keep serving the last good one.

        Returns True when the file was accepted.
        """
        with self._lock:
            try:
                _, report = load_file(self.settings, self.engine)
            except CatalogError as exc:
                self.rejected = Rejected(file_digest(self.settings), exc.errors)
                for problem in exc.errors:
                    log.error("catalog rejected: %s", problem)
                if self.current is None:
                    self._fall_back_to_database()
                return False
            snapshot = build_snapshot(self.settings, self.engine, self.synonyms)
            self._swap(snapshot)
            self.rejected = None
            log.info(
                "catalog %s loaded: %d programs (%d added, %d changed, %d removed)",
                report.version,
                report.total,
                len(report.added),
                len(report.changed),
                len(report.removed),
            )
            return True

    def _fall_back_to_database(self) -> None:
        """At start with an invalid file: serve what the database last accepted, if anything."""
        try:
            init_db(self.engine)
            self._swap(build_snapshot(self.settings, self.engine, self.synonyms))
            log.warning("serving the last good catalog from the database")
        except LookupError:
            log.error("no valid catalog to serve")

    def _swap(self, snapshot: Snapshot) -> None:
        # Requests that took the old snapshot finish on it; it is freed when the last of them lets go.
        self.current = snapshot

    def close(self) -> None:
        if self.current is not None:
            self.current.index.close()
