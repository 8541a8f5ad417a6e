"""A catalog load's faults, seen where an operator looks: a header too long is refused with its field and line, and a
reload that fails on the database shows in /readyz and /api/v1/catalog until the next one succeeds (real `mentordir
serve` processes)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest

from tests.support.app import wait_until
from tests.support.generations import numbered
from tests.support.processes import mentordir_serve

ALL = range(40)


def environment(tmp_path: Path) -> dict[str, str]:
    return {
        "MENTORDIR_CATALOG": str(tmp_path / "programs.yaml"),
        "MENTORDIR_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "MENTORDIR_INDEX_DIR": str(tmp_path / "index"),
        "MENTORDIR_WATCH_DEBOUNCE_MS": "50",
        "MENTORDIR_WATCH_SETTLE_MS": "200",
        "MENTORDIR_WATCH_POLL_SECONDS": "0.5",
        "MENTORDIR_RESPONSE_CACHE": "0",
    }


def test_a_30_mb_title_is_refused_naming_the_field_and_the_old_catalog_is_served(tmp_path: Path) -> None:
    catalog = tmp_path / "programs.yaml"
    catalog.write_text(numbered(ALL))
    with mentordir_serve(environment(tmp_path), tmp_path / "logs") as base, httpx.Client(base_url=base) as http:
        version = http.get("/api/v1/catalog").json()["version"]
        catalog.write_text(numbered(ALL).replace("title: generation 0", "title: " + "x" * 30_000_000))
        assert wait_until(lambda: http.get("/readyz").json().get("rejected") is not None, seconds=60)
        [error] = http.get("/readyz").json()["rejected"]["errors"]
        assert (error["field"], error["line"]) == ("title", 1)
        assert "at most 200 characters" in error["message"]
        info = http.get("/api/v1/catalog")
        assert len(info.content) < 10_000  # the error names the field; it does not repeat the 30 MB
        assert info.json()["version"] == version and info.json()["title"] == "generation 0"
        assert http.get("/api/v1/programs?per_page=1").json()["total"] == 40


@pytest.mark.slow
def test_a_reload_that_fails_on_the_database_shows_until_the_next_one_succeeds(tmp_path: Path) -> None:
    catalog = tmp_path / "programs.yaml"
    catalog.write_text(numbered(ALL))
    with mentordir_serve(environment(tmp_path), tmp_path / "logs") as base, httpx.Client(base_url=base) as http:
        assert http.get("/readyz").json().get("last_reload_error") is None
        assert http.get("/api/v1/catalog").json()["last_reload_error"] is None
        locker = sqlite3.connect(tmp_path / "db.sqlite", timeout=1)  # another writer holds the database's write lock
        try:
            locker.execute("BEGIN IMMEDIATE")
            catalog.write_text(numbered(ALL, gen=1))
            assert wait_until(lambda: http.get("/readyz").json().get("last_reload_error") is not None, seconds=90)
            ready = http.get("/readyz")
            assert ready.status_code == 200  # the last good catalog is still served
            assert ready.json()["last_reload_error"]["what"] == "database: OperationalError"
            info = http.get("/api/v1/catalog").json()
            assert info["last_reload_error"] == ready.json()["last_reload_error"] and info["title"] == "generation 0"
        finally:
            locker.rollback()
            locker.close()
        # The next check tries the same file again, and its success clears the error.
        assert wait_until(lambda: http.get("/api/v1/catalog").json()["title"] == "generation 1", seconds=90)
        assert http.get("/api/v1/catalog").json()["last_reload_error"] is None
        assert "last_reload_error" not in http.get("/readyz").json()
