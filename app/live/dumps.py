"""Dated dumps of the whole catalog: one gzipped NDJSON file per catalog load, the API's `/api/v1/snapshots`.

A dump holds every program's public record (as `/api/v1/programs.ndjson` gives it, provenance as of the load's
day), ordered by id and gzipped with no timestamp, so every worker and replica that writes the same load writes
the same bytes. Each is written once, atomically (a temporary file renamed), beside a small JSON file that
describes it; the last `snapshots_kept` are kept in the index folder and older ones pruned.
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
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

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

    name: str  # <day>-<version>-<load>: never names other bytes
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
    def digest(self) -> str:
        """The RFC 9530 Repr-Digest value."""
        return "sha-256=:" + base64.b64encode(bytes.fromhex(self.sha256)).decode() + ":"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def name_of(snap: Snapshot) -> str:
    return f"{snap.loaded_at.date().isoformat()}-{snap.version}-{snap.seq}"


def path_of(settings: Settings, name: str) -> Path:
    return settings.index_dir / f"{PREFIX}{name}{SUFFIX}"


def _lines(snap: Snapshot, months: int) -> list[bytes]:
    day = snap.loaded_at.date()
    return [
        orjson.dumps(snap.programs[pid].full_record(recheck_months=months, today=day)) + b"\n"
        for pid in sorted(snap.programs)
    ]


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
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
        lines = _lines(snap, settings.recheck_months)
        data = gzip.compress(b"".join(lines), compresslevel=6, mtime=0)
        dump = Dump(
            name=name,
            version=snap.version,
            sync_token=f"{snap.epoch}-{snap.seq}",
            seq=snap.seq,
            created_at=snap.loaded_at.isoformat(),
            records=len(lines),
            bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        _write_atomically(path_of(settings, name), data)
        _write_atomically(settings.index_dir / f"{PREFIX}{name}.json", orjson.dumps(dump.as_dict()))
        _prune(settings, keep=name)
    return dump


def kept(settings: Settings) -> list[Dump]:
    """The dumps kept, newest load first."""
    names = [p.name.removeprefix(PREFIX).removesuffix(".json") for p in settings.index_dir.glob(f"{PREFIX}*.json")]
    found = [d for d in (read(settings, n) for n in names) if d is not None]
    return sorted(found, key=lambda d: (d.created_at, d.seq), reverse=True)


def _prune(settings: Settings, *, keep: str) -> None:
    for old in kept(settings)[settings.snapshots_kept :]:
        if old.name == keep:
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
