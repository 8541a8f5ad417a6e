"""The API's sharp edges, each as a client meets it: metrics, CORS, Host names, CSV cells, admin throttling."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import httpx
from bs4 import BeautifulSoup

from app.catalog.export import csv_cell
from app.main import create_app
from tests.conftest import FIXTURE_CATALOG, Client, make_settings, running

PUBLIC = "https://directory.example.org"


def test_made_up_http_methods_do_not_grow_the_metrics(client: Client) -> None:
    for i in range(150):
        assert client.request(f"BREW{i}", "/api/v1/programs").status_code == 405
    text = client.get("/metrics").text
    methods = set(re.findall(r'mentordir_requests_total\{[^}]*method="([^"]+)"', text))
    assert methods == {"other"}  # this GET is counted once answered
    other = re.search(r'mentordir_requests_total\{[^}]*method="other"[^}]*\} (\S+)', text)
    assert other is not None and float(other.group(1)) == 150.0


def test_cors_preflight_allows_conditional_requests_and_exposes_the_sync_headers(client: Client) -> None:
    preflight = client.options(
        "/api/v1/programs",
        headers={
            "Origin": "https://intranet.example.edu",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match, X-Request-ID",
        },
    )
    assert preflight.status_code == 200
    allowed = {h.strip().lower() for h in preflight.headers["access-control-allow-headers"].split(",")}
    assert {"if-none-match", "x-request-id"} <= allowed
    get = client.get("/api/v1/programs?per_page=2", headers={"Origin": "https://intranet.example.edu"})
    exposed = {h.strip().lower() for h in get.headers["access-control-expose-headers"].split(",")}
    assert {"etag", "link", "retry-after", "sync-token", "catalog-version", "x-request-id"} <= exposed


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


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralized(tmp_path: Path) -> None:
    text = FIXTURE_CATALOG.read_text().replace("sponsor: Test University", 'sponsor: =HYPERLINK("http://x")', 1)
    catalog = tmp_path / "programs.yaml"
    catalog.write_text(text.replace("duration: One year", "duration: '-1+2'", 1))
    with running(create_app(make_settings(tmp_path, catalog=catalog))) as c:
        rows = list(csv.DictReader(io.StringIO(c.get("/api/v1/programs.csv").text)))
        elam = next(r for r in rows if r["id"] == "elam")
        assert elam["sponsor"] == '\'=HYPERLINK("http://x")' and elam["duration"] == "'-1+2"
        assert c.get("/api/v1/programs/elam").json()["sponsor"] == '=HYPERLINK("http://x")'  # JSON is unchanged
    assert [csv_cell(v) for v in ("@SUM(A1)", "+1", "\tx", "a-b", ["-x", "y"], None)] == [
        "'@SUM(A1)",
        "'+1",
        "'\tx",
        "a-b",
        "'-x;y",
        "",
    ]


def test_wrong_admin_tokens_are_throttled_per_address(tmp_path: Path) -> None:
    application = create_app(make_settings(tmp_path, admin_token="right-token"))
    with running(application) as c:
        for _ in range(10):
            assert c.post("/api/v1/admin/reload", headers={"Authorization": "Bearer wrong"}).status_code == 401
        throttled = c.post("/api/v1/admin/reload", headers={"Authorization": "Bearer wrong"})
        assert throttled.status_code == 429 and 1 <= int(throttled.headers["retry-after"]) <= 60
        assert throttled.json()["type"].endswith("/too-many-attempts")
        # Even the right token waits: otherwise a throttled guesser could still tell a hit from a miss.
        assert c.post("/api/v1/admin/reload", headers={"Authorization": "Bearer right-token"}).status_code == 429
        elsewhere = httpx.ASGITransport(app=application, client=("192.0.2.7", 4000))
        c._client._transport = elsewhere  # type: ignore[attr-defined]
        assert c.post("/api/v1/admin/reload", headers={"Authorization": "Bearer right-token"}).status_code == 200
