"""Request ids, JSON-lines access logs and Prometheus metrics, as one pure-ASGI middleware."""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from typing import Any

import orjson
from fastapi import FastAPI
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.store import suggestions

access_log = logging.getLogger("mentordir.access")
SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})  # any other is counted as "other"
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """The service's metrics, in a registry of its own (one per app, so tests do not share counters)."""

    def __init__(self) -> None:
        self._version: str | None = None
        self._failures_seen = 0
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "mentordir_requests", "HTTP requests answered.", ["route", "method", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "mentordir_request_duration_seconds",
            "Time to answer an HTTP request.",
            ["route"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.catalog = Gauge(
            "mentordir_catalog_programs",
            "Programs in the catalog being served, by catalog version.",
            ["version"],
            registry=self.registry,
            multiprocess_mode="liveall",
        )
        self.reload_failures = Counter(
            "mentordir_catalog_reload_failures",
            "Catalog files rejected or reloads that failed.",
            registry=self.registry,
        )
        self.suggestions = Gauge(
            "mentordir_suggestions",
            "Suggestions from faculty in the database, by status (new, accepted, rejected, duplicate).",
            ["status"],
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )

    def follow(self, live: Any) -> None:
        """Bring the catalog gauge and the reload-failure count up to date with the live catalog."""
        self.reload_failures.inc(live.failures - self._failures_seen)
        self._failures_seen = live.failures
        # A replaced version drops to 0: labels cannot be removed across worker processes.
        snapshot = live.current
        version = snapshot.version if snapshot is not None else None
        if self._version not in (None, version):
            self.catalog.labels(self._version).set(0)
        if snapshot is not None:
            self.catalog.labels(version).set(snapshot.program_count)
        self._version = version
        self._count_suggestions(live)

    def _count_suggestions(self, live: Any) -> None:
        """The suggestions by status, read from the database at each scrape (kept as they were while it is down)."""
        if live.database.error():
            return
        try:
            by_status = suggestions.counts(live.engine)
        except SQLAlchemyError:
            return
        for status, n in by_status.items():
            self.suggestions.labels(status).set(n)

    def exposition(self) -> bytes:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # several workers: add up every process's files
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)


class ObserveMiddleware:
    """Gives each request an id (kept from X-Request-ID when sane), logs it as one JSON line, counts and times it."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if SAFE_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        start = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - start
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = (
                scope["method"] if scope["method"] in METHODS else "other"
            )  # a label per made-up method is unbounded
            self.metrics.requests.labels(route, method, str(status)).inc()
            self.metrics.latency.labels(route).observe(elapsed)
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(
                    orjson.dumps(
                        {
                            "ts": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                            "request_id": request_id,
                            "method": scope["method"],
                            "path": scope["path"],
                            "route": route,
                            "status": status,
                            "ms": round(elapsed * 1000, 2),
                            "client": (scope.get("client") or ("", 0))[0],
                        }
                    ).decode()
                )


def install(app: FastAPI) -> None:
    metrics = Metrics()
    app.add_middleware(ObserveMiddleware, metrics=metrics)

    @app.get("/metrics", include_in_schema=False)
    def prometheus(request: Request) -> Response:
        """Prometheus metrics: request counts and latencies by route, the catalog version, reload failures, and the
        suggestions by status."""
        metrics.follow(request.app.state.live)
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


def log_config(level: str) -> dict[str, Any]:
    """Logging for `mentordir serve`: our JSON access lines as they are, everything else one line each."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": "%(message)s"},
            "default": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        },
        "handlers": {
            "access": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stdout"},
            "default": {"class": "logging.StreamHandler", "formatter": "default", "stream": "ext://sys.stderr"},
        },
        "loggers": {
            "mentordir.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
            "mentordir": {"handlers": ["default"], "level": level.upper(), "propagate": False},
            "uvicorn": {"handlers": ["default"], "level": level.upper(), "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
