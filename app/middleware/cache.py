"""A bounded in-memory cache of whole responses, keyed by the catalog version and the normalized request.

A response depends only on the catalog version being served, the day (an entry falls due for a fresh check) and
the request (path, query, host and scheme for the links, and the few headers that change what is rendered), so a
repeat can be answered without routing, searching or rendering. A new catalog version changes every key, so
nothing stale is ever served; the least recently used entries go first. Only successful GETs are kept, never
health, metrics or admin answers, and the cache steps aside while the database is unreachable so that those
requests get their 503. A response that sets a cookie is never kept: it belongs to one visitor (the suggestion
form's CSRF token).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.plumbing import not_modified

UNCACHED_PREFIXES = (
    "/healthz",
    "/readyz",
    "/metrics",
    "/api/v1/admin",
    "/api/v1/catalog",
    "/api/v1/snapshots",  # files on disk, served by range
    "/static/",
)
VARY_HEADERS = (b"host", b"x-fragment", b"accept")
MAX_BODY = 512 * 1024


@dataclass(frozen=True, slots=True)
class Entry:  # a kept answer: always a 200
    headers: list[tuple[bytes, bytes]]
    body: bytes
    route: Any
    etag: bytes | None


class ResponseCache:
    """ASGI middleware: answers repeated GETs from memory, bounded by entry count and total bytes."""

    def __init__(self, app: ASGIApp, *, max_entries: int, max_bytes: int = 40 * 2**20) -> None:
        self.app = app
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.entries: OrderedDict[tuple[Any, ...], Entry] = OrderedDict()
        self.size = 0
        self.version: str | None = None

    def _key(self, scope: Scope, version: str) -> tuple[Any, ...] | None:
        if scope["type"] != "http" or scope["method"] != "GET" or self.max_entries <= 0:
            return None
        path: str = scope["path"]
        if path.startswith(UNCACHED_PREFIXES):
            return None
        headers = dict(scope["headers"])
        query = urlencode(sorted(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)))
        varying = tuple(headers.get(name, b"") for name in VARY_HEADERS)
        gzip = b"gzip" in headers.get(b"accept-encoding", b"")  # as the Compression middleware decides
        day = dt.date.today()  # an entry falls due for a fresh check on a day, the catalog unchanged
        return version, day, scope.get("scheme", "http"), path, query, varying, gzip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        live: Any = getattr(scope["app"].state, "live", None) if "app" in scope else None
        snapshot = live.current if live is not None else None
        key = self._key(scope, snapshot.tag) if snapshot is not None else None
        if key is None:
            await self.app(scope, receive, send)
            return
        if live.database.due():  # the ping may block: never on the event loop
            await anyio.to_thread.run_sync(live.database.error)
        if live.database.error(refresh=False):
            await self.app(scope, receive, send)
            return
        if key[0] != self.version:  # a new catalog: every old entry is unreachable, free them at once
            self.entries.clear()
            self.size, self.version = 0, key[0]
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
            await self._replay(entry, scope, send)
            return
        await self._record(key, scope, receive, send)

    async def _replay(self, entry: Entry, scope: Scope, send: Send) -> None:
        scope["route"] = entry.route  # so metrics and logs name the route as on a miss
        asked = dict(scope["headers"])
        held = [asked.get(h, b"").decode("latin-1") for h in (b"if-none-match", b"if-modified-since")]
        dated = next((v.decode("latin-1") for k, v in entry.headers if k == b"last-modified"), "")
        if entry.etag is not None and not_modified(held[0], entry.etag.decode("latin-1"), held[1], dated):
            kept = [(k, v) for k, v in entry.headers if k in (b"etag", b"cache-control", b"vary", b"last-modified")]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": list(entry.headers)})
        await send({"type": "http.response.body", "body": entry.body})

    async def _record(self, key: tuple[Any, ...], scope: Scope, receive: Receive, send: Send) -> None:
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        keep = True

        async def send_and_keep(message: Message) -> None:
            nonlocal start, size, keep
            if message["type"] == "http.response.start":
                start = message
                cookie = any(k.lower() == b"set-cookie" for k, _ in message.get("headers", []))
                keep = message["status"] == 200 and not cookie
            elif message["type"] == "http.response.body" and keep:
                body = message.get("body", b"")
                size += len(body)
                keep = size <= MAX_BODY
                chunks.append(body)
            await send(message)

        await self.app(scope, receive, send_and_keep)
        if keep and start is not None:
            headers = [(bytes(k), bytes(v)) for k, v in start.get("headers", [])]
            etag = next((v for k, v in headers if k == b"etag"), None)
            self._store(key, Entry(headers, b"".join(chunks), scope.get("route"), etag))

    def _store(self, key: tuple[Any, ...], entry: Entry) -> None:
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        self.entries[key] = entry
        self.size += len(entry.body)
        while self.entries and (len(self.entries) > self.max_entries or self.size > self.max_bytes):
            _, dropped = self.entries.popitem(last=False)
            self.size -= len(dropped.body)
