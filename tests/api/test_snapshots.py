"""Dated snapshots of the whole catalog: resumable downloads with a checksum, and a sync that continues from one."""

from __future__ import annotations

import base64
import gzip
import hashlib
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from app.live.dumps import SUFFIX
from app.main import create_app
from tests.support.app import Client, make_settings, running, serving
from tests.support.edits import TEXT, edited
from tests.support.syncclient import Mirror

TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def records_of(data: bytes) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in gzip.decompress(data).splitlines()]


@pytest.fixture
def app(tmp_path: Path) -> Any:
    catalog = tmp_path / "programs.yaml"
    catalog.write_text(TEXT)
    with running(create_app(make_settings(tmp_path, catalog=catalog, admin_token=TOKEN, snapshots_kept=2))) as c:
        yield c, catalog


def test_a_snapshot_downloads_resumably_and_matches_its_checksum(tmp_path: Path) -> None:
    with serving(create_app(make_settings(tmp_path))) as base, httpx.Client(base_url=base) as http:
        listing = http.get("/api/v1/snapshots").json()
        programs = http.get("/api/v1/programs?status=active,ended,unverified&per_page=100").json()
        [snap] = listing["snapshots"]
        assert snap["sync_token"] == programs["sync_token"] and snap["records"] == programs["total"] == 8
        latest = http.get("/api/v1/snapshots/latest.ndjson.gz")
        assert latest.status_code == 302 and latest.headers["location"] == snap["url"]
        head = http.head(snap["url"])
        assert head.status_code == 200 and head.content == b""
        assert (head.headers["content-length"], head.headers["accept-ranges"]) == (str(snap["bytes"]), "bytes")
        tag = head.headers["etag"]
        assert not tag.startswith("W/") and head.headers["last-modified"]
        digest = base64.b64encode(bytes.fromhex(snap["sha256"])).decode()
        assert head.headers["repr-digest"] == f"sha-256=:{digest}:"

        # a download cut off after its first bytes, then resumed where it stopped, in several ranges
        with http.stream("GET", snap["url"], headers={"Accept-Encoding": "identity"}) as cut:
            got = next(cut.iter_raw(500))
        assert 0 < len(got) < snap["bytes"]
        third = (snap["bytes"] - len(got)) // 3
        ends = [len(got) + third - 1, len(got) + 2 * third - 1]
        for first, last in zip([len(got), ends[0] + 1], ends, strict=True):
            part = http.get(snap["url"], headers={"Range": f"bytes={first}-{last}", "If-Range": tag})
            assert part.status_code == 206, part.text
            assert part.headers["content-range"] == f"bytes {first}-{last}/{snap['bytes']}"
            got += part.content
        rest = http.get(snap["url"], headers={"Range": f"bytes={len(got)}-", "If-Range": tag})
        assert rest.status_code == 206 and rest.headers["content-length"] == str(snap["bytes"] - len(got))
        got += rest.content
        assert hashlib.sha256(got).hexdigest() == snap["sha256"] and len(got) == snap["bytes"]
        lines = records_of(got)
        assert [r["id"] for r in lines] == sorted(r["id"] for r in programs["results"])
        api = {r["id"]: {k: v for k, v in r.items() if k != "links"} for r in programs["results"]}
        assert {r["id"]: r for r in lines} == api  # the API's records, as the NDJSON export gives them


def test_ranges_and_validators_answer_as_http_says(app: tuple[Client, Path]) -> None:
    c, _ = app
    snap = c.get("/api/v1/snapshots").json()["snapshots"][0]
    url, size = snap["url"], snap["bytes"]
    whole = c.get(url)
    tag, dated = whole.headers["etag"], whole.headers["last-modified"]
    assert c.get(url, headers={"Range": "bytes=-10"}).content == whole.content[-10:]
    past = c.get(url, headers={"Range": f"bytes={size}-"})
    assert past.status_code == 416 and past.headers["content-range"] == f"bytes */{size}"
    assert past.headers["content-type"] == "application/problem+json"
    stale = c.get(url, headers={"Range": "bytes=0-9", "If-Range": '"another-file"'})
    assert stale.status_code == 200 and stale.content == whole.content  # not a piece of another file
    assert c.get(url, headers={"Range": "bytes=0-9", "If-Range": dated}).status_code == 206
    assert c.get(url, headers={"Range": "bytes=0-9,20-29"}).content == whole.content  # several: the whole file
    huge = "9" * 5000  # past Python's int() digit limit
    assert c.get(url, headers={"Range": f"bytes={huge}-"}).status_code == 416
    assert c.get(url, headers={"Range": f"bytes=0-{huge}"}).content == whole.content
    assert c.get(url, headers={"Range": f"bytes=-{huge}"}).content == whole.content
    assert c.get(url, headers={"Range": f"bytes={'0' * 5000}1-9"}).content == whole.content[1:10]
    assert c.get(url, headers={"If-None-Match": tag}).status_code == 304
    assert c.get(url, headers={"If-Modified-Since": dated}).status_code == 304
    assert c.get(url, headers={"If-None-Match": '"x"', "If-Modified-Since": dated}).status_code == 200
    unknown = c.get("/api/v1/snapshots/2020-01-01-0123456789abcdef-0123456789abcdef-1.ndjson.gz")
    assert unknown.status_code == 404 and unknown.json()["type"].endswith("/unknown-snapshot")
    assert c.get("/api/v1/snapshots/..%2Fdb.sqlite.ndjson.gz").status_code in (400, 404)


