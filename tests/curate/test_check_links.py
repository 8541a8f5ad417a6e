"""`mentordir check-links` against a local HTTP server: 200, 301, 404, a timeout and a refused connection."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from app.catalog.validate import load_catalog
from app.curate.cli import cli
from app.curate.links import Link, check_links, collect_links
from tests.support.app import FIXTURE_CATALOG
from tests.support.otherorigin import handler_server

runner = CliRunner()
WIDE = {"COLUMNS": "250"}  # rich wraps tables to the terminal; let long URLs stay on one line


class Handler(BaseHTTPRequestHandler):
    in_flight: ClassVar[int] = 0
    most: ClassVar[int] = 0
    hits: ClassVar[dict[str, int]] = {}
    lock: ClassVar[threading.Lock] = threading.Lock()

    def do_GET(self) -> None:
        with Handler.lock:
            Handler.hits[self.path] = Handler.hits.get(self.path, 0) + 1
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the checker gave up on a slow answer
            self.answer()

    def answer(self) -> None:
        if self.path == "/slow":
            time.sleep(1.5)
        if self.path.startswith("/busy"):
            # Counted only while working, before answering: the client cannot send its next request any earlier,
            # and a /slow answer left over from another test is never counted.
            with Handler.lock:
                Handler.in_flight += 1
                Handler.most = max(Handler.most, Handler.in_flight)
            time.sleep(0.5)  # long enough that two requests to one host overlap even on a busy machine
            with Handler.lock:
                Handler.in_flight -= 1
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
        elif self.path == "/flaky" and Handler.hits[self.path] == 1:
            self.send_response(503)
        elif self.path in {"/ok", "/slow", "/flaky"} or self.path.startswith("/busy"):
            self.send_response(200)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Handler.hits, Handler.most = {}, 0
    with handler_server(Handler) as port:
        yield f"http://127.0.0.1:{port}"


def refused_url() -> str:
    """A loopback port with nothing listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def catalog_with(tmp_path: Path, urls: list[str]) -> Path:
    """The fixture catalog with the first programs given these URLs (one more cites the first URL as a source)."""
    text = FIXTURE_CATALOG.read_text()
    lines = text.splitlines(keepends=True)
    out, n = [], 0
    for line in lines:
        out.append(line)
        if line.startswith("    name: ") and n < len(urls):
            out.append(f"    url: {urls[n]}\n")
            n += 1
    path = tmp_path / "catalog.yaml"
    web_page = f"        url: {urls[0]}\n        accessed: 2026-11-01\n        quote: A sentence from the page.\n"
    text = "".join(out).replace("        doi: 10.1136/jim-2020-001391\n", web_page, 1)
    path.write_text(text)
    return path


@pytest.mark.slow
def test_check_links_reports_each_outcome_and_exits_1_on_a_broken_link(server: str, tmp_path: Path) -> None:
    urls = [f"{server}/ok", f"{server}/moved", f"{server}/missing", f"{server}/slow", refused_url(), f"{server}/flaky"]
    catalog = catalog_with(tmp_path, urls)
    args = ["check-links", "--catalog", str(catalog), "--timeout", "0.5", "--retries", "1", "--json"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1, result.output
    by_url = {r["url"]: r for r in json.loads(result.stdout)}
    assert set(by_url) == set(urls)
    ok, moved, missing, slow, refused, flaky = (by_url[u] for u in urls)
    assert (ok["status"], ok["code"], ok["attempts"]) == ("ok", 200, 1)
    assert ok["used_by"] == ["elam (line 4) url", "elam (line 4) sources[0].url"]
    assert (moved["status"], moved["code"], moved["target"], moved["permanent"]) == ("redirect", 301, urls[0], True)
    assert (missing["status"], missing["code"], missing["attempts"]) == ("broken", 404, 1)  # a 404 is not retried
    assert missing["error"] == "HTTP 404 Not Found"
    assert (slow["status"], slow["attempts"], slow["error"]) == ("broken", 2, "timed out after 0.5 s")
    assert (refused["status"], refused["attempts"], refused["error"]) == (
        "broken",
        2,
        "cannot connect: connection refused",
    )
    assert (flaky["status"], flaky["code"], flaky["attempts"]) == ("ok", 200, 2)  # a 503 is retried
    assert Handler.hits["/missing"] == 1 and Handler.hits["/flaky"] == 2


def test_check_links_text_shows_the_redirect_target_and_a_summary(server: str, tmp_path: Path) -> None:
    catalog = catalog_with(tmp_path, [f"{server}/ok", f"{server}/moved", f"{server}/missing"])
    result = runner.invoke(
        cli, ["check-links", "--catalog", str(catalog), "--timeout", "2", "--retries", "0"], env=WIDE
    )
    assert result.exit_code == 1
    out = result.stdout
    assert "1 ok, 1 redirected, 1 broken" in out
    assert f"→ {server}/ok" in out and "permanent: update the catalog" in out
    assert out.index("broken") < out.index("redirect") < out.index(" ok ")  # the broken ones first


def test_check_links_exits_0_when_every_link_works(server: str, tmp_path: Path) -> None:
    catalog = catalog_with(tmp_path, [f"{server}/ok", f"{server}/moved"])
    result = runner.invoke(cli, ["check-links", "--catalog", str(catalog)])
    assert result.exit_code == 0, result.output
    assert "1 ok, 1 redirected, 0 broken" in result.stdout


@pytest.mark.slow
def test_concurrency_is_bounded(server: str) -> None:
    links = [Link(f"{server}/busy{i}", ("x",)) for i in range(6)]
    results = asyncio.run(check_links(links, concurrency=1, timeout=5, retries=0))
    assert [r.status for r in results] == ["ok"] * 6 and Handler.most == 1
    Handler.most = 0
    asyncio.run(check_links(links, concurrency=8, timeout=5, retries=0))
    assert Handler.most == 2  # eight allowed at once, but never more than two to one host


def test_collect_links_lists_each_url_once_with_every_place() -> None:
    assert collect_links(load_catalog(FIXTURE_CATALOG)) == []  # the fixture has no URLs
