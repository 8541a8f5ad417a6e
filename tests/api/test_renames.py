"""A renamed program (`replaces` in the catalog), on a real server: old links answer 301 to the new page and
record in one hop, and a syncing client is told `replaced_by`, never a removal, and ends as a fresh sync does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import orjson

from app.main import create_app
from tests.support.app import FIXTURE_CATALOG, make_settings, running, serving, wait_until
from tests.support.edits import TEXT
from tests.support.processes import load
from tests.support.syncclient import Mirror

TOKEN = "s3cret"


def renamed(text: str, old: str, new: str, *replaced: str) -> str:
    """The catalog with entry `old` now under id `new`, replacing the ids given."""
    line = f"  - id: {new}\n" + (f"    replaces: [{', '.join(replaced)}]\n" if replaced else "")
    assert f"  - id: {old}\n" in text
    return text.replace(f"  - id: {old}\n", line, 1)


def without(text: str, pid: str) -> str:
    """The catalog without entry `pid` (a plain removal)."""
    start = text.index(f"  - id: {pid}\n")
    end = text.find("  - id: ", start + 1)
    return text[:start] + (text[end:] if end != -1 else "")


@contextmanager
def server(tmp_path: Path) -> Iterator[tuple[httpx.Client, Callable[[str], None]]]:
    """A real server on the fixture catalog, a client that does not follow redirects, and a reload of a new text."""
    catalog = tmp_path / "programs.yaml"
    catalog.write_text(TEXT)
    settings = make_settings(tmp_path, catalog=catalog, admin_token=TOKEN, base_url="https://mentors.example")
    with serving(create_app(settings)) as base, httpx.Client(base_url=base, follow_redirects=False) as http:

        def reload(text: str) -> None:
            catalog.write_text(text)
            answer = http.post("/api/v1/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
            assert answer.status_code == 200, answer.text

        yield http, reload


def test_a_renamed_program_redirects_and_syncs_as_a_move(tmp_path: Path) -> None:
    with server(tmp_path) as (http, reload):
        mirror = Mirror(http.get)
        mirror.converge()
        before = mirror.token
        assert "elam" in mirror.records
        reload(renamed(TEXT, "elam", "elam-leadership", "elam"))

        page = http.get("/programs/elam?compare=kl2", headers={"Accept": "text/html"})
        assert page.status_code == 301
        assert page.headers["location"] == "https://mentors.example/programs/elam-leadership?compare=kl2"
        new_page = http.get("/programs/elam-leadership?compare=kl2")
        assert new_page.status_code == 200 and "Executive Leadership in Academic Medicine" in new_page.text
        assert "replaces" not in new_page.text  # a curator's field, not the reader's
        record = http.get("/api/v1/programs/elam", params={"fields": "name"})
        assert record.status_code == 301 and record.headers["content-type"] == "application/problem+json"
        assert record.headers["location"] == "https://mentors.example/api/v1/programs/elam-leadership?fields=name"
        assert record.json()["replaced_by"] == "elam-leadership"
        assert (
            http.get("/api/v1/programs/elam/similar")
            .headers["location"]
            .endswith("/api/v1/programs/elam-leadership/similar")
        )
        moved = http.get("/api/v1/programs/elam-leadership").json()
        assert moved["id"] == "elam-leadership" and moved["replaces"] == ["elam"]

        since = http.get("/api/v1/programs", params={"since": before, "per_page": 100}).json()
        assert [r["id"] for r in since["results"]] == ["elam-leadership"]
        [gone] = since["removed"]
        assert gone["id"] == "elam" and gone["replaced_by"] == "elam-leadership"
        assert gone["replaced_at"] == gone["removed_at"]
        lines = [
            orjson.loads(x) for x in http.get("/api/v1/programs.ndjson", params={"since": before}).content.splitlines()
        ]
        assert [x["id"] for x in lines] == ["elam-leadership", "elam"]
        assert lines[1]["replaced_by"] == "elam-leadership" and lines[1]["removed"] is True

        mirror.converge()
        assert mirror.moved == {"elam": "elam-leadership"}
        fresh = Mirror(http.get)
        fresh.converge()
        assert mirror.records == fresh.records and "elam" not in mirror.records


def test_a_renamed_again_program_is_one_hop_away_and_a_removal_once_it_leaves(tmp_path: Path) -> None:
    with server(tmp_path) as (http, reload):
        mirror = Mirror(http.get)
        mirror.converge()
        reload(renamed(TEXT, "elam", "elam-leadership", "elam"))
        mirror.converge()
        # Renamed again, naming only the last id: both old ids end at the newest in one hop.
        reload(renamed(TEXT, "elam", "elam-2", "elam-leadership"))  # the curator changes the id and its replaces
        for old in ("elam", "elam-leadership"):
            hop = http.get(f"/programs/{old}")
            assert (hop.status_code, hop.headers["location"]) == (301, "https://mentors.example/programs/elam-2")
        assert http.get("/programs/elam-2").status_code == 200
        mirror.converge()
        assert mirror.moved["elam-leadership"] == "elam-2"
        again = Mirror(http.get)
        again.converge()
        assert mirror.records == again.records and "elam-2" in mirror.records

        # The program leaves for good: its old ids are removals now, answered 404 as any unknown id.
        reload(without(TEXT, "elam"))
        for old in ("elam", "elam-leadership", "elam-2"):
            assert http.get(f"/api/v1/programs/{old}").status_code == 404
            assert http.get(f"/programs/{old}", headers={"Accept": "text/html"}).status_code == 404
        mirror.converge()
        assert "elam-2" not in mirror.records


def test_a_replica_follows_a_rename_its_leader_loaded(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    load(database, FIXTURE_CATALOG, tmp_path)
    settings = make_settings(tmp_path / "replica", database_url=database, follow=True, follow_poll_seconds=0.1)
    with running(create_app(settings)) as replica:
        token = replica.get("/api/v1/programs").json()["sync_token"]
        newer = tmp_path / "renamed.yaml"
        newer.write_text(renamed(TEXT, "elam", "elam-2", "elam"))
        load(database, newer, tmp_path)  # the leader's load: the replica reads the rename with the catalog
        assert wait_until(lambda: replica.get("/api/v1/programs/elam").status_code == 301, seconds=10)
        assert replica.get("/programs/elam").headers["location"] == "http://testserver/programs/elam-2"
        since = replica.get("/api/v1/programs", params={"since": token}).json()
        assert [(r["id"], r.get("replaced_by")) for r in since["removed"]] == [("elam", "elam-2")]
