"""What search engines read first: /robots.txt and /sitemap.xml (every program page, dated by the catalog)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from fastapi import Request
from fastapi.responses import PlainTextResponse, Response

from app.plumbing import BaseUrlDep, SnapshotDep, from_catalog
from app.web.feeds import newest
from app.web.present import catalog_dates

MAIN_PAGES = ("/", "/models", "/coverage", "/about", "/api", "/api/changelog")
DISALLOWED = ("/api/v1/", "/compare", "/suggest")  # the data, a reader's own list, forms


def robots(request: Request, snap: SnapshotDep, base: BaseUrlDep) -> Response:
    """Every page may be crawled but the API, compare lists and forms; where the sitemap is."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED), "", f"Sitemap: {base}/sitemap.xml"]
    body = PlainTextResponse("\n".join(lines) + "\n")
    return from_catalog(request, snap, base, lambda: body)


def sitemap(request: Request, snap: SnapshotDep, base: BaseUrlDep) -> Response:
    """The main pages (as new as the catalog) and every program's page, with the day the catalog last changed it."""

    def render() -> Response:
        latest = newest(snap).date().isoformat()
        urls = [(f"{base}{path}", latest) for path in MAIN_PAGES]
        for program_id, program in sorted(snap.programs.items()):
            urls.append((f"{base}/programs/{program_id}", catalog_dates(program.record)[1].date().isoformat()))
        entries = "".join(f"<url><loc>{escape(loc)}</loc><lastmod>{day}</lastmod></url>\n" for loc, day in urls)
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</urlset>\n"
        )
        return Response(body, media_type="application/xml; charset=utf-8")

    return from_catalog(request, snap, base, render)
