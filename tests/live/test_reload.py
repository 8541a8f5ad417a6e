"""Live reload: a valid edit goes live within seconds, an invalid one is refused, and no request ever fails."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from sqlalchemy.exc import OperationalError

from app.live import loading as live_module
from app.live.holder import LiveCatalog
from app.main import create_app
from app.search.query import SearchQuery
from app.store.db import make_engine
from tests.support.app import FIXTURE_CATALOG, make_settings, running, serving
from tests.support.generations import generation, invalid


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def write(path: Path, text: str, *, replace: bool) -> None:
    """Write as an editor would: in place, or a new file renamed over the old one."""
    if replace:
        tmp = path.with_name(f".{path.name}.swp")
        tmp.write_text(text)
        os.replace(tmp, path)
    else:
        path.write_text(text)


def wait_for(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


def watch_settings(tmp_path: Path, catalog: Path, **overrides: Any) -> Any:
    return make_settings(
        tmp_path,
        catalog=catalog,
        watch=True,
        watch_debounce_ms=50,
        watch_settle_ms=200,
        watch_poll_seconds=0.5,
        **overrides,
    )


@pytest.mark.parametrize("replace", [False, True], ids=["in-place", "rename"])
def test_a_valid_edit_is_served_within_two_seconds(tmp_path: Path, replace: bool) -> None:
    catalog = tmp_path / "programs.yaml"
    text, _ = generation(0)
    catalog.write_text(text)
    with running(create_app(watch_settings(tmp_path, catalog))) as c:
        assert c.get("/healthz").json()["programs"] == 3
        before = c.get("/readyz").json()["catalog"]["version"]
        text, count = generation(1)
        write(catalog, text, replace=replace)
        assert wait_for(lambda: c.get("/healthz").json()["programs"] == count, 2.0)
        ready = c.get("/readyz").json()
        assert ready["catalog"]["version"] != before and "rejected" not in ready
        snapshot = c.app.state.live.current
        assert {r.record["name"] for r in snapshot.fetch(list(snapshot.programs))} == {
            f"Program {i} of generation 1" for i in range(count)
        }


def test_an_invalid_edit_keeps_the_old_catalog_and_readyz_shows_its_errors(tmp_path: Path) -> None:
    catalog = tmp_path / "programs.yaml"
    catalog.write_text(FIXTURE_CATALOG.read_text())
    with running(create_app(watch_settings(tmp_path, catalog))) as c:
        version = c.get("/readyz").json()["catalog"]["version"]
        bad = FIXTURE_CATALOG.read_text().replace("career_stages: [mid-career, senior]", "career_stages: [midcareer]")
        bad = bad.replace("    scope: regional\n", "    scope: regional\n    carrer_stages: [senior]\n", 1)
        catalog.write_text(bad)
        assert wait_for(lambda: "rejected" in c.get("/readyz").json(), 2.0)
        ready = c.get("/readyz")
        assert ready.status_code == 200 and ready.json()["catalog"]["version"] == version
        rejected = ready.json()["rejected"]
        assert rejected["file_digest"] == digest(bad)
        by_line = {e["line"]: e for e in rejected["errors"]}
        typo = bad.splitlines().index("    carrer_stages: [senior]") + 1
        assert set(by_line) == {12, typo}
        assert "did you mean 'mid-career'?" in by_line[12]["message"]
        assert by_line[12]["field"] == "programs[0].career_stages[0]"
        assert "unknown field 'carrer_stages'" in by_line[typo]["message"]
        # The file is named, but the server's path to it stays private (the log keeps it).
        assert by_line[typo]["text"].startswith(f"programs.yaml:{typo}:5 ")
        assert str(tmp_path) not in ready.text and str(tmp_path) not in c.get("/api/v1/catalog").text
        assert c.get("/healthz").json()["programs"] == 8
        # Fixing the file clears the rejection.
        catalog.write_text(FIXTURE_CATALOG.read_text())
        assert wait_for(lambda: "rejected" not in c.get("/readyz").json(), 2.0)
        assert c.get("/readyz").json()["catalog"]["version"] == version


def test_a_snapshot_keeps_its_own_records_after_the_database_moves_on(tmp_path: Path) -> None:
    catalog = tmp_path / "programs.yaml"
    catalog.write_text(generation(0)[0])
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    live = LiveCatalog(make_settings(tmp_path, catalog=catalog), engine)
    try:
        assert live.reload()
        old = live.current
        assert old is not None
        catalog.write_text(generation(1)[0])
        assert live.reload_if_changed() is True
        assert live.reload_if_changed() is None  # same bytes: nothing to do
        # A request that took the old snapshot before the swap still sees generation 0 only, all of it.
        ids = [h.id for h in old.index.search(SearchQuery(limit=None, highlight=False)).hits]
        assert len(ids) == 3 and [p.record["tags"] for p in old.fetch(ids)] == [["gen-0"]] * 3
        assert live.current is not None and live.current.program_count == 4
    finally:
        live.close()
        engine.dispose()


def test_a_database_failure_keeps_the_old_catalog_and_is_retried(tmp_path: Path, monkeypatch: Any) -> None:
    catalog = tmp_path / "programs.yaml"
    catalog.write_text(generation(0)[0])
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    live = LiveCatalog(make_settings(tmp_path, catalog=catalog), engine)
    real = live_module.sync_catalog
    failures = []

    def flaky(*args: Any, **kwargs: Any) -> Any:
        if len(failures) < live_module.SYNC_ATTEMPTS:
            failures.append(1)
            raise OperationalError("UPDATE", {}, Exception("database is locked"))
        return real(*args, **kwargs)

    try:
        assert live.reload()
        version = live.current.version if live.current else None
        catalog.write_text(generation(1)[0])
        monkeypatch.setattr(live_module, "sync_catalog", flaky)
        monkeypatch.setattr(live_module.time, "sleep", lambda _: None)
        with pytest.raises(OperationalError):
            live.reload_if_changed()
        assert live.current is not None and live.current.version == version and live.rejected is None
        assert live.reload_if_changed() is True  # the next check tries the same bytes again
        assert live.current.program_count == 4
    finally:
        live.close()
        engine.dispose()


# --- the guarantee under load: a real server, several client threads, 20 rewrites -----------------------------


def add_probe(app: FastAPI) -> None:
    """A route doing what every listing does: take the snapshot once, search it, fetch the hits' records."""

    @app.get("/probe")
    def probe(request: Request) -> dict[str, Any]:
        snap = request.app.state.live.current
        result = snap.index.search(SearchQuery(limit=None, highlight=False))
        records = [p.record for p in snap.fetch([h.id for h in result.hits])]
        return {
            "version": snap.version,
            "title": snap.title,
            "count": snap.program_count,
            "total": result.total,
            "records": records,
        }


