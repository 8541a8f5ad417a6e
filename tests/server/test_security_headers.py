"""The strict headers on every kind of answer, errors included; trusted hosts; HEAD; a clean 500 for a bug."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from app.main import create_app
from tests.support.app import Client, make_settings, running

PAGES = ["/", "/?q=women&format=online", "/programs/elam", "/compare?ids=elam,swims", "/models", "/coverage"]


@pytest.mark.parametrize("path", [*PAGES, "/programs/no-such-program", "/feed.xml", "/docs"])
def test_strict_headers_on_every_page_type(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (200, 404)
    csp = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and "unsafe-inline" not in csp
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "geolocation=()" in response.headers["permissions-policy"]
    assert "server" not in response.headers


@pytest.mark.parametrize("path", ["/api/v1/programs", "/api/v1/programs/elam", "/api/v1/nope", "/healthz"])
def test_strict_headers_on_api_responses(client: Client, path: str) -> None:
    headers = client.get(path).headers
    assert (
        headers["x-content-type-options"] == "nosniff"
        and "frame-ancestors 'none'" in headers["content-security-policy"]
    )


def test_trusted_hosts_refuse_other_host_names(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, trusted_hosts="directory.example.org, localhost")
    with running(create_app(settings)) as client:
        assert client.get("/api/v1/catalog", headers={"Host": "directory.example.org"}).status_code == 200
        refused = client.get("/api/v1/catalog", headers={"Host": "evil.example.com"})
        assert refused.status_code == 400
        assert refused.headers["x-content-type-options"] == "nosniff"


def test_head_is_answered_like_get_without_a_body(client: Client) -> None:
    for path in ("/", "/programs/elam", "/api/v1/programs", "/healthz"):
        get, head = client.get(path), client.request("HEAD", path)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
    assert client.request("HEAD", "/api/v1/programs/nope").status_code == 404


def test_an_unexpected_error_is_a_clean_500_with_strict_headers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.search.index

    def broken(self: object, q: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(app.search.index.SearchIndex, "search", broken)
    application = create_app(make_settings(tmp_path))
    with running(application) as client:
        client._client._transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)  # type: ignore[attr-defined]
        api = client.get("/api/v1/programs?q=x")
        assert api.status_code == 500 and api.headers["content-type"] == "application/problem+json"
        assert api.json()["title"] == "Internal Server Error" and "a bug" not in api.text
        page = client.get("/?q=x")
        assert page.status_code == 500 and "Something went wrong on our side." in page.text and "a bug" not in page.text
        assert page.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
