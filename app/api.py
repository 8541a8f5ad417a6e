"""The JSON API v1 for institutions (to be built: issue 3)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException


def install(app: FastAPI) -> None:
    """Add the /api/v1 routes."""


async def problem_from_exception(request: Request, exc: Exception) -> Response:
    """An application/problem+json response (RFC 9457) for an error."""
    status = exc.status_code if isinstance(exc, HTTPException) else 400
    return JSONResponse({"title": "Error", "status": status}, status_code=status, media_type="application/problem+json")
