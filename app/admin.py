"""Curators' operations over HTTP (to be built: issue 5)."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Add POST /api/v1/admin/reload when a token is configured."""
