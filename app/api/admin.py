"""Curators' operations over HTTP: POST /api/v1/admin/reload, present only when an admin token is configured."""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request
from sqlalchemy.exc import SQLAlchemyError

from app.api.deps import ApiError
from app.api.sync import sync_token
from app.live.holder import LiveCatalog

log = logging.getLogger("mentordir")


def _digest(token: str) -> bytes:
    # Comparing digests keeps the comparison constant-time in the token's length too.
    return hashlib.sha256(token.encode()).digest()


def install(app: FastAPI) -> None:
    """Add POST /api/v1/admin/reload when a token is configured; without one the endpoint does not exist (404)."""
    secret = app.state.settings.admin_token
    if secret is None or not secret.get_secret_value().strip():
        return
    expected = _digest(secret.get_secret_value().strip())

    def require_token(authorization: Annotated[str | None, Header()] = None) -> None:
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(_digest(given.strip()), expected):
            raise ApiError(
                401,
                "unauthorized",
                "Admin token required",
                "This endpoint needs the admin token in the header 'Authorization: Bearer <token>'.",
                headers={"WWW-Authenticate": 'Bearer realm="admin"'},
            )

    @app.post(
        "/api/v1/admin/reload",
        tags=["admin"],
        dependencies=[Depends(require_token)],
        responses={401: {"description": "Missing or wrong token."}, 422: {"description": "The file is invalid."}},
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
