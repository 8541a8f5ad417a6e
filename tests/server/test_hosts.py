"""Host names: a base URL keeps the Host a client sent out of every link; trusted hosts refuse other names."""

from __future__ import annotations

import json
from pathlib import Path

from bs4 import BeautifulSoup

from app.main import create_app
from tests.support.app import make_settings, running

PUBLIC = "https://directory.example.org"


def test_with_a_base_url_no_link_names_the_host_a_client_sent(tmp_path: Path) -> None:
    with running(create_app(make_settings(tmp_path, base_url=PUBLIC))) as c:
        evil = {"Host": "evil.example"}
        page = c.get("/api/v1/programs?per_page=2", headers=evil)
        body = page.json()
        links = [body["links"]["self"], body["links"]["next"], *(r["links"]["self"] for r in body["results"])]
        assert all(link.startswith(PUBLIC + "/") for link in links), links
        assert "evil" not in page.headers["link"] and PUBLIC in page.headers["link"]
        feed = c.get("/feed.xml", headers=evil).text
        assert "evil.example" not in feed and f"{PUBLIC}/programs/" in feed
        html = c.get("/programs/elam", headers=evil | {"Accept": "text/html"}).text
        ld = json.loads(BeautifulSoup(html, "html.parser").find("script", type="application/ld+json").string)
        assert "evil" not in json.dumps(ld) and json.dumps(ld).count(PUBLIC) >= 1
        redirect = c.get("/api/v1/programs/", headers=evil)
        assert redirect.status_code in (307, 308) and redirect.headers["location"].startswith(PUBLIC + "/")


def test_trusted_hosts_refuse_others_but_the_health_checks_answer_any(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, base_url=PUBLIC, trusted_hosts="directory.example.org")
    with running(create_app(settings)) as c:
        assert c.get("/api/v1/programs", headers={"Host": "evil.example"}).status_code == 400
        assert c.get("/api/v1/programs", headers={"Host": "directory.example.org"}).status_code == 200
        for path in ("/healthz", "/readyz"):  # what a container's HEALTHCHECK asks, on 127.0.0.1
            assert c.get(path, headers={"Host": "127.0.0.1:8000"}).status_code == 200
