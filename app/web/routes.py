"""The website for faculty: faceted search, program pages, compare, the models, coverage and an Atom feed."""

from __future__ import annotations

import hashlib
import math
import mimetypes
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.exceptions import HTTPException

from app import config
from app.api.params import read_search
from app.catalog.export import COLUMNS, csv_lines
from app.catalog.nextsteps import next_step
from app.catalog.vocab import FACETS
from app.plumbing import ApiError, LiveDep, SnapshotDep, base_url, conditional, follow_rename, records, stored
from app.search.query import SearchQuery
from app.web import crawl, evidence, feeds, words
from app.web.common import TEMPLATES, count, render
from app.web.present import ORGANIZATION_TYPES, ended_line, host, provenance_of
from app.web.searchpage import eligibility, escapes, offers, parted
from app.web.structured import item_list, json_ld
from app.web.urlstate import (
    ID_RE,
    INCLUDE_ENDED,
    MAX_COMPARE,
    State,
    compare_list,
    compared,
    include_ended,
    page_numbers,
    state_of,
)

MACHINE_PATHS = (
    *("/api/", "/healthz", "/readyz", "/metrics", "/docs", "/redoc", "/openapi.json", "/feed.xml"),
    *("/sitemap.xml", "/robots.txt"),
)
TITLES = {
    301: "This page has moved",
    400: "That address could not be read",
    404: "Page not found",
    410: "That link no longer works",
    503: "Temporarily unavailable",
}


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    version: str


def load_assets(folder: Path = config.STATIC) -> dict[str, Asset]:
    """Every file in app/static, keyed by name, with a short content hash for cache busting."""
    assets = {}
    for path in sorted(folder.iterdir()):
        if path.is_file():
            body = path.read_bytes()
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if media_type.startswith("text/") or media_type.endswith(("javascript", "svg+xml")):
                media_type += "; charset=utf-8"
            assets[path.name] = Asset(body, media_type, hashlib.sha256(body).hexdigest()[:12])
    return assets


def home(request: Request, live: LiveDep, snap: SnapshotDep) -> HTMLResponse:
    """The search page; with the header X-Fragment: search, only the part that changes (for the script)."""
    parsed = read_search(
        request.query_params, strict=False, allowed=("compare", INCLUDE_ENDED), include_open_default=True
    )
    parsed = include_ended(parsed, request)
    state = state_of(parsed, request, snap.index.docnum)
    result = snap.index.search(parsed.query)
    records = {p.id: p.record for p in stored(live, snap, [h.id for h in result.hits] + list(state.compare))}
    hits = [(hit, records[hit.id]) for hit in result.hits if hit.id in records]
    pages = max(1, math.ceil(result.total / parsed.per_page))
    first = (min(parsed.page, pages) - 1) * parsed.per_page
    context = {
        "shown": (first + 1, first + len(hits)),
        "groups": parted(result, hits, first),
        "state": state,
        "result": result,
        "hits": hits,
        "pages": pages,
        "page_numbers": page_numbers(min(parsed.page, pages), pages),
        "dropped": parsed.dropped,
        "escapes": escapes(snap, parsed.query, result, state) if not result.total else [],
        "eligibility": eligibility(snap, parsed.query, result, state),
        "offers": offers(result, state),
        "comparing": [records[i] for i in state.compare if i in records],
        "catalog_total": snap.program_count,
        "steady": snap.steady_sorts,
        "compare_list": state.compare,
        "jsonld": item_list(
            [r for _, r in hits],
            base=base_url(request, live),
            query=request.url.query,
            about=feeds.describe(parsed.query),
            first=first,
            total=result.total,
        ),
    }
    fragment = request.headers.get("x-fragment") == "search"
    response = render(request, "_search.html" if fragment else "index.html", context)
    response.headers["Vary"] = "X-Fragment"
    return response


