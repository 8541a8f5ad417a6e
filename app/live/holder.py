"""The live catalog: the one mutable object, holding the snapshot being served and swapping it atomically."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import threading
import time

from sqlalchemy import Engine, inspect
from sqlalchemy.exc import SQLAlchemyError

from app.catalog.problems import CatalogError
from app.config import SYNONYMS, WORDFORMS, Settings
from app.live import dumps
from app.live.health import DatabaseHealth
from app.live.loading import (
    FileChanged,
    FileStamp,
    RemovalsHeld,
    file_digest,
    file_stamp,
    gc_paused,
    load_file,
    release_freed_memory,
)
from app.live.locks import FileLock
from app.live.restart import already_loaded, digest_reading_ahead, remember_loaded
from app.live.snapshot import Snapshot, build_snapshot
from app.live.verdicts import (
    Held,
    Rejected,
    ReloadFailure,
    Verdict,
    hold,
    read_failure,
    read_verdict,
    remember_failure,
    remember_verdict,
)
from app.search.analysis import Synonyms
from app.search.indexdir import prune
from app.store.db import StoredProgram, SyncReport, init_db, read_meta, utcnow

log = logging.getLogger("mentordir")


LOAD_LOCK_SECONDS = 300.0  # how long a worker waits for another one's load before giving up
START_READS = 5  # a file still being written as the service starts is read again, this many times at most


class LiveCatalog:
    """Holds the snapshot being served. Readers take `current` once per request; reloads swap it whole."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.synonyms = Synonyms.load(SYNONYMS, WORDFORMS)
        self.current: Snapshot | None = None
        self.rejected: Rejected | None = None  # the file read last is invalid
        self.held: Held | None = None  # the file read last would remove too many programs
        self.reload_error: ReloadFailure | None = None  # the last reload failed on the database or the disk
        self.notes_changed: dt.datetime | None = None  # when this process last showed or cleared one of the three
        self._lock = threading.Lock()
        self._seen: tuple[str, FileStamp] | None = None  # (digest, stamp) of the file last read
        self.failures = 0  # reloads refused or failed since start, for /metrics
        self.database = DatabaseHealth(lambda: self.engine)
        self._load_lock = FileLock(settings.index_dir / ".load.lock")  # one load at a time on this machine
        self.watch_lock = FileLock(settings.index_dir / ".watch.lock")  # one worker watches the file

    @property
    def served(self) -> str:
        """The version served, for logs ("none" before the first)."""
        return self.current.version if self.current else "none"

    def reload(self, *, allow_removals: bool = False) -> bool:
        """Load now: validate the file, store it, index it and swap it in; on invalid input keep serving the
        last good one. Returns True when the file was accepted.

        The workers of a machine take turns (a lock in the index folder), and bytes already stored, refused or held
        by another worker are not validated again: each new file is validated once. A file that would remove many
        programs is held unless `allow_removals` (a curator's confirmation). Database and disk errors propagate with
        the old snapshot still served, and show in `reload_error` until a load succeeds.
        """
        with self._lock, self._load_lock.hold(LOAD_LOCK_SECONDS), gc_paused():
            # Fingerprint before reading: a write landing during the load then differs, and is loaded next time.
            stamp = file_stamp(self.settings.catalog)
            digest, ahead = digest_reading_ahead(self.settings, self.engine, stamp, warm=self.current is None)
            verdict = read_verdict(self.settings)
            if verdict is not None and verdict.digest == digest and not (allow_removals and isinstance(verdict, Held)):
                return self._refuse(digest, stamp, verdict)  # another worker has already refused or held these bytes
            try:
                report, snapshot = self._load(digest, stamp, ahead, allow_removals=allow_removals)
            except CatalogError as exc:
                self.failures += 1
                for problem in exc.errors:
                    log.error("catalog rejected: %s", problem)
                return self._refuse(digest, stamp, Rejected(digest, exc.errors), remember=True)
            except RemovalsHeld as exc:
                held = hold(digest, exc.removed, exc.stored, self.served)
                return self._refuse(digest, stamp, held, remember=True)
            except FileChanged:
                log.info("%s changed while it was read; reading it again once it settles", self.settings.catalog)
                return False
            except Exception as exc:
                self.failures += 1  # the database or the disk failed: the old snapshot stays, the caller hears why
                self._failed(exc)
                raise
            if snapshot is not None:
                self._swap(snapshot)
            self._seen = (digest, stamp)  # only now: a load that failed on the database is retried on the next check
            self._show(None)
            remember_verdict(self.settings, None)  # for the other workers too: this file is the one served
            self._failed(None)
            if report is None:
                log.info("catalog %s unchanged since it was loaded: reusing the database and index", self.served)
                return True
            remember_loaded(self.settings, digest, report.version, stamp)
            log.info(
                "catalog %s (load %d) loaded: %d programs (%s)", report.version, report.seq, report.total, report.counts
            )
            return True

    def _load(
        self, digest: str, stamp: FileStamp, ahead: list[StoredProgram] | None, *, allow_removals: bool
    ) -> tuple[SyncReport | None, Snapshot | None]:
        """Store the file unless these bytes are stored already, and index what is stored when it is not served."""
        warm = already_loaded(self.settings, self.engine, digest)
        ahead = ahead if warm else None  # read for nothing: not kept through a load
        report = None if warm else load_file(self.settings, self.engine, allow_removals=allow_removals, stamp=stamp)
        if report is not None:
            release_freed_memory()  # before the new index is opened: not on top of the load's peak
        if report is None and not self._behind():
            return None, None
        stored = report.programs if report else ahead
        return report, build_snapshot(self.settings, self.engine, self.synonyms, prune=False, stored=stored)

    def _show(self, verdict: Verdict | None) -> None:
        """Say why the file read last is not served (None: it is)."""
        shown = (self.rejected, self.held)
        self.rejected = verdict if isinstance(verdict, Rejected) else None
        self.held = verdict if isinstance(verdict, Held) else None
        if (self.rejected, self.held) != shown:
            self.notes_changed = utcnow()

    def _failed(self, exc: Exception | None) -> None:
        """Show a reload's database or disk failure (None: the last reload worked), to every worker."""
        self._show_failure(None if exc is None else ReloadFailure.of(exc))
        remember_failure(self.settings, self.reload_error)

    def _show_failure(self, failure: ReloadFailure | None) -> None:
        if failure != self.reload_error:
            self.notes_changed = utcnow()
        self.reload_error = failure

    def start(self) -> None:
        """Load the first catalog: from the file (the first worker loads it, the others wait and reuse it), or in
        follower mode from the database the leader writes."""
        if not self.settings.follow:
            for _ in range(START_READS):
                if self.reload() or self._seen is not None:  # else the file changed while read: read it again
                    return
                time.sleep(self.settings.watch_settle_ms / 1000)
            return
        try:
            self.refresh_from_database()
        except (LookupError, SQLAlchemyError, OSError) as exc:
            log.error("following: no catalog to serve yet (%s); polling the database", exc)

    def _behind(self) -> bool:
        """True when the database holds a later load than the one served."""
        meta = read_meta(self.engine)
        return meta is not None and (self.current is None or self.current.tag != f"{meta.version}.{meta.seq}")

    def refresh_from_database(self) -> bool:
        """Serve the database's latest load when it is not the one served; True when swapped.

        Replicas do this, and so does every worker of a machine: whichever worker loads a file, the others follow.
        A poll that finds a load in progress in this process skips its turn.
        """
        if not self._lock.acquire(blocking=False):
            return False
        try:
            with gc_paused():
                self._follow_rejection()
                try:
                    meta = read_meta(self.engine)
                except SQLAlchemyError:
                    if self._tables_exist():
                        raise
                    meta = None  # no tables yet: no catalog yet
                if meta is None:
                    raise LookupError("the database holds no catalog yet: run `mentordir load`")
                if self.current is not None and self.current.tag == f"{meta.version}.{meta.seq}":
                    return False
                try:
                    snapshot = build_snapshot(self.settings, self.engine, self.synonyms, prune=False)
                except Exception:
                    self.failures += 1
                    raise
                self._swap(snapshot)
                log.info(
                    "now serving catalog %s (load %d, %d programs)",
                    snapshot.version,
                    snapshot.seq,
                    len(snapshot.programs),
                )
                return True
        finally:
            self._lock.release()

    def _tables_exist(self) -> bool:
        with contextlib.suppress(SQLAlchemyError):
            return inspect(self.engine).has_table("catalog_meta")
        return True

    def _follow_rejection(self) -> None:
        """Show the verdict of whichever worker of this machine last read the file, and its last reload failure
        (leader mode only)."""
        if self.settings.follow:
            return
        verdict = read_verdict(self.settings)
        shown = self.rejected or self.held
        if verdict is None or shown is None or (shown.digest, type(shown)) != (verdict.digest, type(verdict)):
            self._show(verdict)
        self._show_failure(read_failure(self.settings))

    def reload_now(self, *, allow_removals: bool = False) -> bool:
        """An operator's reload: the file (leader), or the database's latest version (follower, which never reads
        its own copy of the file: that would write an old catalog over the one every replica follows)."""
        if self.settings.follow:
            with self._lock:  # wait for a poll in progress rather than skip
                pass
            self.refresh_from_database()
            return True
        return self.reload(allow_removals=allow_removals)

    def file_moved(self) -> bool:
        """Whether the file's inode, size or modification time differ from when it was last read."""
        return self._seen is None or file_stamp(self.settings.catalog) != self._seen[1]

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

    def _refuse(self, digest: str, stamp: FileStamp, verdict: Verdict, *, remember: bool = False) -> bool:
        """Keep serving the last good catalog (at start, the database's, if any) and say why this file was not;
        with `remember`, tell the other workers too."""
        self._seen = (digest, stamp)
        self._show(verdict)
        if remember:
            remember_verdict(self.settings, verdict)
        if self.current is not None:
            return False
        try:
            init_db(self.engine)
            self._swap(build_snapshot(self.settings, self.engine, self.synonyms, prune=False))
            log.warning("serving the last good catalog from the database")
        except LookupError:
            log.error("no valid catalog to serve")
        return False

    def _swap(self, snapshot: Snapshot) -> None:
        # One reference assignment: a request holds either the old snapshot or the new one, never a mix. Requests
        # that took the old one finish on it; its index folder is touched so pruning leaves it for a while.
        old, self.current = self.current, snapshot
        if old is not None and old.version != snapshot.version:
            for path in self.settings.index_dir.glob(f"*{old.version}"):
                with contextlib.suppress(OSError):
                    os.utime(path)
        prune(self.settings.index_dir, keep=snapshot.version)
        dumps.ensure_soon(self.settings, snapshot)  # the dated download of this load (/api/v1/snapshots)

    def close(self) -> None:
        self.watch_lock.release()
        if self.current is not None:
            self.current.index.close()
