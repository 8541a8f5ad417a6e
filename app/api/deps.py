"""The API's plumbing: dependencies (the snapshot, the parsed search, a program or 404), ETags, links, records."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

import orjson
from fastapi import Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from app.api.params import SYNC_PARAMS, ParamError, ParsedSearch, multi_items, read_search
from app.catalog.export import COLUMNS
from app.catalog.vocab import FACETS
from app.live.holder import LiveCatalog
from app.live.snapshot import Snapshot
from app.store.db import CHUNK, StoredProgram

PREFIX = "/api/v1"
API_VERSION = "1"  # part of every ETag: bump when the shape of the responses changes
CACHE_CONTROL = "public, max-age=60"
PROBLEM = "tag:mentordir,2026:problem/"  # + a slug: the `type` of our own problem+json errors
RETRY_AFTER = "30"


class ApiError(HTTPException):
    """An error a client can act on; it becomes application/problem+json (RFC 9457)."""

    def __init__(
        self,
        status: int,
        kind: str,
        title: str,
        detail: str,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status, detail, headers)
        self.type = PROBLEM + kind
        self.title = title
        self.extra = extra or {}


def invalid(error: ParamError) -> ApiError:
    """The 400 for one bad query parameter: which, its value, what is wrong, and what is valid."""
    extra: dict[str, Any] = {"param": error.param, "value": error.value}
    if error.valid is not None:
        extra["valid"] = error.valid
    detail = f"query parameter '{error.param}': {error.message}"
    return ApiError(400, "invalid-parameter", "Invalid query parameter", detail, extra=extra)


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
        )
    return snapshot


SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]


def stored(live: LiveCatalog, snap: Snapshot, ids: Sequence[str]) -> list[StoredProgram]:
    """The records with these ids, in that order, from the request's snapshot; no database is a 503."""
    error = live.database_error()
    if error:
        raise unavailable(error)
    return snap.fetch(ids)


def unavailable(reason: Exception | str) -> ApiError:
    why = reason if isinstance(reason, str) else type(reason).__name__
    return ApiError(
        503,
        "database-unavailable",
        "Database unavailable",
        f"the database did not answer ({why}); try again shortly",
        headers={"Retry-After": RETRY_AFTER},
    )


def check_params(request: Request, allowed: Collection[str]) -> dict[str, list[str]]:
    """The query parameters, after rejecting any not in `allowed` (nothing is silently ignored)."""
    given = multi_items(request.query_params)
    for name, values in given.items():
        if name not in allowed:
            listed = ", ".join(sorted(allowed)) or "none"
            raise invalid(ParamError(name, values[0], f"unknown parameter; this path takes: {listed}", sorted(allowed)))
    return given


def parse_fields(given: dict[str, list[str]]) -> tuple[str, ...] | None:
    """The record fields asked for with `fields=a,b` (None: all of them); unknown names are a 400."""
    names: list[str] = []
    for raw in given.get("fields", []):
        for part in raw.split(","):
            name = part.strip()
            if not name:
                message = "an empty field name; list field names separated by commas, or leave fields out"
                raise invalid(ParamError("fields", raw, message, list(COLUMNS)))
            if name not in COLUMNS:
                raise invalid(ParamError("fields", name, f"'{name[:80]}' is not a field of a program", list(COLUMNS)))
            if name not in names:
                names.append(name)
    return tuple(names) if names else None


async def get_fields(request: Request) -> tuple[str, ...] | None:
    return parse_fields(multi_items(request.query_params))


FieldsDep = Annotated[tuple[str, ...] | None, Depends(get_fields)]


async def get_search(request: Request) -> ParsedSearch:
    """The search asked for; any unknown or invalid parameter is a 400 naming it."""
    try:
        return read_search(request.query_params, strict=True, allowed={"fields", *SYNC_PARAMS})
    except ParamError as error:
        raise invalid(error) from None


SearchDep = Annotated[ParsedSearch, Depends(get_search)]


async def get_export_search(request: Request) -> ParsedSearch:
    """As get_search, for the exports: every match, so page and per_page do not apply."""
    for name in ("page", "per_page"):
        if name in request.query_params:
            message = "exports hold every match; remove it (or use /api/v1/programs to page)"
            raise invalid(ParamError(name, request.query_params[name], message))
    return await get_search(request)


ExportSearchDep = Annotated[ParsedSearch, Depends(get_export_search)]


