"""Why the file read last is not served, shared by the workers of one machine through markers in the index folder:
refused (invalid) or held (it would remove many programs at once); and the last reload that failed on the database
or the disk."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, replace
from pathlib import PurePath

from sqlalchemy.exc import SQLAlchemyError

from app.catalog.problems import Problem
from app.config import Settings
from app.live.restart import read_marker, write_marker
from app.store.db import utcnow

log = logging.getLogger("mentordir")

VERDICT = "rejected.json"  # the last file read and not served: refused (invalid) or held (removes many), and why
FAILED = "failed.json"  # the last reload that failed on the database or the disk, while it is the last one


@dataclass(frozen=True)
class Rejected:
    """A catalog file that failed validation; the last good snapshot is served meanwhile."""

    digest: str
    errors: list[Problem]
    at: dt.datetime = field(default_factory=utcnow)

    def as_dict(self) -> dict[str, object]:
        """For public answers: each error names the file, never the server's path to it (logs and the CLI do)."""
        shown = [replace(e, path=PurePath(e.path).name) for e in self.errors]
        return {
            "file_digest": self.digest,
            "rejected_at": self.at.isoformat(),
            "errors": [e.as_dict() | {"text": str(e)} for e in shown],
        }


CONFIRM = "`mentordir load --allow-removals`, or POST /api/v1/admin/reload?allow_removals=true"
HELD_IDS_SHOWN = 10


@dataclass(frozen=True)
class Held:
    """A valid catalog file that would remove many programs at once (a half-saved file, often): not loaded until a
    curator confirms it or the file changes; the current catalog is served meanwhile."""

    digest: str
    removed: tuple[str, ...]  # the ids it would remove, the first HELD_IDS_SHOWN
    removals: int
    stored: int
    at: dt.datetime = field(default_factory=utcnow)

    def as_dict(self) -> dict[str, object]:
        return {
            "file_digest": self.digest,
            "held_since": self.at.isoformat(),
            "removals": self.removals,
            "programs_stored": self.stored,
            "removed_ids": list(self.removed),
            "confirm": CONFIRM,
        }


@dataclass(frozen=True)
class ReloadFailure:
    """A reload that failed on the database or the disk (not on the file): the last good catalog is served."""

    what: str
    at: dt.datetime = field(default_factory=utcnow)

    @classmethod
    def of(cls, exc: Exception) -> ReloadFailure:
        """What failed, named by the error's type only: its message may name hosts, paths or SQL."""
        kind = "database" if isinstance(exc, SQLAlchemyError) else "disk" if isinstance(exc, OSError) else "load"
        return cls(f"{kind}: {type(exc).__name__}")

    def as_dict(self) -> dict[str, object]:
        return {"at": self.at.isoformat(), "what": self.what}


Verdict = Rejected | Held


def hold(digest: str, removed: list[str], stored: int, served: str) -> Held:
    """The verdict on a file that removes too many programs at once, logged (once per file: the caller reads each
    file once)."""
    held = Held(digest, tuple(removed[:HELD_IDS_SHOWN]), len(removed), stored)
    more = ", ..." if held.removals > len(held.removed) else ""
    log.warning(
        "catalog file %s held: it would remove %d of the %d programs stored (%s%s); still serving catalog %s until "
        "the file changes or a curator confirms with %s",
        digest,
        held.removals,
        held.stored,
        ", ".join(held.removed),
        more,
        served,
        CONFIRM,
    )
    return held


def remember_verdict(settings: Settings, verdict: Verdict | None) -> None:
    """Note that this code refused or held these bytes (None: that the file read last is served), so that the other
    workers neither read them again nor show a different verdict."""
    if verdict is None:
        write_marker(settings, VERDICT, None)
        return
    facts: dict[str, object] = {"digest": verdict.digest, "at": verdict.at.isoformat()}
    if isinstance(verdict, Held):
        facts |= {"kind": "held", "removed": verdict.removed, "removals": verdict.removals, "stored": verdict.stored}
    else:
        facts |= {"kind": "rejected", "errors": [e.__dict__ for e in verdict.errors]}
    write_marker(settings, VERDICT, facts)


def read_verdict(settings: Settings) -> Verdict | None:
    """Why the file read last is not served (refused or held), or None when it is."""
    marker = read_marker(settings, VERDICT)
    try:
        at = dt.datetime.fromisoformat(marker["at"])
        if marker.get("kind") == "held":
            removed = tuple(str(i) for i in marker["removed"])
            return Held(str(marker["digest"]), removed, int(marker["removals"]), int(marker["stored"]), at)
        return Rejected(str(marker["digest"]), [Problem(**e) for e in marker["errors"]], at)
    except (KeyError, TypeError, ValueError):
        return None


def remember_failure(settings: Settings, failure: ReloadFailure | None) -> None:
    """Note the last reload that failed on the database or the disk (None: the last one succeeded)."""
    facts: dict[str, object] | None = None if failure is None else {"what": failure.what, "at": failure.at.isoformat()}
    write_marker(settings, FAILED, facts)


def read_failure(settings: Settings) -> ReloadFailure | None:
    marker = read_marker(settings, FAILED)
    try:
        return ReloadFailure(str(marker["what"]), dt.datetime.fromisoformat(marker["at"]))
    except (KeyError, TypeError, ValueError):
        return None
