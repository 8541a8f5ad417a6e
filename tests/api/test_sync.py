"""Sync tokens, tombstones and stable paging, in one process (processes: tests/live/test_workers.py)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import httpx
import orjson
import pytest

from app.main import create_app
from tests.support.app import FIXTURE_CATALOG, Client, make_settings, running, serving
from tests.support.edits import TEXT, edited
from tests.support.generations import ENTRY
from tests.support.processes import load
from tests.support.syncclient import Mirror, path_of

TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def reload(c: Client, catalog: Path, text: str, *, allow_removals: bool = False) -> dict[str, object]:
    catalog.write_text(text)
    answer = c.post("/api/v1/admin/reload" + ("?allow_removals=true" if allow_removals else ""), headers=AUTH)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


@pytest.fixture
def app(tmp_path: Path) -> object:
    catalog = tmp_path / "programs.yaml"
    catalog.write_text(TEXT)
    with running(create_app(make_settings(tmp_path, catalog=catalog, admin_token=TOKEN))) as c:
        yield c, catalog


def test_since_a_token_lists_exactly_what_changed_and_what_left(app: tuple[Client, Path]) -> None:
    c, catalog = app
    first = c.get("/api/v1/programs?per_page=100").json()
    assert first["total"] == 8 and first["sync_token"]
    nothing = c.get("/api/v1/programs", params={"since": first["sync_token"]}).json()
    assert (nothing["total"], nothing["results"], nothing["removed"]) == (0, [], [])
    assert nothing["sync_token"] == first["sync_token"]
    loaded = reload(c, catalog, edited())
    assert loaded["catalog"]["seq"] == 2 and loaded["sync_token"] != first["sync_token"]  # type: ignore[index]
    since = c.get("/api/v1/programs", params={"since": first["sync_token"]})
    body = since.json()
    assert sorted(r["id"] for r in body["results"]) == ["aaa-new", "elam"]
    assert [r["id"] for r in body["removed"]] == ["pmg"]
    assert body["sync_token"] == loaded["sync_token"] == since.headers["sync-token"]
    again = c.get("/api/v1/programs", params={"since": body["sync_token"]}).json()
    assert (again["total"], again["removed"]) == (0, [])


def test_a_token_the_database_never_issued_is_refused(app: tuple[Client, Path]) -> None:
    c, _ = app
    token = c.get("/api/v1/programs").json()["sync_token"]
    epoch, seq = token.split("-")
    for bad in (f"{epoch}-{int(seq) + 5}", f"{'0' * 16}-{seq}"):  # a load not made yet; another database's token
        gone = c.get("/api/v1/programs", params={"since": bad})
        assert gone.status_code == 409 and gone.json()["type"].endswith("/sync-token-unknown")
    for garbage in ("x", "bm90LWEtdG9rZW4", "%00", f"{epoch}.{seq}"):
        refused = c.get("/api/v1/programs", params={"since": garbage})
        assert refused.status_code == 400 and refused.json()["param"] == "since"
    for narrowing in ({"q": "women"}, {"has_link": "true"}, {"career_stage": "trainee"}):
        combined = c.get("/api/v1/programs", params={"since": token, **narrowing})
        assert combined.status_code == 400 and "whole catalog" in combined.json()["detail"], narrowing
        assert next(iter(narrowing)) in combined.json()["detail"]


def test_a_replica_that_has_not_caught_up_answers_503_not_nothing_changed(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    load(database, FIXTURE_CATALOG, tmp_path)
    slow = make_settings(tmp_path / "slow", database_url=database, follow=True, follow_poll_seconds=3600)
    with running(create_app(slow)) as replica:
        old = replica.get("/api/v1/programs").json()
        newer = tmp_path / "edited.yaml"
        newer.write_text(edited())
        load(database, newer, tmp_path)  # the leader's next load; this replica polls once an hour
        fresh = make_settings(tmp_path / "fresh", database_url=database, follow=True)
        with running(create_app(fresh)) as caught_up:
            token = caught_up.get("/api/v1/programs").json()["sync_token"]
            page2 = caught_up.get("/api/v1/programs?per_page=2&page=2").json()["links"]["self"]
        behind = replica.get("/api/v1/programs", params={"since": token})
        assert behind.status_code == 503 and int(behind.headers["retry-after"]) >= 1
        assert behind.json()["type"].endswith("/catalog-catching-up")
        assert replica.get(path_of(page2)).status_code == 503  # a page of a version it will serve soon
        assert replica.get("/api/v1/programs", params={"since": old["sync_token"]}).json()["total"] == 0


def test_ndjson_exports_carry_removals_as_tombstones_and_the_token(app: tuple[Client, Path]) -> None:
    c, catalog = app
    full = c.get("/api/v1/programs.ndjson")
    token = full.headers["sync-token"]
    assert full.headers["catalog-version"] == c.get("/api/v1/catalog").json()["version"]
    reload(c, catalog, edited())
    for params in ({"since": token}, {"updated_since": "2000-01-01"}):
        lines = [orjson.loads(x) for x in c.get("/api/v1/programs.ndjson", params=params).content.splitlines()]
        tombstones = [x for x in lines if x.get("removed") is True]
        assert [(t["id"], sorted(t)) for t in tombstones] == [("pmg", ["id", "removed", "removed_at"])]
        assert lines[-1] == tombstones[-1]  # after the records
    since = [
        orjson.loads(x)["id"] for x in c.get("/api/v1/programs.ndjson", params={"since": token}).content.splitlines()
    ]
    assert sorted(since) == ["aaa-new", "elam", "pmg"]
    assert not any(b'"removed":true' in x for x in c.get("/api/v1/programs.ndjson").content.splitlines())
    csv_head = c.get("/api/v1/programs.csv", params={"since": token})
    assert csv_head.headers["sync-token"] == c.get("/api/v1/programs").json()["sync_token"]
    assert len(csv_head.text.splitlines()) == 3  # the header and the two changed programs


def test_a_walk_through_pages_interrupted_by_a_load_gets_409_and_restarts_on_one_version(
    app: tuple[Client, Path],
) -> None:
    c, catalog = app
    first = c.get("/api/v1/programs?per_page=3").json()
    nxt = first["links"]["next"]
    assert f"version={first['version']}" in nxt and f"version={first['version']}" in first["links"]["self"]
    reload(c, catalog, edited())  # a program that sorts first arrives between page 1 and page 2
    changed = c.get(path_of(nxt))
    assert changed.status_code == 409 and changed.headers["content-type"] == "application/problem+json"
    problem = changed.json()
    current = c.get("/api/v1/catalog").json()["version"]
    assert problem["type"].endswith("/catalog-changed") and problem["current_version"] == current
    seen: list[str] = []
    url: str | None = path_of(problem["links"]["restart"])
    while url:
        body = c.get(url).json()
        assert body["version"] == current
        seen += [r["id"] for r in body["results"]]
        url = path_of(body["links"]["next"]) if body["links"]["next"] else None
    everything = [r["id"] for r in c.get("/api/v1/programs?per_page=100").json()["results"]]
    assert seen == everything and len(seen) == 8 and "aaa-new" in seen


def test_a_mirror_synced_across_loads_equals_the_export(app: tuple[Client, Path]) -> None:
    c, catalog = app
    mirror = Mirror(c.get)
    mirror.converge()
    reload(c, catalog, edited())
    mirror.converge()
    assert "pmg" not in mirror.records and "aaa-new" in mirror.records
    reload(c, catalog, TEXT)  # back to the first content: a later load, so a later token
    mirror.converge()
    assert "pmg" in mirror.records and "aaa-new" not in mirror.records


def test_removals_are_paged_with_the_programs_so_a_walk_lists_each_once(tmp_path: Path) -> None:
    def text(kept: range, gen: int) -> str:
        return "programs:\n" + "".join(ENTRY.format(i=i, gen=gen) for i in kept)

    catalog = tmp_path / "programs.yaml"
    catalog.write_text(text(range(40), 0))
    with running(create_app(make_settings(tmp_path, catalog=catalog, admin_token=TOKEN))) as c:
        mirror = Mirror(c.get, per_page=4)  # asserts that no walk lists a removal twice
        mirror.converge()
        token = mirror.token
        reload(c, catalog, text(range(31, 40), 1), allow_removals=True)  # 31 removed (confirmed), the other 9 changed

        for params in ({"since": token}, {"updated_since": "2000-01-01"}):
            url: str | None = "/api/v1/programs?" + urlencode({**params, "per_page": "4"})
            removed: list[str] = []
            pages = 0
            while url:
                body = c.get(url).json()
                assert len(body["removed"]) <= 4 and body["pages"] == 8  # 31 removals at 4 a page
                removed += [r["id"] for r in body["removed"]]
                pages += 1
                url = path_of(body["links"]["next"]) if body["links"]["next"] else None
            assert pages == 8 and sorted(removed) == sorted(f"p{i}" for i in range(31)), params
            assert len(removed) == len(set(removed))
        mirror.converge()
        assert sorted(mirror.records) == sorted(f"p{i}" for i in range(31, 40))


@pytest.mark.slow
def test_an_export_streamed_across_a_load_holds_one_version(tmp_path: Path) -> None:
    def text(gen: int) -> str:
        return "programs:\n" + "".join(ENTRY.format(i=i, gen=gen) for i in range(2000))

    catalog = tmp_path / "programs.yaml"
    catalog.write_text(text(0))
    with serving(create_app(make_settings(tmp_path, catalog=catalog, admin_token=TOKEN))) as base:
        with httpx.stream("GET", f"{base}/api/v1/programs.ndjson") as export:
            version = export.headers["catalog-version"]
            chunks = export.iter_bytes()
            received = next(chunks)
            catalog.write_text(text(1))  # every program changes
            loaded = httpx.post(f"{base}/api/v1/admin/reload", headers=AUTH, timeout=60).json()
            assert loaded["catalog"]["version"] != version
            rest = b"".join(chunks)
        assert rest  # the load finished while the stream was still being sent
        lines = [orjson.loads(line) for line in (received + rest).splitlines()]
        assert len(lines) == 2000 and {line["tags"][0] for line in lines} == {"gen-0"}
        after = httpx.get(f"{base}/api/v1/programs.ndjson")
        assert after.headers["catalog-version"] == loaded["catalog"]["version"]
        assert {orjson.loads(line)["tags"][0] for line in after.content.splitlines()} == {"gen-1"}
