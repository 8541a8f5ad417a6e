"""Shared fixtures: small catalogs in tmp_path, an in-process client that runs the app's lifespan."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import start_blocking_portal
from fastapi import FastAPI

from app.catalog.models import Catalog
from app.catalog.validate import load_catalog
from app.config import BUNDLED_CATALOG, SYNONYMS, WORDFORMS, Settings
from app.main import create_app
from app.search.index import SearchIndex
from app.search.query import Document
from app.search.scoring import Synonyms

FIXTURES = Path(__file__).parent / "fixtures"
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


@pytest.fixture(scope="session")
def fixture_catalog() -> Catalog:
    return load_catalog(FIXTURE_CATALOG)


@pytest.fixture(scope="session")
def fixture_index(fixture_catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    return index_for(fixture_catalog, tmp_path_factory.mktemp("index"))


@pytest.fixture(scope="session")
def real_catalog() -> Catalog:
    """The bundled catalog, data/programs.yaml."""
    return load_catalog(BUNDLED_CATALOG)


@pytest.fixture(scope="session")
def real_index(real_catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    return index_for(real_catalog, tmp_path_factory.mktemp("real-index"))


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


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Client]:
    """The app over the fixture catalog."""
    with running(create_app(make_settings(tmp_path))) as c:
        yield c


# --- databases: every database test runs on SQLite and on the real PostgreSQL server -------------------------

PG_ADMIN_URL = os.environ.get("MENTORDIR_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _postgres_available() -> bool:
    import sqlalchemy

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
    import uuid

    import sqlalchemy

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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db.sqlite'}"
    else:
        with postgres_database() as url:
            yield url


# --- a real server, for the browser tests --------------------------------------------------------------------


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Run the app under uvicorn on a free loopback port in a thread; yield its base URL."""
    import socket
    import threading
    import time

    import uvicorn

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


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over the fixture catalog, served by uvicorn on a free loopback port (one per test module)."""
    with serving(create_app(make_settings(tmp_path_factory.mktemp("live")))) as url:
        yield url


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    """Debian's chromium; the browser tests skip without it, except in CI where they fail."""
    import shutil

    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if IN_CI:
            pytest.fail("chromium is not installed, and CI must run the browser tests")
        pytest.skip("chromium is not installed")
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium driven by Playwright, shared by one test module."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextmanager
def watched_page(browser: Any, **context_options: Any) -> Iterator[Any]:
    """A fresh page in its own context; fails the test on any console error (CSP violations included)."""
    context = browser.new_context(**context_options)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    yield tab
    context.close()
    assert errors == []


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh page with JavaScript on, over the module's `live_server`; fails the test on any console error."""
    with watched_page(browser, base_url=live_server, viewport={"width": 1280, "height": 900}) as tab:
        yield tab
