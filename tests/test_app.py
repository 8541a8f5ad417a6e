"""The service starts from settings, answers health checks, and survives a bad catalog at start."""

from __future__ import annotations

from pathlib import Path

from app.main import create_app
from tests.conftest import FIXTURE_CATALOG, Client, make_settings, running


def test_healthz_and_readyz(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "programs": 8}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["catalog"]["programs"] == 8 and ready.json()["database"] == "ok"


def test_an_invalid_catalog_at_start_serves_the_last_good_one_from_the_database(tmp_path: Path) -> None:
    with running(create_app(make_settings(tmp_path))) as c:
        assert c.get("/healthz").json()["programs"] == 8
    broken = tmp_path / "broken.yaml"
    broken.write_text(FIXTURE_CATALOG.read_text().replace("scope: national", "scope: nationwide", 1))
    with running(create_app(make_settings(tmp_path, catalog=broken))) as c:
        assert c.get("/healthz").json()["programs"] == 8
        ready = c.get("/readyz").json()
        assert ready["status"] == "ready"
        [error] = ready["rejected"]["errors"]
        assert error["line"] == 15 and "'nationwide' is not a scope" in error["message"]


def test_an_invalid_catalog_and_an_empty_database_is_not_ready(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("programs: [")
    with running(create_app(make_settings(tmp_path, catalog=broken))) as c:
        assert c.get("/healthz").json() == {"status": "ok", "programs": 0}
        ready = c.get("/readyz")
        assert ready.status_code == 503 and ready.json()["status"] == "not ready"
        assert "YAML syntax error" in ready.json()["rejected"]["errors"][0]["message"]
