"""Strict response headers on everything we serve, the allowed Host names, and the public base URL."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors "
)
CSP = POLICY + "'none'"
COMMON: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"),
)
HEADERS = ((b"content-security-policy", CSP.encode()), (b"x-frame-options", b"DENY"), *COMMON)
# The embeddable list is the one page any site may frame (the same strict policy otherwise, and no X-Frame-Options,
# which cannot name "any site"); every other page stays unframeable.
FRAMEABLE = frozenset({"/embed"})
FRAMEABLE_HEADERS = ((b"content-security-policy", (POLICY + "*").encode()), *COMMON)


class SecurityHeadersMiddleware:
    """Adds the strict headers to every response that does not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                present = {name.lower() for name, _ in headers}
                strict = FRAMEABLE_HEADERS if scope["path"] in FRAMEABLE else HEADERS
                headers.extend(h for h in strict if h[0] not in present)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    """Answers HEAD like GET without the body, for every route (uptime monitors and link checkers use HEAD)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


class PublicOrigin:
    """With MENTORDIR_BASE_URL set, every request is taken as made to it, so that no absolute link, redirect,
    feed entry or JSON-LD id ever names a Host header a client made up (the Host was checked before this)."""

    def __init__(self, app: ASGIApp, base_url: str) -> None:
        self.app = app
        parts = urlsplit(base_url)
        self.scheme = parts.scheme
        self.host = parts.netloc.encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = [(k, v) for k, v in scope["headers"] if k != b"host"] + [(b"host", self.host)]
            scope = {**scope, "scheme": self.scheme, "headers": headers}
        await self.app(scope, receive, send)


HEALTH_PATHS = ("/healthz", "/readyz")


class TrustedHosts:
    """Refuses Host names not listed, except on the health checks: they write no links, and a container's own
    HEALTHCHECK asks for 127.0.0.1."""

    def __init__(self, app: ASGIApp, allowed_hosts: list[str]) -> None:
        self.app = app
        self.checked = TrustedHostMiddleware(app, allowed_hosts=allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in HEALTH_PATHS:
            await self.app(scope, receive, send)
        else:
            await self.checked(scope, receive, send)


def install(app: FastAPI, settings: Settings) -> None:
    if settings.base_url:
        app.add_middleware(PublicOrigin, base_url=settings.base_url)
    if settings.allowed_hosts != ["*"]:
        app.add_middleware(TrustedHosts, allowed_hosts=settings.allowed_hosts)
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeadersMiddleware)  # added last, so outermost: it also covers refused hosts
