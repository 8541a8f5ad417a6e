"""What the API and the pages share at the HTTP level, as dependencies: the live catalog and the request's snapshot,
its records, the public base URL, and ETags and Last-Modified with If-None-Match and If-Modified-Since (304). Errors
are `ApiError`s: problem+json for machines, and an HTML page in the words of `page` for people.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import itertools
from collections.abc import Callable, Iterator, Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

import orjson
from fastapi import Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from app.live.holder import LiveCatalog
from app.live.snapshot import Snapshot
from app.store.db import StoredProgram, chunks

PREFIX = "/api/v1"
API_VERSION = "1"  # part of every ETag: bump when the shape of the responses changes
CACHE_CONTROL = "public, max-age=60"
PROBLEM = "tag:mentordir,2026:problem/"  # + a slug: the `type` of our own problem+json errors
RETRY_AFTER = "30"


class ApiError(HTTPException):
    """An error a client can act on: application/problem+json (RFC 9457); `page` words it for an HTML page."""

    def __init__(
        self,
        status: int,
        kind: str,
        title: str,
        detail: str,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        page: str | None = None,
    ) -> None:
        super().__init__(status, detail, headers)
        self.type = PROBLEM + kind
        self.title = title
        self.extra = extra or {}
        self.page = page or detail


def ratelimit_headers(limit: int, remaining: int, reset: int) -> dict[str, str]:
    """Where a rate limit applies, its state (draft-ietf-httpapi-ratelimit-headers-06): the limit, what is left of
    it, and seconds until the window frees."""
    return {"RateLimit-Limit": str(limit), "RateLimit-Remaining": str(remaining), "RateLimit-Reset": str(reset)}


# Dependencies that neither block nor take long are `async def`: FastAPI runs each `def` dependency in the thread
# pool, a hand-off to a thread and a wake-up of the event loop apiece, which cost more than the work itself.


async def get_live(request: Request) -> LiveCatalog:
    live: LiveCatalog = request.app.state.live
    return live


LiveDep = Annotated[LiveCatalog, Depends(get_live)]


async def get_snapshot(live: LiveDep) -> Snapshot:
    """The catalog version being served, taken once for the whole request."""
    snapshot = live.current
    if snapshot is None:
        raise ApiError(
            503,
            "no-catalog",
            "No catalog loaded",
            "the service has no valid catalog to serve yet; see /readyz",
            headers={"Retry-After": RETRY_AFTER},
            page="No catalog is loaded yet. Please try again in a minute.",
        )
    return snapshot


SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]


def base_url(request: Request, live: LiveCatalog | None) -> str:
    """Where links point: the configured public base URL, else the one the request came to."""
    return ((live.settings.base_url if live else None) or str(request.base_url)).rstrip("/")


async def get_base_url(request: Request, live: LiveDep) -> str:
    return base_url(request, live)


BaseUrlDep = Annotated[str, Depends(get_base_url)]


def unavailable(reason: Exception | str) -> ApiError:
    why = reason if isinstance(reason, str) else type(reason).__name__
    return ApiError(
        503,
        "database-unavailable",
        "Database unavailable",
        f"the database did not answer ({why}); try again shortly",
        headers={"Retry-After": RETRY_AFTER},
        page="The database is not answering. Please try again in a minute.",
    )


def follow_rename(request: Request, live: LiveCatalog, snap: Snapshot, program_id: str) -> None:
    """For an id a program replaces (`replaces` in the catalog): a 301 to the same path under the new id, with the
    same query; the record and the page both answer so. Any other id: nothing."""
    new = snap.replaced.get(program_id)
    if new is None:
        return
    path = request.url.path.replace(f"/programs/{program_id}", f"/programs/{new}", 1)
    location = base_url(request, live) + path + (f"?{request.url.query}" if request.url.query else "")
    raise ApiError(
        301,
        "program-renamed",
        "Program renamed",
        f"program '{program_id}' is now '{new}', at {location}",
        extra={"id": program_id, "replaced_by": new, "location": location},
        headers={"Location": location, "Cache-Control": CACHE_CONTROL},
        page=f"This program has a new address: {location}",
    )


def stored(live: LiveCatalog, snap: Snapshot, ids: Sequence[str]) -> list[StoredProgram]:
    """The records with these ids, in that order, from the request's snapshot; no database is a 503."""
    error = live.database.error()
    if error:
        raise unavailable(error)
    return snap.fetch(ids)


