"""Sync that cannot miss, and pages that cannot skip: `since=<sync_token>` and `version=<catalog version>`.

Every load that changes the catalog takes the next sequence number (app.store.db), and every program and removal
records the load that made it (a rename is a removal that names the program replacing the id, `replaced_by`). A
sync token names a database and a sequence number; `since=<token>` answers what changed or left after it, from a
snapshot at least that new. A worker or replica that has not caught up yet
answers 503 with Retry-After, never "nothing changed". Page links carry the catalog version, and a page asked
for under a version no longer served is a 409 (`catalog-changed`), so that a client starts again rather than
skipping the programs that moved between pages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.exc import SQLAlchemyError

from app.api.deps import invalid
from app.api.params import SYNC_PARAMS, TOKEN_PATTERN, VERSION_PATTERN, ParamError, ParsedSearch
from app.live.holder import LiveCatalog
from app.live.snapshot import Snapshot
from app.plumbing import ApiError, LiveDep, SnapshotDep, base_url, unavailable
from app.store.db import CatalogMeta, Removal, read_meta

_TOKEN = re.compile(TOKEN_PATTERN)
_VERSION = re.compile(VERSION_PATTERN)


def sync_token(snap: Snapshot) -> str:
    """The token naming this snapshot's place in the database's sequence of loads: which database, which load."""
    return f"{snap.epoch}-{snap.seq}"


def _decode(raw: str) -> tuple[str, int]:
    text = raw.strip()
    if not _TOKEN.match(text):
        message = "not a sync token; use the sync_token of an earlier answer, or leave since out for a full sync"
        raise invalid(ParamError("since", raw[:80], message))
    epoch, _, seq = text.partition("-")
    return epoch, int(seq)


def sync_headers(snap: Snapshot) -> dict[str, str]:
    return {"Sync-Token": sync_token(snap), "Catalog-Version": snap.version}


@dataclass(frozen=True)
class Sync:
    """What a request asked of the catalog's history: changes after a load (`since`), and the version it pages."""

    since: int | None = None
    token: str | None = None
    version: str | None = None

    def items(self, snap: Snapshot) -> list[tuple[str, str]]:
        """The parameters every link of this answer carries: the version it was made from, and the token asked."""
        return [("version", snap.version)] + ([("since", self.token)] if self.token else [])

    def changes(self, snap: Snapshot) -> tuple[set[str] | None, list[Removal]]:
        """The programs changed after `since` (None: no `since`, every program) and those removed after it."""
        if self.since is None:
            return None, []
        return snap.changes_after(self.since)


def _behind(live: LiveCatalog, snap: Snapshot, what: str) -> ApiError:
    detail = f"this server still serves catalog {snap.version} (load {snap.seq}) and has not caught up with {what}"
    retry = {"Retry-After": str(max(1, math.ceil(live.settings.follow_poll_seconds)))}  # a poll from now
    return ApiError(503, "catalog-catching-up", "Catalog catching up", detail + "; try again shortly", headers=retry)


async def _database_meta(live: LiveCatalog) -> CatalogMeta | None:
    try:
        return await run_in_threadpool(read_meta, live.engine)
    except SQLAlchemyError as exc:
        raise unavailable(exc) from None


async def get_sync(request: Request, live: LiveDep, snap: SnapshotDep) -> Sync:
    """Read `since` and `version`; refuse what this snapshot cannot answer honestly."""
    params = request.query_params
    for name in SYNC_PARAMS:
        if len(params.getlist(name)) > 1:
            raise invalid(ParamError(name, params.getlist(name)[1], f"give {name} once"))
    version = params.get("version")
    if version is not None and not _VERSION.match(version.strip()):
        message = "not a catalog version; use the links of an earlier answer, or leave version out"
        raise invalid(ParamError("version", version[:80], message))
    version = version.strip() if version is not None else None
    if version is not None and version != snap.version:
        meta = await _database_meta(live)
        if meta is not None and meta.version == version:
            raise _behind(live, snap, f"catalog {version}")
        first = [(k, v) for k, v in params.multi_items() if k not in ("page", "version")]
        restart = f"{base_url(request, live)}{request.url.path}?" + urlencode([*first, ("version", snap.version)])
        detail = (
            f"the catalog changed from version {version} to {snap.version} while you paged; "
            "start again from the first page (links.restart) so that no program is skipped"
        )
        extra = {"current_version": snap.version, "links": {"restart": restart}}
        raise ApiError(409, "catalog-changed", "Catalog changed", detail, extra=extra)
    raw = params.get("since")
    if raw is None:
        return Sync(version=version)
    epoch, seq = _decode(raw)
    if epoch != snap.epoch or seq > snap.seq:
        meta = await _database_meta(live)
        if meta is None or meta.epoch != epoch or meta.seq < seq:
            detail = (
                "this sync token was not issued by this catalog's database (it was rebuilt, or the token is "
                "damaged); sync again from scratch, without since"
            )
            raise ApiError(409, "sync-token-unknown", "Sync token unknown", detail, extra={"param": "since"})
        raise _behind(live, snap, f"load {seq}")
    return Sync(since=seq, token=raw.strip(), version=version)


SyncDep = Annotated[Sync, Depends(get_sync)]


def check_sync_search(search: ParsedSearch, sync: Sync) -> None:
    """A sync covers the whole catalog: a filtered one could not learn that a program left the filter."""
    q = search.query
    if sync.since is None:
        return
    asked = (("q", q.text), ("updated_since", q.updated_since), ("verified_since", q.verified_since))
    narrowed = [n for n, v in (*asked, ("has_link", q.has_link)) if v] + sorted(q.filters)
    if narrowed:
        message = (
            f"since covers the whole catalog and cannot be combined with {', '.join(narrowed)} "
            "(a filtered copy would never learn that a program stopped matching); filter your copy instead"
        )
        raise invalid(ParamError("since", sync.token, message))


def _left(r: Removal) -> dict[str, Any]:
    """A removal as answers list it; a rename also names the program that replaces the id, and since when."""
    when = r.removed_at.isoformat()
    return {"id": r.id, "removed_at": when} | (
        {"replaced_by": r.replaced_by, "replaced_at": when} if r.replaced_by else {}
    )


def removals(gone: Iterable[Removal]) -> list[dict[str, Any]]:
    return [_left(r) for r in gone]


def tombstones(gone: Iterable[Removal]) -> Iterator[dict[str, Any]]:
    """NDJSON lines for removed programs: the id, `removed: true` and when (and for a rename, `replaced_by`)."""
    return ({"id": r.id, "removed": True} | _left(r) for r in gone)
