"""Markers in the index folder, shared by the workers of one machine: these exact bytes are already in this
database (a warm restart, and a reload another worker already did), or were refused by this code."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import os
from pathlib import Path

import orjson
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.catalog.problems import Problem
from app.config import Settings
from app.live.snapshot import Rejected
from app.store.db import read_meta

LOADED = "loaded.json"  # the file, database and code of the last load
REJECTED = "rejected.json"  # the last file refused, and why


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


def _write(path: Path, marker: dict[str, object]) -> None:
    """Write a marker whole (renamed into place), or not at all: markers only spare work another start would redo."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(orjson.dumps(marker))
        os.replace(tmp, path)


def already_loaded(settings: Settings, engine: Engine, digest: str) -> bool:
    """True when these exact bytes were validated and stored in this database by this code (a warm restart)."""
    return _marker_says(settings, engine, {"digest": digest})


def probably_loaded(settings: Settings, engine: Engine, stamp: tuple[int, int, int] | None) -> bool:
    """A guess at `already_loaded` before the file is hashed: the marker names the file's inode, size and
    modification time. Only a hint, to read the database while the file is hashed."""
    return stamp is not None and _marker_says(settings, engine, {"stamp": list(stamp)})


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
    _write(settings.index_dir / LOADED, _identity(settings) | {"digest": digest, "version": version, "stamp": stamp})


def remember_rejected(settings: Settings, rejected: Rejected) -> None:
    """Note that this code refused these bytes, so that the other workers neither validate them again nor serve
    a different verdict."""
    errors = [e.__dict__ for e in rejected.errors]
    facts: dict[str, object] = {"digest": rejected.digest, "at": rejected.at.isoformat(), "errors": errors}
    _write(settings.index_dir / REJECTED, _identity(settings) | facts)


def forget_rejected(settings: Settings) -> None:
    with contextlib.suppress(OSError):
        (settings.index_dir / REJECTED).unlink(missing_ok=True)


def read_rejected(settings: Settings) -> Rejected | None:
    """The file last refused by this code, or None when the last file was accepted."""
    try:
        marker = orjson.loads((settings.index_dir / REJECTED).read_bytes())
        if any(marker.get(k) != v for k, v in _identity(settings).items()):
            return None
        errors = [Problem(**e) for e in marker["errors"]]
        return Rejected(str(marker["digest"]), errors, dt.datetime.fromisoformat(marker["at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
