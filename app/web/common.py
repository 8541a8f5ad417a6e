"""What every page handler needs: the templates, the request's snapshot, its records, and rendering a page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from app import config
from app.api.deps import base_url
from app.api.params import multi_items
from app.live.holder import LiveCatalog
from app.live.snapshot import Snapshot
from app.search.query import SearchQuery, SearchResult
from app.store.db import StoredProgram
from app.web.urlstate import MAX_COMPARE, read_ids

TEMPLATES = Jinja2Templates(directory=config.TEMPLATES)


def snapshot(request: Request) -> tuple[LiveCatalog, Snapshot]:
    """The live catalog and the snapshot this request is served from (taken once)."""
    live: LiveCatalog = request.app.state.live
    snap = live.current
    if snap is None:
        raise HTTPException(503, "No catalog is loaded yet. Please try again in a minute.")
    return live, snap


def programs(live: LiveCatalog, snap: Snapshot, ids: Sequence[str]) -> list[StoredProgram]:
    """Records by id from the request's snapshot; a database outage becomes a 503 page, not a traceback."""
    if live.database_error():
        raise HTTPException(503, "The database is not answering. Please try again in a minute.")
    return snap.fetch(ids)


def search(snap: Snapshot, query: SearchQuery) -> SearchResult:
    return snap.index.search(query)


def count(snap: Snapshot, query: SearchQuery) -> SearchResult:
    """Only the total and facet counts of a query."""
    return snap.index.search(replace(query, offset=0, limit=0, highlight=False))


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """A page, with what every page's links need: the public base URL and the compare list the URL carries."""
    live: LiveCatalog | None = getattr(request.app.state, "live", None)
    snap = live.current if live is not None else None
    context.setdefault("base", base_url(request, live) if live is not None else str(request.base_url).rstrip("/"))
    if "shortlist" not in context:
        given = multi_items(request.query_params).get("compare", [])
        context["shortlist"] = tuple(read_ids(given, snap.index.docnum)[0][-MAX_COMPARE:]) if snap else ()
    # Links to other pages carry the compare list, so that it survives navigation without JavaScript too.
    context["carry"] = "?" + urlencode({"compare": ",".join(context["shortlist"])}) if context["shortlist"] else ""
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status)
