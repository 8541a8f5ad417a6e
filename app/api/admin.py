"""Curators' operations over HTTP, present only when an admin token is configured: POST /api/v1/admin/reload and
GET /api/v1/admin/suggestions, both behind the `require_admin` dependency."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.api import apidoc
from app.api.deps import check_params, invalid
from app.api.params import ParamError, boolean, whole_number
from app.api.suggestions import ERROR, client_address
from app.api.sync import sync_token
from app.plumbing import JSON, PREFIX, ApiError, LiveDep, ratelimit_headers, unavailable
from app.store import suggestions as store
from app.store.suggestions import STATUSES, Suggestion

log = logging.getLogger("mentordir")
MAX_OFFSET = 999_999_999  # whole numbers in a query string have at most 9 digits (app.api.params)


def _digest(token: str) -> bytes:
    # Comparing digests keeps the comparison constant-time in the token's length too.
    return hashlib.sha256(token.encode()).digest()


THROTTLE_LIMIT = 10  # wrong admin tokens from one address ...
THROTTLE_WINDOW = dt.timedelta(seconds=60)  # ... in this window, then 429 for wrong ones until the oldest leaves it


class Guard:
    """One app's admin token (kept as a digest). Wrong guesses are counted per client address in the database, so
    every worker and replica share one throttle; the right token always passes, throttled or not."""

    def __init__(self, token: str) -> None:
        self.expected = _digest(token)

    def check(self, request: Request, engine: Engine) -> None:
        """Pass with the right bearer token; else a 401, or a 429 after too many wrong ones from this client (a
        request with no token at all is a 401 and not counted)."""
        sent = request.headers.get("authorization", "").strip(" \t")  # HTTP's optional white space
        scheme, _, given = sent.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(_digest(given.strip()), self.expected):
            return
        if not sent:  # no token guesses nothing: a plain 401, not counted (a browser or a probe, not an attack)
            raise self.refused()
        client = client_address(request)
        try:
            quota = store.take(
                engine, store.client_key(f"admin:{client}"), limit=THROTTLE_LIMIT, window=THROTTLE_WINDOW
            )
        except SQLAlchemyError as exc:
            raise unavailable(exc) from None
        headers = ratelimit_headers(quota.limit, quota.remaining, quota.reset)
        if quota.refused:
            detail = f"Too many wrong admin tokens from this address; try again in {quota.reset} s."
            headers["Retry-After"] = str(quota.reset)
            raise ApiError(429, "too-many-attempts", "Too many attempts", detail, headers=headers)
        log.warning("admin request refused: wrong token from %s", client)
        raise self.refused(headers)

    @staticmethod
    def refused(headers: dict[str, str] | None = None) -> ApiError:
        return ApiError(
            401,
            "unauthorized",
            "Admin token required",
            "This endpoint needs the admin token in the header 'Authorization: Bearer <token>'.",
            headers=(headers or {}) | {"WWW-Authenticate": 'Bearer realm="admin"'},
        )


def require_admin(request: Request, live: LiveDep) -> None:
    """The dependency of every admin route: the request carries the admin token (a `def`: it may write the
    database)."""
    guard: Guard = request.app.state.admin
    guard.check(request, live.engine)


router = APIRouter(prefix=f"{PREFIX}/admin", tags=["admin"], dependencies=[Depends(require_admin)])


ALLOW_REMOVALS = {
    "name": "allow_removals",
    "in": "query",
    "required": False,
    "schema": {"type": "boolean", "default": False},
    "description": "Load the file even if it removes more programs than a load may without confirmation.",
}


@router.post("/reload", openapi_extra={"parameters": [ALLOW_REMOVALS]})
def reload_catalog(request: Request, live: LiveDep) -> dict[str, Any]:
    """Re-read the catalog file now: if valid, swap it in; if not, keep serving the last good one (422); if it would
    remove many programs at once, hold it (409) unless `allow_removals=true`."""
    given = check_params(request, ("allow_removals",))
    try:
        allow = boolean("allow_removals", given.get("allow_removals", ["false"])[-1])
    except ParamError as error:
        raise invalid(error) from None
    before = live.current.version if live.current else None
    try:
        accepted = live.reload_now(allow_removals=allow)
    except (SQLAlchemyError, OSError, LookupError, RuntimeError) as exc:
        log.exception("admin reload failed")
        detail = f"The reload failed ({type(exc).__name__}); the last good catalog is still served."
        raise ApiError(503, "reload-failed", "Reload failed", detail) from None
    snap, refused, held = live.current, live.rejected, live.held
    rejected: dict[str, Any] | None = refused.as_dict() if refused else None
    status = {
        "catalog": snap.as_dict() if snap else None,
        "rejected": rejected,
        "held": held.as_dict() if held else None,
    }
    if not accepted and held is not None:
        detail = f"The file would remove {held.removals} programs: held; the current catalog is still served."
        raise ApiError(409, "removals-held", "The catalog file is held", detail, extra=status | {"errors": []})
    if not accepted and refused is None:
        detail = "The catalog file changed while it was read; try again once it is saved."
        raise ApiError(503, "reload-failed", "Reload failed", detail)
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
        400: ERROR,  # 401, 429 and 503: app.api.contract._admin, for every admin route
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
