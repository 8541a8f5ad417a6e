"""Curators' operations over HTTP: POST /api/v1/admin/reload, present only when an admin token is configured."""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import threading
import time
from collections import OrderedDict, deque
from typing import Any

from fastapi import Depends, FastAPI, Request
from sqlalchemy.exc import SQLAlchemyError

from app.api.sync import sync_token
from app.live.holder import LiveCatalog
from app.plumbing import ApiError

log = logging.getLogger("mentordir")


def _digest(token: str) -> bytes:
    # Comparing digests keeps the comparison constant-time in the token's length too.
    return hashlib.sha256(token.encode()).digest()


class Throttle:
    """Failed admin logins, per client address: after `limit` within `window` seconds that client gets 429 until
    the oldest failure leaves the window, right token or not (else each answer would still tell a guess apart)."""

    def __init__(self, limit: int = 10, window: float = 60.0, clients: int = 10_000) -> None:
        self.limit, self.window, self.clients = limit, window, clients
        self.failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, client: str) -> int:
        """Seconds this client must wait before trying again (0: it may try now)."""
        now = time.monotonic()
        with self._lock:
            times = self.failures.get(client)
            while times and times[0] <= now - self.window:
                times.popleft()
            if not times or len(times) < self.limit:
                return 0
            return max(1, math.ceil(times[0] + self.window - now))

    def failed(self, client: str) -> None:
        with self._lock:
            self.failures.setdefault(client, deque(maxlen=self.limit)).append(time.monotonic())
            self.failures.move_to_end(client)
            while len(self.failures) > self.clients:  # bounded memory: forget the clients quiet the longest
                self.failures.popitem(last=False)


def install(app: FastAPI) -> None:
    """Add POST /api/v1/admin/reload when a token is configured; without one the endpoint does not exist (404)."""
    secret = app.state.settings.admin_token
    if secret is None or not secret.get_secret_value().strip():
        return
    expected = _digest(secret.get_secret_value().strip())
    throttle = Throttle()

    def require_token(request: Request) -> None:
        authorization = request.headers.get("authorization")
        client = request.client.host if request.client else "-"
        if wait := throttle.wait(client):
            detail = f"Too many wrong admin tokens from this address; try again in {wait} s."
            raise ApiError(429, "too-many-attempts", "Too many attempts", detail, headers={"Retry-After": str(wait)})
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(_digest(given.strip()), expected):
            throttle.failed(client)
            log.warning("admin reload refused: wrong or missing token from %s", client)
            raise ApiError(
                401,
                "unauthorized",
                "Admin token required",
                "This endpoint needs the admin token in the header 'Authorization: Bearer <token>'.",
                headers={"WWW-Authenticate": 'Bearer realm="admin"'},
            )

    app.state.require_admin = require_token  # for the other admin routes (app.api.suggestions)

    @app.post(
        "/api/v1/admin/reload",
        tags=["admin"],
        dependencies=[Depends(require_token)],
    )
    def reload_catalog(request: Request) -> dict[str, Any]:
        """Re-read the catalog file now: if valid, swap it in; if not, keep serving the last good one (422)."""
        live: LiveCatalog = request.app.state.live
        before = live.current.version if live.current else None
        try:
            accepted = live.reload_now()
        except (SQLAlchemyError, OSError, LookupError, RuntimeError) as exc:
            log.exception("admin reload failed")
            detail = f"The reload failed ({type(exc).__name__}); the last good catalog is still served."
            raise ApiError(503, "reload-failed", "Reload failed", detail) from None
        status = live.status()
        if not accepted:
            errors = status["rejected"]["errors"] if status["rejected"] else []
            detail = f"{len(errors)} error(s) in the catalog file; the last good catalog is still served."
            raise ApiError(
                422, "catalog-invalid", "The catalog file is invalid", detail, extra=status | {"errors": errors}
            )
        snap = live.current
        after = snap.version if snap else None
        return {
            "status": "loaded",
            "changed": after != before,
            **status,
            "sync_token": sync_token(snap) if snap else None,
            "followers_within_seconds": live.settings.follow_poll_seconds,
        }
