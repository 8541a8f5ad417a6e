"""Replicas follow the leader's database: two on PostgreSQL see each new version; a follower never reads its file."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from app.main import create_app
from tests.support.app import FIXTURE_CATALOG, make_settings, postgres_database, running
from tests.support.processes import load, replica

EDITED = FIXTURE_CATALOG.read_text().replace("A year of leadership training", "A year of intensive leadership training")


def version(base: str) -> str:
    return str(httpx.get(f"{base}/api/v1/catalog", timeout=5).json()["version"])


@pytest.mark.postgres
def test_two_replicas_follow_the_catalog_in_postgresql(tmp_path: Path) -> None:
    edited = tmp_path / "edited.yaml"
    edited.write_text(EDITED)
    poll = 0.5
    with postgres_database() as url:
        load(url, FIXTURE_CATALOG, tmp_path)
        with replica(url, tmp_path / "a", poll) as a, replica(url, tmp_path / "b", poll) as b:
            first = version(a)
            assert version(b) == first
            load(url, edited, tmp_path)  # the leader writes a new version
            deadline = time.monotonic() + poll * 20  # poll interval plus indexing, with room for a loaded machine
            seen: dict[str, str] = {}
            while time.monotonic() < deadline and len(seen) < 2:
                for base in (a, b):
                    if base not in seen and version(base) != first:
                        seen[base] = version(base)
                time.sleep(poll / 5)
            assert set(seen) == {a, b}, f"not every replica moved on from {first}: {seen}"
            assert len(set(seen.values())) == 1
            for base in (a, b):
                elam = httpx.get(f"{base}/api/v1/programs/elam", timeout=5).json()
                assert elam["summary"].startswith("A year of intensive leadership training")
                hits = httpx.get(f"{base}/api/v1/programs", params={"q": "intensive"}, timeout=5).json()
                assert [r["id"] for r in hits["results"]] == ["elam"]


def test_admin_reload_in_follower_mode_never_writes_the_replicas_own_file(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    load(database, FIXTURE_CATALOG, tmp_path)
    stale = tmp_path / "stale.yaml"
    stale.write_text(FIXTURE_CATALOG.read_text().replace("A year of leadership training", "STALE"))
    settings = make_settings(tmp_path, catalog=stale, database_url=database, follow=True, admin_token="s3cret")
    with running(create_app(settings)) as client:
        first = client.get("/api/v1/catalog").json()["version"]
        edited = tmp_path / "edited.yaml"
        edited.write_text(EDITED)
        load(database, edited, tmp_path)  # the leader's new version
        answer = client.post("/api/v1/admin/reload", headers={"Authorization": "Bearer s3cret"})
        assert answer.status_code == 200 and answer.json()["changed"] is True
        assert client.get("/api/v1/catalog").json()["version"] != first
        summary = client.get("/api/v1/programs/elam").json()["summary"]
        assert summary.startswith("A year of intensive leadership training")  # the database's, not the stale file's
