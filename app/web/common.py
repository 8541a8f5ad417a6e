"""What every page handler needs besides `app.plumbing`'s dependencies: the templates, searching, rendering a page."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app import config
from app.live.holder import LiveCatalog
from app.live.snapshot import Snapshot
from app.plumbing import base_url
from app.search.query import SearchQuery, SearchResult
from app.web.urlstate import compare_list

TEMPLATES = Jinja2Templates(directory=config.TEMPLATES)


def count(snap: Snapshot, query: SearchQuery) -> SearchResult:
    """Only the total and facet counts of a query."""
    return snap.index.search(replace(query, offset=0, limit=0, highlight=False))


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """A page, with what every page's links need: the public base URL and the compare list the URL carries."""
    live: LiveCatalog | None = getattr(request.app.state, "live", None)  # None: an error before the lifespan ran
    snap = live.current if live is not None else None
    context.setdefault("base", base_url(request, live))
    context.setdefault("catalog", snap)  # the footer names its licence
    if "compare_list" not in context:
        context["compare_list"] = compare_list(request.query_params, snap.index.docnum) if snap else ()
    # Links to other pages carry the compare list, so that it survives navigation without JavaScript too.
    kept = context["compare_list"]
    context["carry"] = "?" + urlencode({"compare": ",".join(kept)}) if kept else ""
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status)
