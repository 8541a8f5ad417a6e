"""The app factory: builds the service from settings; the lifespan loads the catalog."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from app.api import admin, protocol
from app.api import routes as api
from app.config import Settings
from app.live.holder import LiveCatalog
from app.live.watch import watching
from app.middleware import observe, security
from app.middleware.cache import ResponseCache
from app.middleware.compression import Compression
from app.middleware.cors import ApiCors
from app.plumbing import LiveDep
from app.store.db import make_engine, ping
from app.web import alerts, confirm, lists, suggestions
from app.web import routes as web

log = logging.getLogger("mentordir")
CLIENT_CLOSED = 499  # nginx's status for a request its client closed before it was answered


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The app's lifespan: load the catalog, follow the file while serving, let go of everything at the end."""
    settings: Settings = app.state.settings
    # Searches hold the GIL, so more threads add memory (a searcher and a malloc arena each), not speed.
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
    engine = make_engine(settings.database_url)
    live = LiveCatalog(settings, engine)
    await run_in_threadpool(live.start)
    app.state.live = live
    try:
        async with watching(live):
            yield
    finally:
        live.close()
        engine.dispose()


def _install_health(app: FastAPI) -> None:
    """/healthz and /readyz, for process managers and load balancers."""

    @app.get("/healthz", tags=["health"])
    def healthz(live: LiveDep) -> dict[str, Any]:
        """The process is alive; the number of programs it serves."""
        snapshot = live.current
        return {"status": "ok", "programs": snapshot.program_count if snapshot else 0}

    @app.get("/readyz", tags=["health"])
    def readyz(live: LiveDep) -> JSONResponse:
        """Ready when a catalog is loaded and the database answers; 503 otherwise. Says why the file is not the one
        served (`rejected`, `held`) and when the last reload failed on the database or the disk."""
        snapshot = live.current
        body: dict[str, Any] = {"status": "ready", "catalog": None, "database": "ok"}
        if snapshot is not None:
            body["catalog"] = {"version": snapshot.version, "programs": snapshot.program_count}
        try:
            ping(live.engine)
        except Exception as exc:  # any driver error means "not reachable" to a load balancer
            body["database"] = f"unreachable: {type(exc).__name__}"
        if live.rejected is not None:
            body["rejected"] = live.rejected.as_dict()
        if live.held is not None:  # still ready: the current catalog is served
            body["held"] = live.held.as_dict()
        if live.reload_error is not None:
            body["last_reload_error"] = live.reload_error.as_dict()
        ready = snapshot is not None and body["database"] == "ok"
        body["status"] = "ready" if ready else "not ready"
        return JSONResponse(body, status_code=200 if ready else 503)


def _install_errors(app: FastAPI) -> None:
    """The exception handlers: one answer for every error, and a logged crash for a bug."""

    async def error(request: Request, exc: Exception) -> Response:
        """One place for errors: problem+json for machines (/api, /healthz...), an HTML page for people."""
        if web.wants_html(request):
            return await web.error_page(request, exc)
        return await protocol.problem_from_exception(request, exc)

    async def crash(request: Request, exc: Exception) -> Response:
        """A bug, not bad input: log it with its request id; the user gets the same kind of error as for others."""
        request_id = getattr(request.state, "request_id", "-")
        log.error("unhandled error in %s %s [%s]", request.method, request.url.path, request_id, exc_info=exc)
        response = await error(request, exc)
        # This runs outside the middleware stack, so the strict headers are added here.
        response.headers.update({k.decode(): v.decode() for k, v in security.HEADERS})
        return response

    async def client_closed(request: Request, exc: Exception) -> Response:
        """The client went away before its body arrived, wherever the body was being read: its event, not a crash.
        Nothing reaches it; the access log and the metrics count it as 499, as nginx does."""
        return Response(status_code=CLIENT_CLOSED)

    app.add_exception_handler(ClientDisconnect, client_closed)
    app.add_exception_handler(HTTPException, error)
    app.add_exception_handler(RequestValidationError, error)
    app.add_exception_handler(Exception, crash)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(
        title="Mentor Directory",
        version="1.0.0",
        summary="Peer-mentoring and leadership programs for academic medicine.",
        lifespan=_lifespan,
    )
    app.state.settings = settings
    _install_health(app)
    # Innermost: compression, so the cache keeps compressed bodies and a repeat costs no gzip work.
    app.add_middleware(Compression)
    # Then the cache: a cached answer still passes through CORS, logs, metrics and the strict headers.
    app.add_middleware(ResponseCache, max_entries=settings.response_cache)
    app.add_middleware(ApiCors)  # the API's CORS headers go on cached answers too
    api.install(app)
    web.install(app)
    admin.install(app)
    suggestions.install(app)
    confirm.install(app)
    lists.install(app)
    alerts.install(app)
    _install_errors(app)
    observe.install(app)
    security.install(app, settings)  # outermost: every response gets the strict headers, errors included
    return app
