"""A load never publishes a half-saved file: the watcher waits for the file to settle, and a load that would remove
many programs at once is held until a curator confirms it or the file changes (real `mentordir serve` processes,
a syncing client as the README describes it, and the `mentordir` command)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from app.config import ROOT
from tests.support.app import postgres_database, wait_until
from tests.support.generations import numbered
from tests.support.processes import mentordir_serve
from tests.support.syncclient import Mirror

TOKEN = "hold-test-token"
ALL = range(40)
HELD_LOG = "held: it would remove"


def environment(tmp_path: Path, database_url: str | None = None) -> dict[str, str]:
    return {
        "MENTORDIR_CATALOG": str(tmp_path / "programs.yaml"),
        "MENTORDIR_DATABASE_URL": database_url or f"sqlite:///{tmp_path / 'db.sqlite'}",
        "MENTORDIR_INDEX_DIR": str(tmp_path / "index"),
        "MENTORDIR_WATCH_DEBOUNCE_MS": "50",
        "MENTORDIR_WATCH_SETTLE_MS": "300",
        "MENTORDIR_WATCH_POLL_SECONDS": "0.5",
        "MENTORDIR_FOLLOW_POLL_SECONDS": "0.2",
        "MENTORDIR_RESPONSE_CACHE": "0",
        "MENTORDIR_ADMIN_TOKEN": TOKEN,
    }


@contextmanager
def served(tmp_path: Path, database_url: str | None = None) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    """A server watching a 40-program catalog, and a client for it."""
    (tmp_path / "programs.yaml").write_text(numbered(ALL))
    env = environment(tmp_path, database_url)
    with mentordir_serve(env, tmp_path / "logs") as base, httpx.Client(base_url=base, timeout=30) as http:
        yield http, env


def mentordir(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The `mentordir` command, run as a curator runs it, with the server's settings."""
    command = [sys.executable, "-m", "app.curate.cli", *args]
    return subprocess.run(command, env=os.environ | env, cwd=ROOT, capture_output=True, text=True, timeout=120)


def held(http: httpx.Client) -> dict[str, Any] | None:
    ready = http.get("/readyz")
    assert ready.status_code == 200, ready.text  # a hold keeps the service ready: it serves the current catalog
    return ready.json().get("held")  # type: ignore[no-any-return]


def held_lines(tmp_path: Path) -> list[str]:
    return [
        line
        for path in (tmp_path / "logs").glob("serve-*.log")
        for line in path.read_text().splitlines()
        if HELD_LOG in line
    ]


class Watcher:
    """A syncing client in a thread, polling `since=` throughout: notes every removal it is shown and every program
    whose created_at moved (a removal that came back)."""

    def __init__(self, base: str) -> None:
        self.mirror = Mirror(lambda url: httpx.get(base + url, timeout=30), per_page=50)
        self.mirror.converge()
        self.created = {pid: r["created_at"] for pid, r in self.mirror.records.items()}
        self.faults: list[str] = []
        self.syncs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.mirror.sync()
            self.syncs += 1
            missing = set(self.created) - set(self.mirror.records)
            if missing:
                self.faults.append(f"removed {sorted(missing)}")
            moved = [pid for pid, r in self.mirror.records.items() if self.created.get(pid) != r["created_at"]]
            if moved:
                self.faults.append(f"created_at reset for {sorted(moved)}")

    def __enter__(self) -> Watcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(30)


def test_a_catalog_saved_in_place_with_a_pause_between_entries_is_never_published_half_written(
    tmp_path: Path,
) -> None:
    with served(tmp_path) as (http, _env):
        with Watcher(str(http.base_url).rstrip("/")) as watcher:
            text = numbered(ALL)
            half = text.index("  - id: p20\n")
            with (tmp_path / "programs.yaml").open("r+") as editor:  # an editor saving in place, entry by entry
                editor.truncate(0)
                editor.write(text[:half])
                editor.flush()
                # The pause is longer than the settle time: the first half, a valid catalog of 20, is read and held.
                assert wait_until(lambda: held(http) is not None, seconds=20)
                syncs = watcher.syncs
                assert wait_until(lambda: watcher.syncs > syncs + 2, seconds=20)  # the client polled meanwhile
                editor.write(text[half:])
            assert wait_until(lambda: held(http) is None, seconds=20)  # the complete file drops the hold by itself
            assert http.get("/healthz").json()["programs"] == 40
        assert watcher.faults == []  # the client never saw a removal, nor a program come back with a new created_at
        watcher.mirror.converge()
        assert len(watcher.mirror.records) == 40
    assert len(held_lines(tmp_path)) == 1


