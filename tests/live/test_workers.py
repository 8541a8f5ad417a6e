"""One writer, many readers, with real processes: `mentordir serve --workers 2` on SQLite, and a leader with a
replica on PostgreSQL. Few and bounded: each starts its servers once."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from app.live.holder import LiveCatalog
from app.store.db import make_engine
from tests.support.app import make_settings, postgres_database
from tests.support.generations import ENTRY
from tests.support.processes import mentordir_serve, replica
from tests.support.syncclient import Mirror

pytestmark = pytest.mark.slow  # real `mentordir serve` processes, tens of seconds

TOKEN = "s3cret-for-workers"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
POLL = 0.3  # the workers' and the replica's poll interval, in seconds
LOADS = 20


def catalog_text(load: int) -> str:
    """Load `load` of a run: about a fifth of 12 programs left out (they come back later), one program edited."""
    entries = [ENTRY.format(i=i, gen=load if i == load % 12 else 0) for i in range(12) if (i + load) % 5 != 0 or i == 0]
    return f"title: load {load}\nprograms:\n" + "".join(entries)


def leader_env(tmp_path: Path, catalog: Path, database_url: str) -> dict[str, str]:
    return {
        "MENTORDIR_CATALOG": str(catalog),
        "MENTORDIR_DATABASE_URL": database_url,
        "MENTORDIR_INDEX_DIR": str(tmp_path / "index"),
        "MENTORDIR_ADMIN_TOKEN": TOKEN,
        "MENTORDIR_WATCH": "false",
        "MENTORDIR_FOLLOW_POLL_SECONDS": str(POLL),
    }


def logged(folder: Path, text: str, *, times: int = 1, within: float = 10) -> str:
    """The server's log once it holds `text` `times` times (or after `within` seconds, for the caller to check)."""
    deadline = time.monotonic() + within
    while (log := next(folder.glob("serve-*.log")).read_text()).count(text) < times and time.monotonic() < deadline:
        time.sleep(0.1)
    return log


def admin_reload(base: str, catalog: Path, text: str) -> dict[str, object]:
    catalog.write_text(text)
    answer = httpx.post(f"{base}/api/v1/admin/reload", headers=AUTH, timeout=30)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_two_workers_serve_an_admin_reload_within_the_poll_interval(tmp_path: Path) -> None:
    catalog = tmp_path / "programs.yaml"
    catalog.write_text(catalog_text(1))
    env = leader_env(tmp_path, catalog, f"sqlite:///{tmp_path / 'db.sqlite'}") | {"MENTORDIR_LOG_LEVEL": "info"}
    with mentordir_serve(env, tmp_path, "--workers", "2") as base:
        # Both workers up before the reload (on a busy machine the second may start seconds after the first).
        logged(tmp_path, "Application startup complete.", times=2)
        first = httpx.get(f"{base}/api/v1/catalog").json()["version"]
        # p1 is in load 1 and not in load 4 ((1 + 4) % 5 == 0)
        assert httpx.get(f"{base}/api/v1/programs/p1").status_code == 200
        loaded = admin_reload(base, catalog, catalog_text(4))
        version = loaded["catalog"]["version"]  # type: ignore[index]
        assert loaded["changed"] is True and loaded["followers_within_seconds"] == POLL
        # The other worker says so once it serves the new catalog: within the poll interval and the time to open
        # the index the loading worker built.
        serving_line = f"now serving catalog {version} (load 2"
        assert serving_line in logged(tmp_path, serving_line, within=POLL + 1.0)
        for _ in range(50):  # a new connection each time: the kernel spreads them over both workers
            assert httpx.get(f"{base}/api/v1/catalog").json()["version"] == version
            gone = httpx.get(f"{base}/api/v1/programs/p1")
            assert gone.status_code == 404 and gone.json()["type"].endswith("/unknown-program")
        log = logged(tmp_path, serving_line)
        assert "Traceback" not in log
        # Each file was validated once, by the worker that loaded it; the other one reused it or followed.
        assert log.count(f"catalog {first} (load 1) loaded") == 1, log
        assert log.count(f"catalog {version} (load 2) loaded") == 1, log
        assert log.count(f"now serving catalog {version} (load 2") == 1, log