def half_loaded(body: dict[str, Any]) -> str | None:
    """Why a probe answer mixes catalog versions, or None when it is one whole version."""
    records = body["records"]
    generations = {tag for r in records for tag in r["tags"]}
    if len(records) != body["total"] or body["total"] != body["count"]:
        return f"{len(records)} records, {body['total']} hits, {body['count']} programs"
    if generations != {body["title"].replace("generation ", "gen-")}:
        return f"records of {sorted(generations)} in the catalog titled {body['title']!r}"
    return None


def serves(client: httpx.Client, gen: int) -> bool:
    return bool(client.get("/probe").json()["records"][0]["tags"] == [f"gen-{gen}"])


def refuses(client: httpx.Client, file_digest: str) -> bool:
    return bool((client.get("/readyz").json().get("rejected") or {}).get("file_digest") == file_digest)


LISTING = "/api/v1/programs?per_page=100&updated_since=2000-01-01&fields=tags"


class Hammer:
    """Clients that request every path in turn until told to stop, noting each failure and every version seen."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.versions: set[str] = set()
        self.done = threading.Event()
        self.requests = 0

    def run(self, base: str, paths: list[str]) -> None:
        with httpx.Client(base_url=base, timeout=10) as client:
            while not self.done.is_set():
                for path in paths:
                    try:
                        response = client.get(path)
                    except httpx.HTTPError as exc:
                        self.failures.append(f"{path}: {type(exc).__name__} {exc}")
                        continue
                    self.requests += 1
                    self.check(path, response)

    def check(self, path: str, response: httpx.Response) -> None:
        if response.status_code != 200:
            self.failures.append(f"{path}: HTTP {response.status_code} {response.text[:200]}")
        elif path == "/probe":
            body = response.json()
            self.versions.add(body["version"])
            if problem := half_loaded(body):
                self.failures.append(f"half-loaded catalog {body['version']}: {problem}")
        elif path == LISTING:  # the real API: one page holding every program of one generation
            body = response.json()
            generations = {tag for r in body["results"] for tag in r["tags"]}
            if len(body["results"]) != body["total"] or len(generations) != 1:
                self.failures.append(f"API mixed: {body['total']} total, generations {sorted(generations)}")


def rewrite_valid(catalog: Path, control: httpx.Client, n: int) -> None:
    """Write generation n, wait until it is served, and check it is served whole."""
    text, count = generation(n)
    write(catalog, text, replace=n % 4 == 1)
    served = wait_for(partial(serves, control, n), 10)
    assert served, f"rewrite {n} was not served"
    assert control.get("/probe").json()["total"] == count


def rewrite_invalid(catalog: Path, control: httpx.Client, n: int) -> None:
    """Write an invalid catalog, wait until it is refused, then check the last good one is still served."""
    text = invalid(n)
    write(catalog, text, replace=n % 4 == 0)
    refused = wait_for(partial(refuses, control, digest(text)), 10)
    assert refused, f"rewrite {n} was not refused"
    errors = control.get("/readyz").json()["rejected"]["errors"]
    assert [(e["line"], e["field"]) for e in errors] == [(32, "programs[1].scope")]
    assert control.get("/probe").json()["records"][0]["tags"] == [f"gen-{n - 1}"]


@pytest.mark.slow
def test_twenty_rewrites_under_load_fail_no_request_and_never_serve_half_a_catalog(tmp_path: Path) -> None:
    catalog = tmp_path / "programs.yaml"
    catalog.write_text(generation(0)[0])
    app = create_app(watch_settings(tmp_path, catalog))
    add_probe(app)
    hammer = Hammer()
    with serving(app) as base, httpx.Client(base_url=base, timeout=10) as control:
        paths = ["/probe", LISTING, "/?q=program", "/api/v1/programs.csv", "/readyz"]
        threads = [threading.Thread(target=hammer.run, args=(base, paths)) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            for n in range(1, 21):
                if n % 2:
                    rewrite_valid(catalog, control, n)
                else:
                    rewrite_invalid(catalog, control, n)
        finally:
            hammer.done.set()
            for t in threads:
                t.join(30)
    assert hammer.failures == []
    assert len(hammer.versions) >= 8, hammer.versions  # the clients saw the catalog change under them
    assert hammer.requests > 200


def test_collection_resumes_after_a_load_even_one_that_failed() -> None:
    import gc

    from app.live.loading import gc_paused

    assert gc.isenabled()
    with pytest.raises(ValueError), gc_paused():
        assert not gc.isenabled()  # paused while a catalog loads
        raise ValueError("a load that failed")
    assert gc.isenabled()
