"""The service starts from settings, answers health checks, and survives a bad catalog at start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import ROOT
from app.live import holder as live_module
from app.live import snapshot as snapshot_module
from app.live.loading import file_stamp
from app.live.restart import probably_loaded
from app.main import create_app
from app.store.db import make_engine
from tests.support.app import FIXTURE_CATALOG, Client, make_settings, running
from tests.support.processes import free_port


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


def test_a_warm_restart_reuses_the_database_and_index_of_an_unchanged_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(FIXTURE_CATALOG.read_text())
    settings = make_settings(tmp_path, catalog=catalog)
    with running(create_app(settings)) as c:
        version = c.get("/readyz").json()["catalog"]["version"]
    loads: list[int] = []
    original = live_module.load_file
    monkeypatch.setattr(live_module, "load_file", lambda *a, **k: loads.append(1) or original(*a, **k))
    read_again: list[int] = []  # the rows read while the file was hashed are the ones served
    reread = snapshot_module._read_consistent
    monkeypatch.setattr(snapshot_module, "_read_consistent", lambda *a: read_again.append(1) or reread(*a))
    with running(create_app(settings)) as c:  # unchanged: nothing is validated or written again
        assert c.get("/readyz").json()["catalog"]["version"] == version
        assert c.get("/api/v1/programs/elam").json()["aliases"] == ["ELAM"]
    assert loads == [] and read_again == []
    catalog.write_text(FIXTURE_CATALOG.read_text().replace("A year of leadership", "A year of deep leadership"))
    with running(create_app(settings)) as c:  # changed on disk while stopped: loaded in full
        assert c.get("/readyz").json()["catalog"]["version"] != version
    assert loads == [1]


def test_a_file_changed_behind_an_unchanged_stamp_is_still_loaded(tmp_path: Path) -> None:
    """At a start the database is read while the file is hashed when the file looks as the last load left it
    (inode, size, modification time); only its digest decides, so a file edited and given back its old size and
    time is loaded all the same, and the rows read ahead are let go."""
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(FIXTURE_CATALOG.read_text())
    settings = make_settings(tmp_path, catalog=catalog)
    with running(create_app(settings)) as c:
        version = c.get("/readyz").json()["catalog"]["version"]
    engine = make_engine(settings.database_url)
    assert probably_loaded(settings, engine, file_stamp(catalog))  # the start below reads ahead
    before = catalog.stat()
    edited = FIXTURE_CATALOG.read_text().replace("A year of leadership", "A year of LEADERSHIP")  # same size
    catalog.write_text(edited)
    os.utime(catalog, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert probably_loaded(settings, engine, file_stamp(catalog))  # the stamp alone cannot tell
    engine.dispose()
    with running(create_app(settings)) as c:
        assert c.get("/readyz").json()["catalog"]["version"] != version
        assert c.get("/api/v1/programs/elam").json()["summary"].startswith("A year of LEADERSHIP")


@pytest.mark.slow
@pytest.mark.parametrize("make_bad", ["under-a-file", "read-only-filesystem"])
def test_an_unwritable_index_folder_at_start_is_a_clear_error_naming_it(tmp_path: Path, make_bad: str) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    index_dir = blocker / "index" if make_bad == "under-a-file" else Path("/proc/mentordir-index")
    env = os.environ | {"MENTORDIR_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    result = subprocess.run(
        [sys.executable, "-m", "app.curate.cli", "serve", "--index-dir", str(index_dir), "--port", str(free_port())],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"cannot write the search index in {index_dir}" in result.stderr
    assert "Traceback" not in result.stderr
