"""Errors as the API answers them: application/problem+json (RFC 9457)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import orjson
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from app.plumbing import ApiError


async def problem_from_exception(request: Request, exc: Exception) -> Response:
    """An application/problem+json response (RFC 9457) for an error."""
    headers: dict[str, str] = {}
    body: dict[str, Any]
    if isinstance(exc, ApiError):
        body = {"type": exc.type, "title": exc.title, "status": exc.status_code, "detail": exc.detail, **exc.extra}
        headers = dict(exc.headers or {})
    elif isinstance(exc, RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        param = ".".join(str(p) for p in first.get("loc", ())[1:]) or "request"
        detail = f"{param}: {first.get('msg', 'invalid input')}"
        body = {"type": "about:blank", "title": "Invalid request", "status": 400, "detail": detail, "param": param}
    elif isinstance(exc, HTTPException):
        status = exc.status_code
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        detail = str(exc.detail) if exc.detail and exc.detail != phrase else phrase
        if status == 404:
            detail = f"there is nothing at {request.url.path[:200]}; the API is described at /openapi.json"
        elif status == 405:
            detail = f"{request.method} is not allowed here; use {(exc.headers or {}).get('Allow', 'GET')}"
        body = {"type": "about:blank", "title": phrase, "status": status, "detail": detail}
        headers = dict(exc.headers or {})
    else:  # a crash (main.py's handler for any other exception): its details are logged there, not shown
        body = {"type": "about:blank", "title": "Internal Server Error", "status": 500, "detail": "unexpected error"}
    body["instance"] = request.url.path[:200]
    media = "application/problem+json"
    return Response(orjson.dumps(body), status_code=body["status"], headers=headers, media_type=media)
