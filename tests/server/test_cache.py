"""The response cache: repeats skip the work, a new catalog version is never answered from old entries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import app.search.index
import app.search.query
from app.main import create_app
from tests.support.app import FIXTURE_CATALOG, Client, make_settings, running


@pytest.fixture
def searches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The text of every search the index actually ran."""
    ran: list[str] = []
    original = app.search.index.SearchIndex.search

    def counted(self: app.search.index.SearchIndex, q: app.search.query.SearchQuery) -> app.search.query.SearchResult:
        ran.append(q.text)
        return original(self, q)

    monkeypatch.setattr(app.search.index.SearchIndex, "search", counted)
    return ran


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(FIXTURE_CATALOG.read_text())
    return path


@pytest.fixture
def cached(tmp_path: Path, catalog: Path) -> Iterator[Client]:
    with running(create_app(make_settings(tmp_path, catalog=catalog))) as client:
        yield client


def test_a_repeat_is_answered_without_searching_again(cached: Client, searches: list[str]) -> None:
    first = cached.get("/api/v1/programs", params={"q": "women", "format": "in-person"})
    again = cached.get("/api/v1/programs", params={"format": "in-person", "q": "women"})  # same request, reordered
    assert searches == ["women"]
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert again.headers["x-content-type-options"] == "nosniff"  # still passes through the strict headers
    page = cached.get("/?q=women")
    assert cached.get("/?q=women").text == page.text and searches == ["women", "women"]
    fragment = cached.get("/?q=women", headers={"X-Fragment": "search"})
    assert fragment.text != page.text and len(searches) == 3  # a different rendering is a different entry


def test_a_new_catalog_version_is_never_answered_from_old_entries(
    cached: Client, catalog: Path, searches: list[str]
) -> None:
    before = cached.get("/api/v1/programs/elam").json()["summary"]
    catalog.write_text(FIXTURE_CATALOG.read_text().replace("A year of leadership", "A year of deep leadership"))
    assert cached.app.state.live.reload() is True
    after = cached.get("/api/v1/programs/elam").json()["summary"]
    assert before != after and after.startswith("A year of deep leadership")


def test_cors_and_conditional_requests_on_cached_answers(cached: Client) -> None:
    plain = cached.get("/api/v1/programs?q=women")
    assert "access-control-allow-origin" not in plain.headers
    cross = cached.get("/api/v1/programs?q=women", headers={"Origin": "https://portal.example.edu"})
    assert cross.headers["access-control-allow-origin"] == "*"
    held = cached.get("/api/v1/programs?q=women", headers={"If-None-Match": plain.headers["etag"]})
    assert held.status_code == 304 and held.content == b"" and held.headers["etag"] == plain.headers["etag"]


def test_errors_health_and_the_catalog_status_are_never_cached(cached: Client, catalog: Path) -> None:
    assert cached.get("/api/v1/programs/nope").status_code == 404
    assert cached.get("/api/v1/programs/nope").status_code == 404
    assert cached.get("/api/v1/catalog").json()["rejected"] is None
    catalog.write_text("programs: []\n")
    assert cached.app.state.live.reload() is False
    assert cached.get("/api/v1/catalog").json()["rejected"] is not None
    assert "rejected" in cached.get("/readyz").json()


def test_the_cache_can_be_turned_off(tmp_path: Path, searches: list[str]) -> None:
    with running(create_app(make_settings(tmp_path, response_cache=0))) as client:
        client.get("/api/v1/programs?q=women")
        client.get("/api/v1/programs?q=women")
    assert searches == ["women", "women"]
