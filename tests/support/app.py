"""Builders every stage's tests share: settings in tmp_path, an in-process client, a served app, a throwaway
PostgreSQL database, an index of a catalog. Fixtures over these are in tests/conftest.py."""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy
import uvicorn
from anyio.from_thread import start_blocking_portal
from fastapi import FastAPI

from app.catalog.models import Catalog
from app.config import SYNONYMS, WORDFORMS, Settings
from app.search.analysis import Synonyms
from app.search.index import SearchIndex
from app.search.query import Document

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIXTURE_CATALOG = FIXTURES / "catalog.yaml"
IN_CI = bool(os.environ.get("CI"))


def make_settings(tmp_path: Path, catalog: Path = FIXTURE_CATALOG, **overrides: Any) -> Settings:
    """Settings that touch nothing outside tmp_path."""
    values: dict[str, Any] = {
        "catalog": catalog,
        "database_url": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "index_dir": tmp_path / "index",
        "watch": False,
    }
    return Settings(**(values | overrides))


def index_for(catalog: Catalog, directory: Path, updated_at: dt.datetime | None = None) -> SearchIndex:
    when = updated_at or dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    documents = [Document.from_record(p.record, updated_at=when) for p in catalog.programs]
    return SearchIndex.open_or_build(directory, catalog.version, documents, Synonyms.load(SYNONYMS, WORDFORMS))


def wait_until(check: Callable[[], bool], *, seconds: float) -> bool:
    """Poll `check` until it holds or `seconds` pass; whether it held. Tests wait on conditions, never fixed times."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


class Client:
    """A synchronous facade over httpx.AsyncClient + ASGITransport, with the app's lifespan running."""

    def __init__(self, app: FastAPI, portal: Any, client: httpx.AsyncClient) -> None:
        self.app = app
        self._portal = portal
        self._client = client

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self._portal.call(lambda: self._client.request(method, url, **kwargs))  # type: ignore[no-any-return]

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def options(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("OPTIONS", url, **kwargs)


@contextmanager
def running(app: FastAPI) -> Iterator[Client]:
    """Run the app's lifespan and yield a client that talks to it in-process."""
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(app.router.lifespan_context(app)):
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        try:
            yield Client(app, portal, client)
        finally:
            portal.call(client.aclose)


PG_ADMIN_URL = os.environ.get("MENTORDIR_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _postgres_available() -> bool:
    engine = sqlalchemy.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 2})
    try:
        with engine.connect():
            return True
    except sqlalchemy.exc.OperationalError:
        return False
    finally:
        engine.dispose()


@contextmanager
def postgres_database() -> Iterator[str]:
    """A throwaway PostgreSQL database for one test; skipped without a server, except in CI where it fails."""
    if not _postgres_available():
        if IN_CI:
            pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL}, and CI must run the PostgreSQL tests")
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432")
    name = f"mentordir_test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Run the app under uvicorn on a free loopback port in a thread; yield its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
