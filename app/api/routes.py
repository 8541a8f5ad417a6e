"""The JSON API v1 for institutions: faceted search, records, vocabularies, exports and change sync.

Every response is serialized with orjson and carries an ETag (the catalog version and the normalized request),
so `If-None-Match` gives a 304; errors are application/problem+json (RFC 9457, app/api/protocol.py).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles

from app import config
from app.api import apidoc, completions, contract, snapshots, suggestions
from app.api.deps import (
    ExportSearchDep,
    FieldsDep,
    ProgramDep,
    SearchDep,
    canonical,
    check_params,
    page_links,
    plain,
    result,
)
from app.api.params import ParsedSearch
from app.api.schemas import CatalogInfo, ProgramOut, ProgramPage, Similar, Vocabularies
from app.api.sync import Sync, SyncDep, check_sync_search, removals, sync_headers, sync_token, tombstones
from app.catalog.export import COLUMNS, csv_lines, ndjson_lines
from app.catalog.nextsteps import ACCESS_STEPS, NEXT_STEPS
from app.catalog.vocab import FACETS
from app.live.holder import LiveCatalog
from app.live.snapshot import Snapshot
from app.plumbing import (
    JSON,
    PREFIX,
    BaseUrlDep,
    LiveDep,
    SnapshotDep,
    as_of,
    base_url,
    from_catalog,
    records,
    stored,
    unavailable,
)
from app.search.query import SearchQuery
from app.store.db import Removal

router = APIRouter(prefix=PREFIX, tags=["programs"], default_response_class=JSON, responses=apidoc.ERRORS)


@router.get(
    "/programs", responses=apidoc.ok(ProgramPage), openapi_extra=apidoc.parameters(paged=True), summary="Search"
)
def list_programs(
    request: Request,
    search: SearchDep,
    fields: FieldsDep,
    live: LiveDep,
    snap: SnapshotDep,
    base: BaseUrlDep,
    sync: SyncDep,
) -> Response:
    """Search and filter the programs: one page of results, with disjunctive counts for every facet."""
    check_sync_search(search, sync)
    items = canonical(search, fields, paged=True)
    items[-2:-2] = sync.items(snap)  # before page and per_page

    def render() -> Response:
        q = search.query
        changed, gone = sync.changes(snap)
        if changed is None:
            found = snap.index.search(q)
            total, hits = found.total, found.hits
        else:  # every program changed after the token, in the order asked, paged here
            found = snap.index.search(replace(q, offset=0, limit=None, highlight=False))
            kept = [h for h in found.hits if h.id in changed]
            total, hits = len(kept), kept[q.offset : q.offset + search.per_page]
        by_id = {p.id: p for p in stored(live, snap, [h.id for h in hits])}
        months = live.settings.recheck_months
        results = [
            result(p, fields, base, (h.highlights or plain(p.record)) if q.text else None, recheck_months=months)
            | ({"part": h.part} if found.parts else {})
            for h in hits
            if (p := by_id.get(h.id)) is not None
        ]
        if q.updated_since is not None:
            gone = snap.removed_since(q.updated_since)
        pages = math.ceil(max(total, len(gone)) / search.per_page)  # removals are paged beside the programs
        links = page_links(base, request.url.path, items, search.page, pages)
        body: dict[str, Any] = {
            "total": total,
            "page": search.page,
            "per_page": search.per_page,
            "pages": pages,
            "results": results,
            "facets": found.facets,  # FacetCount dataclasses: orjson writes them as objects, 20x faster than asdict
            "with_link": found.with_link,
            "links": links,
            "suggestion": found.suggestion,
            "relaxed": found.relaxed,
            "suggested_filters": found.suggested_filters,  # dataclasses, written by orjson
            "escapes": found.escapes,
            "guides": [{"title": g.title, "url": base + g.href} for g in found.guides],
            "parts": found.parts,  # Part dataclasses, written by orjson
            "version": snap.version,
            "sync_token": sync_token(snap),
        }
        if q.updated_since is not None or changed is not None:
            body["removed"] = removals(gone[q.offset : q.offset + search.per_page])
        link_header = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url and rel != "self")
        return JSON(body, headers={"Link": link_header} if link_header else None)

    return from_catalog(request, snap, base, render, items, sync_headers(snap))


def export(
    request: Request,
    search: ParsedSearch,
    fields: Sequence[str] | None,
    live: LiveCatalog,
    snap: Snapshot,
    sync: Sync,
    stream: Callable[[Iterator[dict[str, Any]], list[Removal]], Response],
) -> Response:
    """Every match's record, in the requested order, streamed by `stream` from one snapshot (so one version);
    tagged like any other answer. With since or updated_since, what was removed is passed on too."""
    check_sync_search(search, sync)
    base = base_url(request, live)
    q = search.query

    def render() -> Response:
        changed, gone = sync.changes(snap)
        hits = snap.index.search(replace(q, offset=0, limit=None, highlight=False)).hits
        ids = [h.id for h in hits if changed is None or h.id in changed]
        if q.updated_since is not None:
            gone = snap.removed_since(q.updated_since)
        return stream(records(live, snap, ids, fields), gone)

    items = canonical(search, fields, paged=False) + sync.items(snap)
    return from_catalog(request, snap, base, render, items, sync_headers(snap))


@router.get(
    "/programs.csv",
    responses=apidoc.ok(None, "text/csv"),
    openapi_extra=apidoc.parameters(paged=False),
    summary="Export as CSV",
)
def export_csv(
    request: Request, search: ExportSearchDep, fields: FieldsDep, live: LiveDep, snap: SnapshotDep, sync: SyncDep
) -> Response:
    """Every matching program as CSV (same filters, no pages); list fields joined with ';', sources as JSON.
    Removals are not listed: sync with the NDJSON export or the JSON API."""
    columns = ("id", *(f for f in fields if f != "id")) if fields else COLUMNS
    disposition = {"Content-Disposition": 'attachment; filename="programs.csv"'}

    def stream(rows: Iterator[dict[str, Any]], _gone: list[Removal]) -> Response:
        return StreamingResponse(csv_lines(rows, columns), media_type="text/csv; charset=utf-8", headers=disposition)

    return export(request, search, fields, live, snap, sync, stream)


@router.get(
    "/programs.ndjson",
    responses=apidoc.ok(None, "application/x-ndjson"),
    openapi_extra=apidoc.parameters(paged=False),
    summary="Export as NDJSON",
)
def export_ndjson(
    request: Request, search: ExportSearchDep, fields: FieldsDep, live: LiveDep, snap: SnapshotDep, sync: SyncDep
) -> Response:
    """Every matching program as JSON lines, one record a line (same filters, no pages); with since or
    updated_since, each program removed since then follows as a tombstone line: {"id", "removed": true,
    "removed_at"}."""

    def stream(rows: Iterator[dict[str, Any]], gone: list[Removal]) -> Response:
        return StreamingResponse(
            ndjson_lines(itertools.chain(rows, tombstones(gone))), media_type="application/x-ndjson"
        )

    return export(request, search, fields, live, snap, sync, stream)


@router.get(
    "/programs/{program_id}",
    responses=apidoc.ok(ProgramOut) | apidoc.NOT_FOUND,
    openapi_extra=apidoc.fields_only(),
    summary="One program",
)
def get_program(
    request: Request, program: ProgramDep, fields: FieldsDep, live: LiveDep, snap: SnapshotDep, base: BaseUrlDep
) -> Response:
    """The full record of one program, with links to its API record and its web page."""
    items = [("fields", ",".join(fields))] if fields else []

    def render() -> Response:
        return JSON(result(program, fields, base, recheck_months=live.settings.recheck_months))

    return from_catalog(request, snap, base, render, items)


@router.get(
    "/programs/{program_id}/similar",
    responses=apidoc.ok(Similar) | apidoc.NOT_FOUND,
    openapi_extra=apidoc.fields_only(),
    summary="Similar programs",
)
def similar_programs(
    request: Request, program: ProgramDep, fields: FieldsDep, live: LiveDep, snap: SnapshotDep, base: BaseUrlDep
) -> Response:
    """Up to 5 programs most like this one, by shared words and shared facet values, best first; never one that is
    no longer offered."""
    items = [("fields", ",".join(fields))] if fields else []

    def render() -> Response:
        found = stored(live, snap, snap.similar(program.id, 5))
        months = live.settings.recheck_months
        return JSON({"id": program.id, "results": [result(p, fields, base, recheck_months=months) for p in found]})

    return from_catalog(request, snap, base, render, items)


@router.get("/vocabularies", tags=["catalog"], responses=apidoc.ok(Vocabularies), summary="Vocabularies")
def vocabularies(request: Request, snap: SnapshotDep, base: BaseUrlDep) -> Response:
    """Every facet: its values with their labels, definitions and how many programs carry each."""
    check_params(request, ())

    def render() -> Response:
        counts = snap.index.search(SearchQuery(limit=0, highlight=False)).facets
        body = [
            {
                "name": v.name,
                "field": v.field,
                "label": v.label,
                "definition": v.definition,
                "multi": v.multi,
                "wildcard": v.wildcard,
                "default": list(v.default),
                "terms": [
                    {"value": t.value, "label": t.label, "definition": t.definition, "count": c.count}
                    | ({"next_step": NEXT_STEPS[t.value].text} if v.name == "type" else {})
                    | (
                        {"next_step": ACCESS_STEPS[t.value].text}
                        if v.name == "access" and t.value in ACCESS_STEPS
                        else {}
                    )
                    for t, c in zip(v.terms, counts[v.name], strict=True)
                ],
            }
            for v in FACETS.values()
        ]
        return JSON({"vocabularies": body})

    return from_catalog(request, snap, base, render)


@router.get("/catalog", tags=["catalog"], responses=apidoc.ok(CatalogInfo), summary="Catalog version")
def catalog(request: Request, live: LiveDep, snap: SnapshotDep, base: BaseUrlDep) -> Response:
    """The catalog served: version (a content hash), title, program count, when loaded, licence and citation; and why
    the file is not served (invalid: `rejected` with each error's line; `held`: what it would remove), and the last
    reload's database or disk failure."""
    check_params(request, ())
    if error := live.database.error():  # like every other answer from the catalog: a replica without it is stale
        raise unavailable(error)
    notes = {"rejected": live.rejected, "held": live.held, "last_reload_error": live.reload_error}
    served = {"version": snap.version, "title": snap.title, "program_count": snap.program_count}
    body = snapshots.about(snap) | served | {"loaded_at": snap.loaded_at.isoformat()}
    body |= {name: note.as_dict() if note else None for name, note in notes.items()}
    items = [(name, str(note.as_dict())) for name, note in notes.items() if note]
    # a note cleared (the file fixed, a reload that works) moves the date on too: else If-Modified-Since keeps it
    changed = [note.at for note in notes.values() if note] + ([live.notes_changed] if live.notes_changed else [])
    modified = max([as_of(snap), *changed])
    return from_catalog(request, snap, base, lambda: JSON(body), items, modified=modified)


def install(app: FastAPI) -> None:
    """Add the /api/v1 routes and a /docs page that works offline."""
    app.include_router(router)
    app.include_router(completions.router)
    app.include_router(suggestions.router)
    app.include_router(snapshots.router)
    # FastAPI's own /docs loads Swagger UI from a CDN and runs an inline script: replace it with the vendored copy.
    default_docs = {app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None) not in default_docs]
    app.mount("/docs/assets", StaticFiles(directory=config.STATIC / "swagger-ui"), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(apidoc.DOCS_PAGE)

    apidoc.polish(app, partial(contract.tighten, bodies=suggestions.BODY_MODELS))
