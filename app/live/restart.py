"""Markers in the index folder, shared by the workers of one machine: these exact bytes are already in this
database (a warm restart, and a reload another worker already did); and the helpers of the other markers
(app.live.verdicts)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.config import Settings
from app.live.loading import FileStamp, file_digest
from app.store.db import StoredProgram, read_meta, read_programs

LOADED = "loaded.json"  # the file, database and code of the last load


@functools.cache
def _code_digest() -> str:
    """The code that validates and indexes, as running: a process runs the code it started with."""
    code = hashlib.sha256()
    for source in sorted(Path(__file__).resolve().parent.parent.rglob("*.py")):
        code.update(source.read_bytes())
    return code.hexdigest()[:16]


def _identity(settings: Settings) -> dict[str, object]:
    """What a marker must match besides the file: the database and the code that validated it."""
    return {
        "database": hashlib.sha256(settings.database_url.encode()).hexdigest()[:16],  # no credentials on disk
        "code": _code_digest(),
    }


def write_marker(settings: Settings, name: str, facts: dict[str, object] | None) -> None:
    """Write a marker whole (renamed into place), or not at all: markers only spare work another start would redo,
    or tell the other workers what this one found. None removes it."""
    path = settings.index_dir / name
    with contextlib.suppress(OSError):
        if facts is None:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(orjson.dumps(_identity(settings) | facts))
        os.replace(tmp, path)


def already_loaded(settings: Settings, engine: Engine, digest: str) -> bool:
    """True when these exact bytes were validated and stored in this database by this code (a warm restart)."""
    return _marker_says(settings, engine, {"digest": digest})


def probably_loaded(settings: Settings, engine: Engine, stamp: tuple[int, int, int] | None) -> bool:
    """A guess at `already_loaded` before the file is hashed: the marker names the file's inode, size and
    modification time. Only a hint, to read the database while the file is hashed."""
    return stamp is not None and _marker_says(settings, engine, {"stamp": list(stamp)})


def digest_reading_ahead(
    settings: Settings, engine: Engine, stamp: FileStamp, *, warm: bool
) -> tuple[str, list[StoredProgram] | None]:
    """The file's digest; and, at a start (`warm`) that looks warm (the file as the last load left it), the
    database's rows, read while the file is hashed (hashing lets go of the GIL: 0.2 s of a warm start at 100,000)."""
    if not warm or not probably_loaded(settings, engine, stamp):
        return file_digest(settings), None
    with ThreadPoolExecutor(1) as pool:
        hashing = pool.submit(file_digest, settings)
        try:
            rows: list[StoredProgram] | None = read_programs(engine)
        except SQLAlchemyError:
            rows = None  # read again, or reported, by the load itself
        return hashing.result(), rows


def _marker_says(settings: Settings, engine: Engine, facts: dict[str, object]) -> bool:
    """The marker holds these facts, and was written by this code for this database at its current version."""
    try:
        marker = orjson.loads((settings.index_dir / LOADED).read_bytes())
        meta = read_meta(engine)
    except (OSError, ValueError, SQLAlchemyError):
        return False
    expected = _identity(settings) | facts | {"version": meta.version if meta else ""}
    return meta is not None and isinstance(marker, dict) and {k: marker.get(k) for k in expected} == expected


def remember_loaded(settings: Settings, digest: str, version: str, stamp: tuple[int, int, int] | None) -> None:
    """Note that this file (these bytes; `stamp` is how it looked before they were read) is in the database now,
    so the next start can skip validating and storing it."""
    write_marker(settings, LOADED, {"digest": digest, "version": version, "stamp": stamp})


def read_marker(settings: Settings, name: str) -> dict[str, Any]:
    """A marker written by this code for this database ({} when there is none)."""
    try:
        marker = orjson.loads((settings.index_dir / name).read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(marker, dict) or any(marker.get(k) != v for k, v in _identity(settings).items()):
        return {}
    return marker
