"""CORS for the read-only API alone: GET (and its preflight) from any origin; the pages are untouched."""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from app.plumbing import PREFIX

EXPOSED_HEADERS = (
    "ETag",
    "Link",
    "Retry-After",
    "Sync-Token",
    "Catalog-Version",
    "X-Request-ID",
    "Repr-Digest",  # a snapshot's checksum, and how much of it a range holds
    "Content-Range",
    "Accept-Ranges",
)


class ApiCors:
    """CORS for the read-only API alone: GET (and its preflight) from any origin; other paths are untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=["*"],
            allow_methods=["GET"],
            allow_headers=["If-None-Match", "If-Modified-Since", "Range", "If-Range", "X-Request-ID"],
            expose_headers=[*EXPOSED_HEADERS],
            max_age=3600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith((PREFIX + "/", "/openapi.json")):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
