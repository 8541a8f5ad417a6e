"""Curators' operations over HTTP, present only when an admin token is configured: POST /api/v1/admin/reload and
GET /api/v1/admin/suggestions, both behind the `require_admin` dependency."""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import threading
import time
from collections import OrderedDict, deque
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError

from app.api import apidoc
from app.api.deps import check_params, invalid
from app.api.params import ParamError, whole_number
from app.api.suggestions import ERROR
from app.api.sync import sync_token
from app.plumbing import JSON, PREFIX, ApiError, LiveDep, unavailable
from app.store import suggestions as store
from app.store.suggestions import STATUSES, Suggestion

log = logging.getLogger("mentordir")
MAX_OFFSET = 999_999_999  # whole numbers in a query string have at most 9 digits (app.api.params)


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


class Guard:
    """One app's admin token (kept as a digest) and its throttle of wrong guesses."""

    def __init__(self, token: str) -> None:
        self.expected = _digest(token)
        self.throttle = Throttle()

    def check(self, request: Request) -> None:
        """Pass with the right bearer token; else a 401, or a 429 after too many wrong ones from this client."""
        authorization = request.headers.get("authorization")
        client = request.client.host if request.client else "-"
        if wait := self.throttle.wait(client):
            detail = f"Too many wrong admin tokens from this address; try again in {wait} s."
            raise ApiError(429, "too-many-attempts", "Too many attempts", detail, headers={"Retry-After": str(wait)})
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(_digest(given.strip()), self.expected):
            self.throttle.failed(client)
            log.warning("admin reload refused: wrong or missing token from %s", client)
            raise ApiError(
                401,
                "unauthorized",
                "Admin token required",
                "This endpoint needs the admin token in the header 'Authorization: Bearer <token>'.",
                headers={"WWW-Authenticate": 'Bearer realm="admin"'},
            )


async def require_admin(request: Request) -> None:
    """The dependency of every admin route: the request carries the admin token."""
    guard: Guard = request.app.state.admin
    guard.check(request)


router = APIRouter(prefix=f"{PREFIX}/admin", tags=["admin"], dependencies=[Depends(require_admin)])


@router.post("/reload")
def reload_catalog(live: LiveDep) -> dict[str, Any]:
    """Re-read the catalog file now: if valid, swap it in; if not, keep serving the last good one (422)."""
    before = live.current.version if live.current else None
    try:
        accepted = live.reload_now()
    except (SQLAlchemyError, OSError, LookupError, RuntimeError) as exc:
        log.exception("admin reload failed")
        detail = f"The reload failed ({type(exc).__name__}); the last good catalog is still served."
        raise ApiError(503, "reload-failed", "Reload failed", detail) from None
    snap, refused = live.current, live.rejected
    rejected: dict[str, Any] | None = refused.as_dict() if refused else None
    status = {"catalog": snap.as_dict() if snap else None, "rejected": rejected}
    if not accepted:
        errors = rejected["errors"] if rejected else []
        detail = f"{len(errors)} error(s) in the catalog file; the last good catalog is still served."
        raise ApiError(422, "catalog-invalid", "The catalog file is invalid", detail, extra=status | {"errors": errors})
    return {
        "status": "loaded",
        "changed": (snap.version if snap else None) != before,
        **status,
        "sync_token": sync_token(snap) if snap else None,
        "followers_within_seconds": live.settings.follow_poll_seconds,
    }


class SuggestionList(BaseModel):
    total: int = Field(description="Suggestions with the statuses asked for.")
    counts: dict[str, int] = Field(description="Every suggestion, by status.")
    results: list[Suggestion] = Field(description="Newest first, with the sender's name and email.")


@router.get(
    "/suggestions",
    summary="The suggestions, for curators",
    response_class=JSON,
    responses={
        200: {"model": SuggestionList},
        400: ERROR,
        401: ERROR | {"description": "No or wrong token."},
        429: ERROR | {"description": "Too many wrong tokens from this address; see `Retry-After`."},
        503: ERROR | {"description": "The database did not answer."},
    },
    openapi_extra={
        "parameters": [
            apidoc.param(
                "status",
                {"type": "array", "items": {"type": "string", "enum": list(STATUSES)}},
                "Only suggestions with these statuses (repeat or comma-separate).",
                style="form",
                explode=True,
            ),
            apidoc.param(
                "limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}, "At most this many."
            ),
            apidoc.param(
                "offset", {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}, "Skip this many."
            ),
        ]
    },
)
def admin_suggestions(request: Request, live: LiveDep) -> Response:
    """Suggestions newest first, with the submitter's name and email; `status` filters (repeat or comma-separate),
    `limit` (1-500, default 100) and `offset` page."""
    given = check_params(request, ("status", "limit", "offset"))
    statuses = _statuses(given)
    limit, offset = _number(given, "limit", 100, 1, 500), _number(given, "offset", 0, 0, MAX_OFFSET)
    try:
        total, found = store.listing(live.engine, statuses=statuses, limit=limit, offset=offset)
        by_status = store.counts(live.engine)
    except SQLAlchemyError as exc:
        raise unavailable(exc) from None
    body = {"total": total, "counts": by_status, "results": found}  # dataclasses: orjson writes them
    return JSON(body, headers={"Cache-Control": "no-store"})


def _statuses(given: dict[str, list[str]]) -> list[str]:
    chosen = [s.strip() for raw in given.get("status", []) for s in raw.split(",")]
    for status in chosen:
        if not status:
            raise invalid(
                ParamError("status", status, "an empty status; name one, or leave status out", list(STATUSES))
            )
        if status not in STATUSES:
            raise invalid(ParamError("status", status, "not a status", list(STATUSES)))
    return chosen


def _number(given: dict[str, list[str]], name: str, default: int, low: int, high: int) -> int:
    try:
        return whole_number(name, given.get(name, [str(default)])[0], low, high)
    except ParamError as error:
        raise invalid(error) from None


def install(app: FastAPI) -> None:
    """Add the admin routes when a token is configured; without one they do not exist (404)."""
    secret = app.state.settings.admin_token
    if secret is None or not secret.get_secret_value().strip():
        return
    app.state.admin = Guard(secret.get_secret_value().strip())
    app.include_router(router)
