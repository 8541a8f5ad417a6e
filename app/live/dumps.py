"""Dated dumps of the whole catalog: one gzipped NDJSON file per catalog load, the API's `/api/v1/snapshots`.

A dump holds every program's public record (as `/api/v1/programs.ndjson` gives it, provenance as of the load's
day), ordered by id and gzipped with no timestamp, so every worker and replica that writes the same load writes
the same bytes. Each is written once, atomically (a temporary file renamed), beside a small JSON file that
describes it; the last `snapshots_kept` are kept in the index folder and older ones pruned.

A name carries the database's epoch: a rebuilt database starts its sequence again, and its dumps must not take the
names (and so the immutable addresses) of the old database's, whose sync tokens it no longer knows. Only the
current epoch's dumps are listed or served; the older epochs' are pruned.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import gzip
import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any

import orjson

from app.config import Settings
from app.live.locks import FileLock
from app.live.snapshot import Snapshot

log = logging.getLogger("mentordir")

PREFIX = "snapshot-"  # files, not folders: the index folder's pruning removes only other versions' folders
SUFFIX = ".ndjson.gz"
BUILD_LOCK_SECONDS = 300.0


@dataclass(frozen=True)
class Dump:
    """What the listing says of one dump file."""

    name: str  # <day>-<version>-<epoch>-<load>: never names other bytes
    version: str
    sync_token: str
    seq: int
    created_at: str  # when the catalog version was loaded (ISO 8601)
    records: int
    bytes: int
    sha256: str  # hex

    @property
    def made_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.created_at)

    @property
    def epoch(self) -> str:
        """The database sequence its sync token belongs to."""
        return self.sync_token.rpartition("-")[0]

    @property
    def digest(self) -> str:
        """The RFC 9530 Repr-Digest value."""
        return "sha-256=:" + base64.b64encode(bytes.fromhex(self.sha256)).decode() + ":"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def name_of(snap: Snapshot) -> str:
    return _name(snap.loaded_at.date(), snap.version, snap.epoch, snap.seq)


def _name(day: dt.date, version: str, epoch: str, seq: int) -> str:
    return f"{day.isoformat()}-{version}-{epoch}-{seq}"


def path_of(settings: Settings, name: str) -> Path:
    return settings.index_dir / f"{PREFIX}{name}{SUFFIX}"


class _Counted:
    """A file that keeps the SHA-256 and the length of what is written to it."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out, self.sha256, self.length = out, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.length += len(data)
        return self.out.write(data)

    def flush(self) -> None:
        self.out.flush()


def _gzip_records(snap: Snapshot, months: int, out: IO[bytes]) -> tuple[int, int, str]:
    """Write the records, gzipped a line at a time (never the whole file in memory); (records, bytes, sha256)."""
    counted = _Counted(out)
    day = snap.loaded_at.date()
    with gzip.GzipFile(filename="", mode="wb", fileobj=counted, compresslevel=6, mtime=0) as packed:
        for pid in sorted(snap.programs):
            packed.write(orjson.dumps(snap.programs[pid].full_record(recheck_months=months, today=day)) + b"\n")
    return len(snap.programs), counted.length, counted.sha256.hexdigest()


def _write_atomically(path: Path, write: Callable[[IO[bytes]], Any]) -> Any:
    """What `write` returns, once what it wrote is in place under `path` (renamed whole, never seen half-written)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            result = write(out)
        os.replace(tmp, path)
        return result
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read(settings: Settings, name: str) -> Dump | None:
    """The description of a kept dump, or None when there is none by that name."""
    try:
        meta = orjson.loads((settings.index_dir / f"{PREFIX}{name}.json").read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not path_of(settings, name).is_file():
        return None
    return Dump(**meta)


def ensure(settings: Settings, snap: Snapshot) -> Dump:
    """The dump of this snapshot's load, written now if no worker has written it yet."""
    name = name_of(snap)
    found = read(settings, name)
    if found is not None:
        return found
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(settings.index_dir / ".snapshot.lock").hold(BUILD_LOCK_SECONDS):
        found = read(settings, name)
        if found is not None:
            return found  # another worker wrote it while this one waited
        months = settings.recheck_months
        records, length, digest = _write_atomically(path_of(settings, name), partial(_gzip_records, snap, months))
        dump = Dump(
            name=name,
            version=snap.version,
            sync_token=f"{snap.epoch}-{snap.seq}",
            seq=snap.seq,
            created_at=snap.loaded_at.isoformat(),
            records=records,
            bytes=length,
            sha256=digest,
        )
        _prune(settings, dump)  # before it is described: whoever sees it listed sees the older ones gone
        described = orjson.dumps(dump.as_dict())  # written last: a dump exists once this file does
        _write_atomically(settings.index_dir / f"{PREFIX}{name}.json", lambda out: out.write(described))
    return dump


def _described(settings: Settings) -> list[Dump]:
    """Every dump described in the index folder, of any epoch, newest load first."""
    names = [p.name.removeprefix(PREFIX).removesuffix(".json") for p in settings.index_dir.glob(f"{PREFIX}*.json")]
    found = [d for d in (read(settings, n) for n in names) if d is not None]
    return sorted(found, key=lambda d: (d.created_at, d.seq), reverse=True)


def _current(dump: Dump, epoch: str) -> bool:
    """Whether a dump is of this epoch and named as this code names it (not a file of an older naming)."""
    return dump.epoch == epoch and dump.name == _name(dump.made_at.date(), dump.version, epoch, dump.seq)


def kept(settings: Settings, epoch: str) -> list[Dump]:
    """The dumps of this database's epoch kept, newest load first."""
    return [d for d in _described(settings) if _current(d, epoch)]


def _prune(settings: Settings, keep: Dump) -> None:
    """Drop this epoch's dumps past the last `snapshots_kept` with `keep` (newest, not described yet) counted among
    them, and other epochs' dumps no newer than `keep` (a worker still serving an old database must not prune a
    rebuilt one's)."""
    mine = [d for d in kept(settings, keep.epoch) if d.name != keep.name]
    others = [d for d in _described(settings) if not _current(d, keep.epoch) and d.made_at <= keep.made_at]
    for old in mine[settings.snapshots_kept - 1 :] + others:
        if old.name == keep.name:
            continue
        for path in (path_of(settings, old.name), settings.index_dir / f"{PREFIX}{old.name}.json"):
            with contextlib.suppress(OSError):
                path.unlink()


def ensure_soon(settings: Settings, snap: Snapshot) -> None:
    """Write the dump of a load just swapped in, off the load's path (a reader that comes first writes it)."""

    def run() -> None:
        try:
            ensure(settings, snap)
        except Exception as exc:  # a dump not written now is written by its first reader
            log.warning("snapshot %s not written: %s", name_of(snap), exc)

    threading.Thread(target=run, name="snapshot-dump", daemon=True).start()
