"""Curators' quotes and notes stay in the catalog file: no public page, API answer, export, snapshot or feed carries
them."""

from __future__ import annotations

import gzip
from pathlib import Path

from bs4 import BeautifulSoup

from app.main import create_app
from tests.support.app import make_settings, running
from tests.support.marked_catalog import NOTE_MARK, QUOTE_MARK, catalog

API = "/api/v1"
IDS = ("alpha-leaders", "beta-leaders", "gamma-group", "delta-meeting")
EVERY_STATUS = "status=active,ended,unverified"


def test_no_quote_or_note_reaches_any_public_page_answer_export_or_feed(tmp_path: Path) -> None:
    path = tmp_path / "programs.yaml"
    path.write_text(catalog(ended=True))
    assert QUOTE_MARK in path.read_text() and NOTE_MARK in path.read_text()
    with running(create_app(make_settings(tmp_path, catalog=path))) as c:
        first = c.get(f"{API}/programs?{EVERY_STATUS}").json()
        token = first["sync_token"]
        urls = [
            "/",
            "/?q=leaders",
            "/?q=QUOTEMARKERzq",  # a search for the marker finds nothing and echoes only the query
            "/?include_ended=true",
            "/?include_ended=true&per_page=100",
            f"/compare?ids={','.join(IDS)}",
            f"/compare.csv?ids={','.join(IDS)}",
            "/models",
            "/coverage",
            "/about",
            "/suggest",
            "/feed.xml",
            f"/feed.xml?{EVERY_STATUS}",
            f"{API}/programs",
            f"{API}/programs?{EVERY_STATUS}&per_page=100",
            f"{API}/programs?q=leaders&{EVERY_STATUS}",
            f"{API}/programs?since={token}",
            f"{API}/programs.csv",
            f"{API}/programs.csv?{EVERY_STATUS}",
            f"{API}/programs.ndjson?{EVERY_STATUS}",
            f"{API}/programs.ndjson?since={token}",
            f"{API}/vocabularies",
            f"{API}/catalog",
            f"{API}/suggest?q=lea",
            "/healthz",
            "/readyz",
        ]
        for pid in IDS:
            urls += [f"/programs/{pid}", f"/suggest?program={pid}", f"{API}/programs/{pid}"]
            urls += [f"{API}/programs/{pid}/similar", f"{API}/programs?q={pid.split('-')[0]}&{EVERY_STATUS}"]
        seen = 0
        for url in urls:
            response = c.get(url)
            assert response.status_code == 200, (url, response.status_code, response.text[:300])
            body = response.text.replace("q=QUOTEMARKERzq", "").replace("“QUOTEMARKERzq”", "")
            if "QUOTEMARKERzq" in url:  # the query itself is echoed back: look only at what the results hold
                body = "".join(str(h) for h in BeautifulSoup(body, "html.parser").select("li.hit"))
            assert QUOTE_MARK not in body, url
            assert NOTE_MARK not in body, url
            seen += 1
        # the program pages did show the sources, without their quotes: the test looked where they would be
        page = BeautifulSoup(c.get("/programs/alpha-leaders").text, "html.parser")
        assert "Alpha Leaders Foundation" in page.select_one("ol.sources").get_text()
        record = c.get(f"{API}/programs/alpha-leaders").json()
        assert record["sources"][1]["url"] == "https://example.org/alpha-leaders"
        assert seen == len(urls)
        # nor does the dated snapshot of the whole catalog, which does hold the sources
        listed = c.get(f"{API}/snapshots")
        assert listed.status_code == 200 and QUOTE_MARK not in listed.text and NOTE_MARK not in listed.text
        dump = gzip.decompress(c.get(listed.json()["snapshots"][0]["url"]).content).decode()
        assert "https://example.org/alpha-leaders" in dump
        assert QUOTE_MARK not in dump and NOTE_MARK not in dump
