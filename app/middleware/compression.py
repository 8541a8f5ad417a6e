"""Compressed responses: Starlette's GZipMiddleware for every text answer (pages, JSON, CSV, feeds, static files),
with validators kept honest.

A gzip body is a different representation from the plain one, so its ETag becomes weak (`W/"…"`, as nginx does):
`If-None-Match` compares weakly, so the app's own checks still answer 304, and no cache can mistake one encoding for
the other. A 304 names `Accept-Encoding` in `Vary` as its 200 would, and repeats the tag in the form the client holds.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MINIMUM_SIZE = 500  # smaller bodies gain nothing worth a header
LEVEL = 6  # zlib's default: within 1% of level 9's size on our pages, at about half the time


class Compression:
    """gzip for clients that accept it; weak ETags on compressed bodies; `Vary: Accept-Encoding` on 304s."""

    def __init__(self, app: ASGIApp) -> None:
        self.gzip = GZipMiddleware(app, minimum_size=MINIMUM_SIZE, compresslevel=LEVEL)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.gzip(scope, receive, send)
            return
        request = Headers(scope=scope)
        accepts_gzip = "gzip" in request.get("accept-encoding", "")
        held = {t.strip() for t in request.get("if-none-match", "").split(",")}

        def holds_weak(tag: str) -> bool:
            """A 304 repeats the tag as the client holds it: the weak one is the gzip body's."""
            return accepts_gzip and f"W/{tag}" in held

        async def send_with_validators(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                tag = headers.get("etag")
                if (
                    tag
                    and not tag.startswith("W/")
                    and (headers.get("content-encoding") == "gzip" or (message["status"] == 304 and holds_weak(tag)))
                ):
                    headers["etag"] = f"W/{tag}"
                if message["status"] == 304:
                    headers.add_vary_header("Accept-Encoding")
            await send(message)

        await self.gzip(scope, receive, send_with_validators)
