"""POST /api/v1/admin/reload: off without a token, 401 without the right one, reloads with it, throttles guessers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from app.main import create_app
from tests.support.app import FIXTURE_CATALOG, Client, make_settings, running

URL = "/api/v1/admin/reload"
TOKEN = "s3cret-token-for-tests"


def test_without_a_configured_token_the_endpoint_does_not_exist(tmp_path: Path) -> None:
    with running(create_app(make_settings(tmp_path))) as c:
        assert c.post(URL, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404
        assert URL not in c.get("/openapi.json").json()["paths"]


@contextmanager
def admin_app(tmp_path: Path) -> Iterator[tuple[Client, Path]]:
    """The app over a copy of the fixture catalog, with the admin token set."""
    catalog = tmp_path / "programs.yaml"
    catalog.write_text(FIXTURE_CATALOG.read_text())
    with running(create_app(make_settings(tmp_path, catalog=catalog, admin_token=TOKEN))) as c:
        yield c, catalog


def test_no_token_or_a_wrong_one_is_refused_with_a_problem(tmp_path: Path) -> None:
    with admin_app(tmp_path) as (c, catalog):
        version = c.get("/readyz").json()["catalog"]["version"]
        catalog.write_text(FIXTURE_CATALOG.read_text().replace("name: Physician Moms Group", "name: PMG online", 1))
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}, {"X-Token": TOKEN}):
            response = c.post(URL, headers=headers)
            assert response.status_code == 401, headers
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.headers["www-authenticate"].startswith("Bearer")
            assert response.json()["status"] == 401
        assert c.get("/readyz").json()["catalog"]["version"] == version  # nothing was reloaded
        assert c.get(URL, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 405


def test_the_right_token_reloads_a_valid_file(tmp_path: Path) -> None:
    with admin_app(tmp_path) as (c, catalog):
        auth = {"Authorization": f"Bearer {TOKEN}"}
        unchanged = c.post(URL, headers=auth)
        assert unchanged.status_code == 200 and unchanged.json()["changed"] is False
        text = FIXTURE_CATALOG.read_text()
        start = text.index("  - id: em-night")
        catalog.write_text(text[:start].rstrip() + "\n")  # the last program removed
        response = c.post(URL, headers=auth)
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "loaded" and body["changed"] is True and body["rejected"] is None
        assert body["catalog"]["programs"] == 7
        assert body["catalog"]["version"] == c.get("/readyz").json()["catalog"]["version"]
        assert c.get("/healthz").json()["programs"] == 7
        snapshot = c.app.state.live.current
        assert "em-night" not in snapshot.programs and snapshot.fetch(["em-night", "elam"])[0].id == "elam"


def test_the_right_token_with_an_invalid_file_answers_422_and_keeps_serving(tmp_path: Path) -> None:
    with admin_app(tmp_path) as (c, catalog):
        version = c.get("/readyz").json()["catalog"]["version"]
        catalog.write_text(FIXTURE_CATALOG.read_text().replace("formats: [in-person]", "formats: [in-persn]", 1))
        response = c.post(URL, headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["status"] == 422 and "still served" in body["detail"]
        [error] = body["errors"]
        assert (error["line"], error["field"]) == (14, "programs[0].formats[0]")
        assert "did you mean 'in-person'?" in error["message"]
        assert body["catalog"]["version"] == version
        assert c.get("/readyz").json()["rejected"]["errors"] == body["errors"]
        assert c.get("/healthz").json()["programs"] == 8


def test_wrong_admin_tokens_are_throttled_per_address(tmp_path: Path) -> None:
    application = create_app(make_settings(tmp_path, admin_token="right-token"))
    with running(application) as c:
        for _ in range(10):
            assert c.post("/api/v1/admin/reload", headers={"Authorization": "Bearer wrong"}).status_code == 401
        throttled = c.post("/api/v1/admin/reload", headers={"Authorization": "Bearer wrong"})
        assert throttled.status_code == 429 and 1 <= int(throttled.headers["retry-after"]) <= 60
        assert throttled.json()["type"].endswith("/too-many-attempts")
        limits = {k: throttled.headers[f"ratelimit-{k}"] for k in ("limit", "remaining", "reset")}
        assert limits["limit"] == "10" and limits["remaining"] == "0" and 1 <= int(limits["reset"]) <= 60
        # The curator who holds the right token is never locked out by someone guessing from the same address.
        assert c.post("/api/v1/admin/reload", headers={"Authorization": "Bearer right-token"}).status_code == 200
        assert c.post("/api/v1/admin/reload", headers={"Authorization": "Bearer wrong"}).status_code == 429
        elsewhere = httpx.ASGITransport(app=application, client=("192.0.2.7", 4000))
        c._client._transport = elsewhere  # type: ignore[attr-defined]
        first = c.post("/api/v1/admin/reload", headers={"Authorization": "Bearer wrong"})
        assert first.status_code == 401 and first.headers["ratelimit-remaining"] == "9"


def test_a_request_without_a_token_is_a_plain_401_and_never_counted(tmp_path: Path) -> None:
    """No token guesses nothing: a browser or a contract checker probing without credentials cannot use up the
    address's allowance, so neither its next wrong token nor the curator's right one is held back."""
    with admin_app(tmp_path) as (c, _):
        for headers in [{}] * 15 + [{"Authorization": ""}, {"Authorization": "  "}]:
            refused = c.post(URL, headers=headers)
            assert refused.status_code == 401 and refused.headers["www-authenticate"] == 'Bearer realm="admin"'
            assert "ratelimit-remaining" not in refused.headers and refused.json()["type"].endswith("/unauthorized")
        wrong = c.post(URL, headers={"Authorization": "Bearer wrong"})
        assert wrong.status_code == 401 and wrong.headers["ratelimit-remaining"] == "9"
        assert c.post(URL, headers={"Authorization": "Basic d3Jvbmc="}).headers["ratelimit-remaining"] == "8"
        assert c.post(URL, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