def program_page(request: Request, program_id: str, live: LiveDep, snap: SnapshotDep) -> HTMLResponse:
    """One program, every field in plain words, with its citations and similar programs."""
    found = stored(live, snap, [program_id]) if len(program_id) <= 80 and ID_RE.match(program_id) else []
    if not found:
        follow_rename(request, live, snap, program_id)
        raise HTTPException(404, f"No program has the id '{program_id[:80]}'.")
    program = found[0]
    url = base_url(request, live) + request.app.url_path_for("program_page", program_id=program.id)
    kept = compare_list(request.query_params, snap.index.docnum)
    context = {
        "compare_list": kept,
        "toggled": State(compare=kept).toggled(program.id),
        "full": State(compare=kept).full and program.id not in kept,
        "p": program.record,
        "stored": program,
        "next_step": next_step(program.record["type"], program.record.get("access")),
        "similar": [s.record for s in stored(live, snap, snap.similar(program.id))],
        "ended": ended_line(program.record),
        "jsonld": json_ld(program.record, url),
    }
    return render(request, "program.html", context)


def compare_page(request: Request, live: LiveDep, snap: SnapshotDep) -> HTMLResponse:
    """Two to four programs side by side."""
    ids, unknown = compared(request.query_params, snap.index.docnum)
    shown = [p.record for p in stored(live, snap, ids[:MAX_COMPARE])]
    context = {
        "shown": shown,
        "unknown": unknown,
        "extra": ids[MAX_COMPARE:],
        "back": State(compare=tuple(p["id"] for p in shown)).href(),
        "without": {p["id"]: "/compare?ids=" + ",".join(o["id"] for o in shown if o is not p) for p in shown},
        "steps": {p["id"]: next_step(p["type"], p.get("access")) for p in shown},
        "compare_list": tuple(p["id"] for p in shown),
    }
    return render(request, "compare.html", context)


def compare_csv(request: Request, live: LiveDep, snap: SnapshotDep) -> Response:
    """The compare list as a spreadsheet: the same columns as the API's CSV export."""
    ids, _ = compared(request.query_params, snap.index.docnum)
    disposition = {"Content-Disposition": 'attachment; filename="compare.csv"'}
    rows = records(live, snap, ids[:MAX_COMPARE], None)
    return StreamingResponse(csv_lines(rows, COLUMNS), media_type="text/csv; charset=utf-8", headers=disposition)


def models_page(request: Request, live: LiveDep, snap: SnapshotDep) -> HTMLResponse:
    """The article's models of peer mentoring, and how to start a small group."""
    counts = {c.value: c.count for c in count(snap, SearchQuery()).facets["type"]}
    groups = snap.index.search(SearchQuery(filters={"type": frozenset({"small-group"})}, limit=None, highlight=False))
    context: dict[str, Any] = {
        "counts": counts,
        "groups": [p.record for p in stored(live, snap, [h.id for h in groups.hits])],
    }
    context |= {"models": evidence.MODELS, "references": list(evidence.REFERENCES.values()), "review": evidence.REVIEW}
    return render(request, "models.html", context)


def coverage_page(request: Request, snap: SnapshotDep) -> HTMLResponse:
    """How many programs serve each career stage × demographic focus, as an SVG chart and a table."""
    stages, focuses = FACETS["career_stage"], FACETS["demographic_focus"]
    offered = snap.index.defaults  # as the links open them: programs no longer offered left out
    rows: list[dict[str, Any]] = []
    for stage in stages.terms:
        result = count(snap, SearchQuery(filters={**offered, "career_stage": frozenset({stage.value})}))
        cells = [c.count for c in result.facets["demographic_focus"]]
        rows.append({"term": stage, "cells": cells, "total": result.total})
    totals = [c.count for c in count(snap, SearchQuery(filters=offered)).facets["demographic_focus"]]
    top = max((n for row in rows for n in row["cells"]), default=0)
    gaps = [(row["term"], focuses.terms[i]) for row in rows for i, n in enumerate(row["cells"]) if n == 0]
    context = {"rows": rows, "focuses": focuses.terms, "totals": totals, "top": top or 1, "gaps": gaps}
    context["heads"] = [textwrap.wrap(t.label, 16) for t in focuses.terms]  # SVG text does not wrap itself
    return render(request, "coverage.html", context)


def about_page(request: Request, live: LiveDep, snap: SnapshotDep) -> HTMLResponse:
    """Where the data come from, what "checked" and "confirmed" mean, and what status and who can join say."""
    facets = count(snap, SearchQuery()).facets
    counts = {name: {c.value: c.count for c in facets[name]} for name in ("status", "access")}
    context = {"counts": counts, "total": snap.program_count, "recheck_months": live.settings.recheck_months}
    return render(request, "about.html", context)


EXAMPLE = "career_stage=early-career&demographic_focus=women"