def get_program_or_404(program_id: str, request: Request, live: LiveDep, snapshot: SnapshotDep) -> StoredProgram:
    """The program with this id, from the request's snapshot, or a 404 problem."""
    check_params(request, {"fields"})
    found = stored(live, snapshot, [program_id])
    if not found:
        raise ApiError(
            404,
            "unknown-program",
            "No such program",
            f"there is no program with id '{program_id[:80]}'; list them at /api/v1/programs",
            extra={"id": program_id[:200]},
        )
    return found[0]


ProgramDep = Annotated[StoredProgram, Depends(get_program_or_404)]


class JSON(JSONResponse):
    """A JSON response serialized by orjson."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def base_url(request: Request, live: LiveCatalog) -> str:
    """Where links point: the configured public base URL, else the one the request came to."""
    return (live.settings.base_url or str(request.base_url)).rstrip("/")


def canonical(search: ParsedSearch, fields: Sequence[str] | None, *, paged: bool) -> list[tuple[str, str]]:
    """The request's parameters in one normal form: equal searches give equal links and ETags."""
    q = search.query
    items = [("q", q.text)] if q.text else []
    for name, vocab in FACETS.items():
        items += [(name, v) for v in vocab.values if v in q.filters.get(name, ())]
    if q.sort != ("relevance" if q.text else "name"):
        items.append(("sort", q.sort))
    if q.updated_since is not None:
        items.append(("updated_since", q.updated_since.astimezone(dt.UTC).isoformat()))
    if q.verified_since is not None:
        items.append(("verified_since", q.verified_since.isoformat()))
    if q.include_open:
        items.append(("include_open", "true"))
    if q.has_link:
        items.append(("has_link", "true"))
    if fields:
        items.append(("fields", ",".join(fields)))
    if paged:
        items += [("page", str(search.page)), ("per_page", str(search.per_page))]
    return items


def etag(snapshot: Snapshot, base: str, path: str, items: Sequence[tuple[str, str]] = ()) -> str:
    key = f"{API_VERSION}\n{snapshot.tag}\n{base}\n{path}\n{urlencode(items)}"
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def conditional(
    request: Request,
    tag: str,
    render: Callable[[], Response],
    more: dict[str, str] | None = None,
    *,
    cache_control: str = CACHE_CONTROL,
) -> Response:
    """A 304 when the client holds this version already; otherwise the rendered response, tagged."""
    headers = {"ETag": tag, "Cache-Control": cache_control, **(more or {})}
    held = request.headers.get("if-none-match", "")
    if held.strip() == "*" or tag in {t.strip().removeprefix("W/") for t in held.split(",")}:
        return Response(status_code=304, headers=headers)
    response = render()
    response.headers.update(headers)
    return response


def pick(record: dict[str, Any], fields: Sequence[str] | None) -> dict[str, Any]:
    """The record cut to the fields asked for; the id always stays, it is what names the record."""
    return record if fields is None else {k: record[k] for k in ("id", *fields) if k in record}


def result(
    program: StoredProgram, fields: Sequence[str] | None, base: str, highlights: dict[str, str] | None = None
) -> dict[str, Any]:
    """One program as the API shows it: its fields, the marked-up matches if searched, and its links."""
    out = pick(program.full_record(), fields)
    if highlights is not None:
        out["highlights"] = highlights
    out["links"] = {"self": f"{base}{PREFIX}/programs/{program.id}", "html": f"{base}/programs/{program.id}"}
    return out


def plain(record: dict[str, Any]) -> dict[str, str]:
    """Highlights with nothing marked, for a query whose words were all too common to mark."""
    return {"name": html.escape(record["name"]), "snippet": html.escape(record["summary"])}


def page_links(base: str, path: str, items: list[tuple[str, str]], page: int, pages: int) -> dict[str, str | None]:
    def at(n: int) -> str:
        return f"{base}{path}?" + urlencode([(k, str(n) if k == "page" else v) for k, v in items])

    prev = min(page - 1, pages) if page > 1 and pages else None
    return {"self": at(page), "next": at(page + 1) if page < pages else None, "prev": at(prev) if prev else None}


def records(
    live: LiveCatalog, snap: Snapshot, ids: Sequence[str], fields: Sequence[str] | None
) -> Iterator[dict[str, Any]]:
    """Every record, a chunk at a time; the first chunk is read before the response starts, so a dead database
    is a 503 rather than a cut-off download."""
    first = stored(live, snap, ids[:CHUNK])

    def stream() -> Iterator[dict[str, Any]]:
        yield from (pick(p.full_record(), fields) for p in first)
        for start in range(CHUNK, len(ids), CHUNK):
            yield from (pick(p.full_record(), fields) for p in stored(live, snap, ids[start : start + CHUNK]))

    return stream()