@pytest.mark.parametrize("confirm", ["cli", "admin"])
def test_a_catalog_that_drops_30_programs_is_held_until_a_curator_confirms_it(tmp_path: Path, confirm: str) -> None:
    with served(tmp_path) as (http, env):
        mirror = Mirror(http.get, per_page=50)
        mirror.converge()
        version = http.get("/api/v1/catalog").json()["version"]
        (tmp_path / "programs.yaml").write_text(numbered(range(30, 40)))
        assert wait_until(lambda: held(http) is not None, seconds=20)

        hold = held(http)
        assert hold is not None
        assert hold["removals"] == 30 and hold["programs_stored"] == 40
        assert hold["removed_ids"] == sorted(f"p{i}" for i in range(30))[:10]
        assert "--allow-removals" in hold["confirm"] and "allow_removals=true" in hold["confirm"]
        info = http.get("/api/v1/catalog").json()
        assert info["held"] == hold and info["version"] == version and info["program_count"] == 40
        report = mentordir(env, "report", "--json")
        assert report.returncode == 0, report.stderr
        assert orjson.loads(report.stdout)["held"]["removals"] == 30
        assert "Load held" in mentordir(env, "report").stdout
        # An admin reload without the flag reads the same file again: still held (409), nothing logged twice.
        refused = http.post("/api/v1/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
        assert refused.status_code == 409 and refused.json()["held"]["removals"] == 30
        assert len(held_lines(tmp_path)) == 1
        # Nothing reached the database: the client still has every program.
        mirror.sync()
        assert len(mirror.records) == 40 and http.get("/healthz").json()["programs"] == 40

        if confirm == "cli":
            loaded = mentordir(env, "load", "--allow-removals")
            assert loaded.returncode == 0, loaded.stderr
            assert "30 removed" in loaded.stdout
        else:
            reloaded = http.post(
                "/api/v1/admin/reload?allow_removals=true", headers={"Authorization": f"Bearer {TOKEN}"}
            )
            assert reloaded.status_code == 200 and reloaded.json()["held"] is None, reloaded.text
        assert wait_until(lambda: http.get("/healthz").json()["programs"] == 10, seconds=20)
        assert wait_until(lambda: held(http) is None, seconds=20)
        assert http.get("/api/v1/catalog").json()["held"] is None
        before = set(mirror.records)
        mirror.converge()
        assert before - set(mirror.records) == {f"p{i}" for i in range(30)}  # the 30 removals, now confirmed
        assert "Load held" not in mentordir(env, "report").stdout


def test_a_held_load_is_dropped_when_the_file_is_restored(tmp_path: Path) -> None:
    with served(tmp_path) as (http, _env):
        with Watcher(str(http.base_url).rstrip("/")) as watcher:
            (tmp_path / "programs.yaml").write_text(numbered(range(30, 40)))
            assert wait_until(lambda: held(http) is not None, seconds=20)
            (tmp_path / "programs.yaml").write_text(numbered(ALL, gen=1))  # every program back, each one edited
            assert wait_until(lambda: held(http) is None, seconds=20)
            assert wait_until(lambda: http.get("/api/v1/catalog").json()["title"] == "generation 1", seconds=20)
        assert watcher.faults == []
        watcher.mirror.converge()
        assert {r["tags"][0] for r in watcher.mirror.records.values()} == {"gen-1"}
        assert len(watcher.mirror.records) == 40


@pytest.mark.postgres
def test_a_held_load_on_a_postgresql_leader_writes_nothing_until_confirmed(tmp_path: Path) -> None:
    with postgres_database() as url, served(tmp_path, url) as (http, env):
        (tmp_path / "programs.yaml").write_text(numbered(range(30, 40)))
        assert wait_until(lambda: held(http) is not None, seconds=20)
        assert http.get("/healthz").json()["programs"] == 40
        refused = mentordir(env, "load")  # the command holds it too: nothing written without the flag
        assert refused.returncode == 1 and "--allow-removals" in refused.stderr
        assert mentordir(env, "load", "--allow-removals").returncode == 0
        assert wait_until(lambda: http.get("/healthz").json()["programs"] == 10, seconds=20)
        assert wait_until(lambda: held(http) is None, seconds=20)
