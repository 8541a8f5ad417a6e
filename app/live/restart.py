"""Markers in the index folder, shared by the workers of one machine: these exact bytes are already in this
database (a warm restart, and a reload another worker already did), or were refused by this code."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from pathlib import Path

import orjson
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.catalog.problems import Problem
from app.config import Settings
from app.store.db import read_meta


@functools.cache
def _code_digest() -> str:
    """The code that validates and indexes, as running: a process runs the code it started with."""
    code = hashlib.sha256()
    for source in sorted(Path(__file__).resolve().parent.parent.rglob("*.py")):
        code.update(source.read_bytes())
    return code.hexdigest()[:16]


def _loaded_marker(settings: Settings) -> tuple[Path, dict[str, str]]:
    """Where a warm restart looks, and what must match: the file, the database and the code that validated it."""
    identity = {
        "database": hashlib.sha256(settings.database_url.encode()).hexdigest()[:16],  # no credentials on disk
        "code": _code_digest(),
    }
    return settings.index_dir / "loaded.json", identity


def already_loaded(settings: Settings, engine: Engine, digest: str) -> bool:
    """True when these exact bytes were validated and stored in this database by this code (a warm restart)."""
    return _marker_says(settings, engine, {"digest": digest})


def probably_loaded(settings: Settings, engine: Engine, stamp: tuple[int, int, int] | None) -> bool:
    """A guess at `already_loaded` before the file is hashed: the marker names the file's inode, size and
    modification time. Only a hint, to read the database while the file is hashed."""
    return stamp is not None and _marker_says(settings, engine, {"stamp": list(stamp)})


def _marker_says(settings: Settings, engine: Engine, facts: dict[str, object]) -> bool:
    """The marker holds these facts, and was written by this code for this database at its current version."""
    path, identity = _loaded_marker(settings)
    try:
        marker = orjson.loads(path.read_bytes())
        meta = read_meta(engine)
    except (OSError, ValueError, SQLAlchemyError):
        return False
    expected = identity | facts | {"version": meta.version if meta else ""}
    return meta is not None and isinstance(marker, dict) and {k: marker.get(k) for k in expected} == expected


def remember_loaded(settings: Settings, digest: str, version: str, stamp: tuple[int, int, int] | None) -> None:
    """Note that this file (these bytes; `stamp` is how it looked before they were read) is in the database now,
    so the next start can skip validating and storing it."""
    path, identity = _loaded_marker(settings)
    with contextlib.suppress(OSError):  # only an optimisation: a start without it does the full load
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(orjson.dumps(identity | {"digest": digest, "version": version, "stamp": stamp}))
        os.replace(tmp, path)


def _rejected_marker(settings: Settings) -> Path:
    return settings.index_dir / "rejected.json"


def remember_rejected(settings: Settings, digest: str, errors: list[Problem], at: str) -> None:
    """Note that this code refused these bytes, so that the other workers neither validate them again nor serve
    a different verdict."""
    path = _rejected_marker(settings)
    _, identity = _loaded_marker(settings)
    marker = identity | {"digest": digest, "at": at, "errors": [e.__dict__ for e in errors]}
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(orjson.dumps(marker))
        os.replace(tmp, path)


def forget_rejected(settings: Settings) -> None:
    with contextlib.suppress(OSError):
        _rejected_marker(settings).unlink(missing_ok=True)


def read_rejected(settings: Settings) -> tuple[str, str, list[Problem]] | None:
    """(digest, when, errors) of the file last refused by this code, or None when the last file was accepted."""
    _, identity = _loaded_marker(settings)
    try:
        marker = orjson.loads(_rejected_marker(settings).read_bytes())
        if any(marker.get(k) != v for k, v in identity.items()):
            return None
        return str(marker["digest"]), str(marker["at"]), [Problem(**e) for e in marker["errors"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
