"""Warm restart: a marker that says these exact bytes are already in this database, indexed by this code."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

import orjson
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.config import Settings
from app.store.db import read_meta


def _loaded_marker(settings: Settings) -> tuple[Path, dict[str, str]]:
    """Where a warm restart looks, and what must match: the file, the database and the code that validated it."""
    code = hashlib.sha256()
    for source in sorted(Path(__file__).resolve().parent.parent.rglob("*.py")):
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