def run_loads_while_syncing(mirror: Mirror, do_load: Callable[[int], dict[str, object]]) -> None:
    """Twenty loads in a thread while the mirror syncs; then the mirror must equal the export of the last load."""
    errors: list[BaseException] = []
    last: list[object] = []

    def loads() -> None:
        try:
            for n in range(2, LOADS + 2):
                last[:] = [do_load(n)["sync_token"]]
                time.sleep(0.15)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    loader = threading.Thread(target=loads)
    loader.start()
    syncs = 0
    while loader.is_alive():
        mirror.sync()
        syncs += 1
    loader.join()
    assert not errors, errors
    mirror.converge(until=str(last[0]))
    assert syncs > 5 and mirror.records


def test_a_client_syncing_through_twenty_loads_on_two_sqlite_workers_ends_equal_to_the_export(tmp_path: Path) -> None:
    catalog = tmp_path / "programs.yaml"
    catalog.write_text(catalog_text(1))
    env = leader_env(tmp_path, catalog, f"sqlite:///{tmp_path / 'db.sqlite'}")
    with mentordir_serve(env, tmp_path, "--workers", "2") as base, httpx.Client(base_url=base) as pooled:
        # A fresh connection for every request reaches both workers; pooled ones would stay with one.
        mirror = Mirror(lambda url: httpx.get(base + url, timeout=10))
        run_loads_while_syncing(mirror, lambda n: admin_reload(base, catalog, catalog_text(n)))
        final = pooled.get("/api/v1/programs?per_page=100").json()
        assert final["total"] == len(mirror.records) and final["sync_token"] == mirror.token
        assert {r["name"] for r in final["results"]} == {r["name"] for r in mirror.records.values()}


@pytest.mark.postgres
def test_a_client_syncing_through_twenty_loads_on_postgresql_with_a_replica_ends_equal_to_the_export(
    tmp_path: Path,
) -> None:
    catalog = tmp_path / "programs.yaml"
    catalog.write_text(catalog_text(1))
    with postgres_database() as url:
        env = leader_env(tmp_path / "leader", catalog, url)
        with mentordir_serve(env, tmp_path / "leader") as leader, replica(url, tmp_path / "replica", POLL) as follower:
            servers = itertools.cycle([leader, follower])  # a load balancer sending each request elsewhere
            mirror = Mirror(lambda path: httpx.get(next(servers) + path, timeout=10))
            run_loads_while_syncing(mirror, lambda n: admin_reload(leader, catalog, catalog_text(n)))
            for base in (leader, follower):
                assert httpx.get(f"{base}/api/v1/programs").json()["sync_token"] == mirror.token
        assert not [log for log in tmp_path.rglob("serve-*.log") if "Traceback" in log.read_text()]


def test_workers_of_one_machine_validate_each_file_once_and_share_the_verdict(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Two LiveCatalogs over one index folder and database, as two workers of `mentordir serve` have."""
    catalog = tmp_path / "programs.yaml"
    catalog.write_text(catalog_text(1))
    settings = make_settings(tmp_path, catalog=catalog)
    engine = make_engine(settings.database_url)
    first, second = LiveCatalog(settings, engine), LiveCatalog(settings, engine)
    try:
        with caplog.at_level(logging.INFO, logger="mentordir"):
            first.start()
            second.start()  # waits for the first one's load, then reuses it
        assert sum(") loaded:" in r.message for r in caplog.records) == 1  # validated and written once
        assert first.current and second.current and first.current.tag == second.current.tag
        catalog.write_text(catalog_text(2).replace("scope: national", "scope: nationwide"))
        assert first.reload() is False and first.failures == 1
        assert second.reload() is False and second.failures == 0  # refused without validating again
        assert second.rejected is not None and second.rejected.digest == first.rejected.digest  # type: ignore[union-attr]
        catalog.write_text(catalog_text(1))  # back to the file both serve
        assert second.reload() is True and second.rejected is None
        first.refresh_from_database()  # the poll every worker runs
        assert first.rejected is None
    finally:
        first.close()
        second.close()
        engine.dispose()