def pick(record: dict[str, Any], fields: Sequence[str] | None) -> dict[str, Any]:
    """The record cut to the fields asked for; the id always stays, it is what names the record."""
    return record if fields is None else {k: record[k] for k in ("id", *fields) if k in record}


def records(
    live: LiveCatalog, snap: Snapshot, ids: Sequence[str], fields: Sequence[str] | None
) -> Iterator[dict[str, Any]]:
    """Every record, a chunk at a time; the first chunk is read before the response starts, so a dead database
    is a 503 rather than a cut-off download."""
    batches = chunks(ids)
    first = stored(live, snap, next(batches, []))
    rest = (p for batch in batches for p in stored(live, snap, batch))
    months = live.settings.recheck_months
    return (pick(p.full_record(recheck_months=months), fields) for p in itertools.chain(first, rest))


class JSON(JSONResponse):
    """A JSON response serialized by orjson."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def etag(snapshot: Snapshot, base: str, path: str, items: Sequence[tuple[str, str]] = ()) -> str:
    """The tag of an answer: the catalog served, the request, and the day (an entry falls due for a fresh check)."""
    key = f"{API_VERSION}\n{snapshot.tag}\n{dt.date.today()}\n{base}\n{path}\n{urlencode(items)}"
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def as_of(snapshot: Snapshot) -> dt.datetime:
    """An answer's Last-Modified: when its catalog was loaded, or the start of today if later (answers change with
    the day, as their ETags do: an entry falls due for a fresh check on a day)."""
    midnight = dt.datetime.combine(dt.date.today(), dt.time()).astimezone(dt.UTC)
    return max(snapshot.loaded_at, midnight)


def http_date(when: dt.datetime) -> str:
    return email.utils.format_datetime(when.astimezone(dt.UTC), usegmt=True)


def not_modified(if_none_match: str, tag: str, if_modified_since: str = "", last_modified: str = "") -> bool:
    """True when the client holds this answer: If-None-Match names this ETag (or `*`), compared weakly as RFC 9110
    asks; or, without If-None-Match (which takes precedence), If-Modified-Since is no earlier than Last-Modified."""
    if if_none_match.strip():
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or tag.removeprefix("W/") in tags
    if not if_modified_since or not last_modified:
        return False
    try:
        held = email.utils.parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False  # not a date: ignored, as RFC 9110 asks
    if held.tzinfo is None:
        return False
    return email.utils.parsedate_to_datetime(last_modified) <= held


def conditional(
    request: Request,
    tag: str,
    render: Callable[[], Response],
    more: dict[str, str] | None = None,
    *,
    cache_control: str = CACHE_CONTROL,
    modified: dt.datetime | None = None,
) -> Response:
    """A 304 when the client holds this version already; otherwise the rendered response, tagged (and dated when
    `modified` is given)."""
    headers = {"ETag": tag, "Cache-Control": cache_control, **(more or {})}
    if modified is not None:
        headers["Last-Modified"] = http_date(modified)
    held = request.headers.get("if-none-match", ""), request.headers.get("if-modified-since", "")
    if not_modified(held[0], tag, held[1], headers.get("Last-Modified", "")):
        return Response(status_code=304, headers=headers)
    response = render()
    response.headers.update(headers)
    return response


def from_catalog(
    request: Request,
    snap: Snapshot,
    base: str,
    render: Callable[[], Response],
    items: Sequence[tuple[str, str]] = (),
    more: dict[str, str] | None = None,
    *,
    modified: dt.datetime | None = None,
) -> Response:
    """An answer made from the catalog, tagged (`etag`) and dated (`as_of`) by it; a 304 when the client holds it."""
    tag = etag(snap, base, request.url.path, items)
    return conditional(request, tag, render, more, modified=modified or as_of(snap))