def test_a_snapshot_then_since_reaches_what_a_full_sync_reaches(app: tuple[Client, Path]) -> None:
    c, catalog = app
    first = c.get("/api/v1/snapshots").json()["snapshots"][0]
    copy = Mirror(c.get)
    copy.records = {r["id"]: r for r in records_of(c.get(first["url"]).content)}
    copy.token = first["sync_token"]
    catalog.write_text(edited())
    assert c.post("/api/v1/admin/reload", headers=AUTH).status_code == 200
    copy.sync()
    full = Mirror(c.get)
    full.sync()
    assert copy.token == full.token
    strip = {pid: {k: v for k, v in r.items() if k != "links"} for pid, r in full.records.items()}
    assert {pid: {k: v for k, v in r.items() if k != "links"} for pid, r in copy.records.items()} == strip
    assert "pmg" not in copy.records and "aaa-new" in copy.records
    listed = c.get("/api/v1/snapshots").json()["snapshots"]
    assert [s["sync_token"] for s in listed] == [full.token, first["sync_token"]]  # newest first
    catalog.write_text(edited().replace("AAA New Program", "AAA Newer Program"))
    assert c.post("/api/v1/admin/reload", headers=AUTH).status_code == 200
    kept = c.get("/api/v1/snapshots").json()["snapshots"]
    assert [s["name"] for s in kept[1:]] == [listed[0]["name"]]  # snapshots_kept=2: the oldest pruned
    assert c.get(first["url"]).status_code == 404


def test_every_worker_and_replica_writes_the_same_bytes(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    with running(create_app(make_settings(tmp_path / "leader", database_url=database))) as leader:
        mine = leader.get("/api/v1/snapshots").json()["snapshots"][0]
        replica = make_settings(tmp_path / "replica", database_url=database, follow=True)
        with running(create_app(replica)) as other:
            theirs = other.get("/api/v1/snapshots").json()["snapshots"][0]
            assert other.get(theirs["url"]).content == leader.get(mine["url"]).content
    assert (theirs["name"], theirs["sha256"]) == (mine["name"], mine["sha256"])


def test_a_rebuilt_database_lists_and_serves_only_its_own_snapshots(tmp_path: Path) -> None:
    index = tmp_path / "index"  # the same index folder; the same day, catalog version and sequence number
    with running(create_app(make_settings(tmp_path, index_dir=index))) as before:
        old = before.get("/api/v1/snapshots").json()["snapshots"][0]
        made = records_of(before.get(old["url"]).content)[0]["created_at"]
    fresh = make_settings(tmp_path, index_dir=index, database_url=f"sqlite:///{tmp_path / 'rebuilt.sqlite'}")
    with running(create_app(fresh)) as after:
        token = after.get("/api/v1/programs").json()["sync_token"]
        [new] = after.get("/api/v1/snapshots").json()["snapshots"]
        assert new["sync_token"] == token != old["sync_token"] and new["name"] != old["name"]
        assert after.get(f"/api/v1/programs?since={new['sync_token']}").status_code == 200
        assert after.get(f"/api/v1/programs?since={old['sync_token']}").status_code == 409
        assert after.get(old["url"]).status_code == 404  # the old database's file, pruned
        latest = after.get("/api/v1/snapshots/latest.ndjson.gz")
        assert latest.headers["location"] == new["url"]
        assert records_of(after.get(new["url"]).content)[0]["created_at"] != made  # this database's records
    assert sorted(p.name for p in index.glob("snapshot-*")) == [f"snapshot-{new['name']}{s}" for s in (".json", SUFFIX)]


LICENSED = TEXT.replace(
    "programs:\n",
    "license:\n  name: CC BY 4.0\n  url: https://creativecommons.org/licenses/by/4.0/\n"
    'citation: "Test Directory. After Cree-Green M, et al. J Investig Med 2020. doi:10.1136/jim-2020-001391."\n'
    "programs:\n",
    1,
)


def test_the_licence_and_citation_come_with_the_catalog_and_its_snapshots(tmp_path: Path) -> None:
    catalog = tmp_path / "programs.yaml"
    catalog.write_text(LICENSED)
    with running(create_app(make_settings(tmp_path, catalog=catalog, admin_token=TOKEN))) as c:
        info = c.get("/api/v1/catalog").json()
        licence = {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
        assert info["license"] == licence
        day = info["loaded_at"][:10]
        assert info["citation"] == (
            "Test Directory. After Cree-Green M, et al. J Investig Med 2020. doi:10.1136/jim-2020-001391. "
            f"Catalog version {info['version']}, {day}."
        )
        listing = c.get("/api/v1/snapshots").json()
        assert (listing["license"], listing["citation"]) == (licence, info["citation"])
        catalog.write_text(TEXT)  # the licence taken out of the file: a change of its own, with a new load
        assert c.post("/api/v1/admin/reload", headers=AUTH).status_code == 200
        assert (c.get("/api/v1/catalog").json()["license"], c.get("/api/v1/catalog").json()["citation"]) == (None, None)
