"""The website for faculty (to be built: issue 4)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response


def install(app: FastAPI) -> None:
    """Add the pages and static files."""


def wants_html(request: Request) -> bool:
    """True for the pages' paths: errors there get an HTML page rather than problem+json."""
    return False


async def error_page(request: Request, exc: Exception) -> Response:
    raise NotImplementedError