def api_guide(request: Request) -> HTMLResponse:
    """What an institution can do with the directory, without code and with it, before the reference."""
    example = {
        "page": f"/?{EXAMPLE}",
        "feed": f"/feed.xml?{EXAMPLE}&include_open=true",  # as the page does: programs open to all too
        "csv": f"/api/v1/programs.csv?{EXAMPLE}&include_open=true",
        "search": f"/api/v1/programs?{EXAMPLE}&per_page=2&fields=name,sponsor",
        "record": "/api/v1/programs/elam?fields=name,sponsor,status,access",
        "sync": "/api/v1/programs?status=active,ended,unverified&per_page=100",
        "builder": f"/embed/builder?{EXAMPLE}&include_open=true",
        "follow": f"/follow?{EXAMPLE}&include_open=true",
    }
    return render(request, "api.html", {"example": example})


def api_changelog(request: Request) -> HTMLResponse:
    """The API's dated changes and its deprecation policy."""
    return render(request, "api_changelog.html", {})


def wants_html(request: Request) -> bool:
    """True for the pages' paths: errors there get an HTML page rather than problem+json."""
    if request.url.path.startswith(MACHINE_PATHS):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept or "json" not in accept


async def error_page(request: Request, exc: Exception) -> Response:
    """An HTML error page that says what went wrong and where to go next."""
    if isinstance(exc, HTTPException):
        status, headers = exc.status_code, dict(exc.headers or {})
        detail = exc.page if isinstance(exc, ApiError) else str(exc.detail)
    elif isinstance(exc, RequestValidationError):
        status, detail, headers = 400, "Part of this address could not be read.", {}
    else:
        status, detail, headers = 500, "Something went wrong on our side.", {}
    title = TITLES.get(status) or HTTPStatus(status).phrase
    if status == 404 and detail == "Not Found":
        detail = f"There is no page at {request.url.path[:200]}."
    response = render(request, "error.html", {"status": status, "title": title, "detail": detail}, status)
    response.headers.update(headers)
    return response


def install(app: FastAPI) -> None:
    """Add the pages and static files."""
    assets = load_assets()
    TEMPLATES.env.globals.update(
        FACETS=FACETS,
        asset=lambda name: f"/static/{name}?v={assets[name].version}",
        label=lambda facet, value: FACETS[facet].label_of(value),
        ORGANIZATION_TYPES=ORGANIZATION_TYPES,
        host=host,
        provenance=provenance_of,
    )
    TEMPLATES.env.filters["count"] = words.count
    TEMPLATES.env.filters["plural"] = words.plural

    async def static(request: Request, name: str, v: str = "") -> Response:
        asset = assets.get(name)
        if asset is None:
            raise HTTPException(404, f"There is no file {name[:100]} here.")
        # A URL carrying the file's own hash never changes content: browsers may keep it for a year.
        cache = "public, max-age=31536000, immutable" if v == asset.version else "public, max-age=300"
        body = Response(asset.body, media_type=asset.media_type)
        return conditional(request, f'"{asset.version}"', lambda: body, cache_control=cache)

    pages: list[tuple[str, Callable[..., Response], str]] = [
        ("/", home, "home"),
        ("/programs/{program_id}", program_page, "program_page"),
        ("/compare", compare_page, "compare_page"),
        ("/models", models_page, "models_page"),
        ("/coverage", coverage_page, "coverage_page"),
        ("/about", about_page, "about_page"),
        ("/api", api_guide, "api_guide"),
        ("/api/changelog", api_changelog, "api_changelog"),
    ]
    for path, handler, name in pages:
        app.add_api_route(
            path, handler, methods=["GET"], name=name, response_class=HTMLResponse, include_in_schema=False
        )
    app.add_api_route("/feed.xml", feeds.feed, methods=["GET"], name="feed", include_in_schema=False)
    app.add_api_route("/sitemap.xml", crawl.sitemap, methods=["GET"], name="sitemap", include_in_schema=False)
    app.add_api_route("/robots.txt", crawl.robots, methods=["GET"], name="robots", include_in_schema=False)
    app.add_api_route("/compare.csv", compare_csv, methods=["GET"], name="compare_csv", include_in_schema=False)
    app.add_api_route("/static/{name}", static, methods=["GET"], name="static", include_in_schema=False)
