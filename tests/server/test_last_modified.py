"""Last-Modified beside every ETag: If-Modified-Since gives a 304 when no If-None-Match is sent (RFC 9110)."""

from __future__ import annotations

import datetime as dt
import email.utils
from pathlib import Path

from app.main import create_app
from tests.support.app import Client, make_settings, running, wait_until
from tests.support.edits import TEXT, edited

TOKEN = "s3cret"
TAGGED = (
    "/api/v1/programs",
    "/api/v1/programs?q=women&per_page=2",
    "/api/v1/programs/pmg",
    "/api/v1/programs/pmg/similar",
    "/api/v1/programs.csv",
    "/api/v1/programs.ndjson",
    "/api/v1/vocabularies",
    "/api/v1/catalog",
    "/api/v1/suggest?q=lea",
    "/api/v1/snapshots",
    "/feed.xml",
    "/sitemap.xml",
    "/robots.txt",
)


def dated(c: Client, url: str, **headers: str) -> tuple[int, str]:
    response = c.get(url, headers=headers)
    return response.status_code, response.headers.get("last-modified", "")


def test_every_tagged_answer_is_dated_and_if_modified_since_gives_304(tmp_path: Path) -> None:
    with running(create_app(make_settings(tmp_path))) as c:
        loaded = dt.datetime.fromisoformat(c.get("/api/v1/catalog").json()["loaded_at"])
        midnight = dt.datetime.combine(dt.date.today(), dt.time()).astimezone(dt.UTC)
        for url in TAGGED:
            for _ in range(2):  # the second answer comes from the response cache
                first = c.get(url)
                assert first.status_code == 200 and first.headers["etag"], url
                when = email.utils.parsedate_to_datetime(first.headers["last-modified"])
                assert when == max(loaded, midnight).replace(microsecond=0), url
                stamp = first.headers["last-modified"]
                assert dated(c, url, **{"If-Modified-Since": stamp}) == (304, stamp), url
                later = email.utils.format_datetime(when + dt.timedelta(days=1), usegmt=True)
                assert dated(c, url, **{"If-Modified-Since": later})[0] == 304, url
                earlier = email.utils.format_datetime(when - dt.timedelta(seconds=1), usegmt=True)
                assert dated(c, url, **{"If-Modified-Since": earlier})[0] == 200, url
                # If-None-Match takes precedence: a tag not held is a 200 whatever the date
                assert dated(c, url, **{"If-None-Match": '"other"', "If-Modified-Since": stamp})[0] == 200, url
                assert dated(c, url, **{"If-Modified-Since": "not a date"})[0] == 200, url


def test_a_new_load_moves_last_modified_on(tmp_path: Path) -> None:
    catalog = tmp_path / "programs.yaml"
    catalog.write_text(TEXT)
    with running(create_app(make_settings(tmp_path, catalog=catalog, admin_token=TOKEN))) as c:
        stamp = c.get("/api/v1/programs").headers["last-modified"]
        # HTTP dates count whole seconds: load the next version in a later second than the first
        next_second = email.utils.parsedate_to_datetime(stamp) + dt.timedelta(seconds=1)
        assert wait_until(lambda: dt.datetime.now(dt.UTC) >= next_second, seconds=3)
        catalog.write_text(edited())
        assert c.post("/api/v1/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        newer = c.get("/api/v1/programs", headers={"If-Modified-Since": stamp})
        assert newer.status_code == 200 and newer.headers["last-modified"] != stamp


def test_a_cleared_rejection_moves_the_catalogs_last_modified_on(tmp_path: Path) -> None:
    catalog = tmp_path / "programs.yaml"
    catalog.write_text(TEXT)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with running(create_app(make_settings(tmp_path, catalog=catalog, admin_token=TOKEN))) as c:
        catalog.write_text(TEXT + "\nnot_a_header_field: 1\n")
        assert c.post("/api/v1/admin/reload", headers=auth).status_code == 422
        refused = c.get("/api/v1/catalog")
        stamp = refused.headers["last-modified"]
        assert refused.json()["rejected"] is not None
        next_second = email.utils.parsedate_to_datetime(stamp) + dt.timedelta(seconds=1)
        assert wait_until(lambda: dt.datetime.now(dt.UTC) >= next_second, seconds=3)
        catalog.write_text(TEXT)  # the served catalog again: no new load, the rejection is cleared
        assert c.post("/api/v1/admin/reload", headers=auth).status_code == 200
        fixed = c.get("/api/v1/catalog", headers={"If-Modified-Since": stamp})
        assert fixed.status_code == 200 and fixed.json()["rejected"] is None
        assert dated(c, "/api/v1/catalog", **{"If-Modified-Since": fixed.headers["last-modified"]})[0] == 304
