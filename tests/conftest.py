"""Fixtures for every stage's tests: catalogs, indexes, an in-process client, a served app, a browser. The builders
they use are in tests/support/, which tests import; no test imports another test module."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.catalog.models import Catalog
from app.catalog.validate import load_catalog
from app.config import BUNDLED_CATALOG
from app.main import create_app
from app.search.index import SearchIndex
from tests.support.app import FIXTURE_CATALOG, Client, index_for, make_settings, postgres_database, running, serving
from tests.support.browser import CHROMIUM_ARGS, chromium_path, watched_page

# pytest-xdist's workers (`make test-fast`) run with COLUMNS=80. The CLI's rich consoles read it once, when they are
# made at import, and would then wrap every table at 80 columns whatever width a test asks for.
os.environ.pop("COLUMNS", None)


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


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    """The app over the bundled catalog (one per test module)."""
    with running(create_app(make_settings(tmp_path_factory.mktemp("real"), catalog=BUNDLED_CATALOG))) as c:
        yield c


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Client]:
    """The app over the fixture catalog."""
    with running(create_app(make_settings(tmp_path))) as c:
        yield c


# --- databases: every database test runs on SQLite and on the real PostgreSQL server -------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db.sqlite'}"
    else:
        with postgres_database() as url:
            yield url


# --- a real server, for the browser tests --------------------------------------------------------------------


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over the fixture catalog, served by uvicorn on a free loopback port (one per test module)."""
    with serving(create_app(make_settings(tmp_path_factory.mktemp("live")))) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium driven by Playwright, shared by one test module."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh page with JavaScript on, over the module's `live_server`; fails the test on any console error."""
    with watched_page(browser, base_url=live_server, viewport={"width": 1280, "height": 900}) as tab:
        yield tab


@pytest.fixture
def open_page(browser: Any, live_server: str) -> Iterator[Any]:
    """Open pages at a viewport, with or without JavaScript; any console error (CSP included) fails the test."""
    contexts: list[Any] = []
    errors: list[str] = []

    def opener(viewport: dict[str, int], *, script: bool = True) -> Any:
        context = browser.new_context(base_url=live_server, viewport=viewport, java_script_enabled=script)
        contexts.append(context)
        tab = context.new_page()
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda e: errors.append(str(e)))
        return tab

    yield opener
    for context in contexts:
        context.close()
    assert errors == []
