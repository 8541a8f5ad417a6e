"""Production behaviour with real parts: replicas on PostgreSQL, a cut database, headers, bad start-up paths."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import closing, suppress
from pathlib import Path

import httpx
import pytest

from app.config import ROOT
from app.main import create_app
from tests.support.app import FIXTURE_CATALOG, Client, make_settings, postgres_database, running
from tests.support.processes import free_port, load, replica

EDITED = FIXTURE_CATALOG.read_text().replace("A year of leadership training", "A year of intensive leadership training")


def version(base: str) -> str:
    return str(httpx.get(f"{base}/api/v1/catalog", timeout=5).json()["version"])


@pytest.mark.postgres
def test_two_replicas_follow_the_catalog_in_postgresql(tmp_path: Path) -> None:
    edited = tmp_path / "edited.yaml"
    edited.write_text(EDITED)
    poll = 0.5
    with postgres_database() as url:
        load(url, FIXTURE_CATALOG, tmp_path)
        with replica(url, tmp_path / "a", poll) as a, replica(url, tmp_path / "b", poll) as b:
            first = version(a)
            assert version(b) == first
            load(url, edited, tmp_path)  # the leader writes a new version
            deadline = time.monotonic() + poll * 20  # poll interval plus indexing, with room for a loaded machine
            seen: dict[str, str] = {}
            while time.monotonic() < deadline and len(seen) < 2:
                for base in (a, b):
                    if base not in seen and version(base) != first:
                        seen[base] = version(base)
                time.sleep(poll / 5)
            assert set(seen) == {a, b}, f"not every replica moved on from {first}: {seen}"
            assert len(set(seen.values())) == 1
            for base in (a, b):
                elam = httpx.get(f"{base}/api/v1/programs/elam", timeout=5).json()
                assert elam["summary"].startswith("A year of intensive leadership training")
                hits = httpx.get(f"{base}/api/v1/programs", params={"q": "intensive"}, timeout=5).json()
                assert [r["id"] for r in hits["results"]] == ["elam"]


class Proxy:
    """A TCP proxy the test controls: `cut()` drops every connection and refuses new ones; `restore()` undoes it."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._open: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._lock = threading.Lock()
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(32)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            assert self._listener is not None
            with suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            self._listener.close()
            for s in self._open:
                with suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self._open.clear()

    def close(self) -> None:
        self.cut()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


def wait_for(client: Client, path: str, status: int, seconds: float = 15) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        response = client.get(path)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


@pytest.mark.postgres
def test_a_cut_database_gives_quick_503s_and_the_service_recovers_by_itself(tmp_path: Path) -> None:
    with postgres_database() as url:
        proxy = Proxy(("127.0.0.1", 5432))
        proxied = url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        with running(create_app(make_settings(tmp_path, database_url=proxied))) as client, closing(proxy):
            assert client.get("/readyz").status_code == 200
            assert client.get("/api/v1/programs/elam").status_code == 200
            proxy.cut()
            down = wait_for(client, "/readyz", 503)
            assert down.status_code == 503 and down.json()["database"].startswith("unreachable")
            api = wait_for(client, "/api/v1/programs?q=women", 503)
            assert api.status_code == 503
            assert api.headers["content-type"] == "application/problem+json"
            assert api.json()["title"] == "Database unavailable" and "Traceback" not in api.text
            assert api.headers["retry-after"]
            assert wait_for(client, "/api/v1/programs/elam", 503).status_code == 503  # cached before: not served
            catalog = client.get("/api/v1/catalog")  # like every other answer: the version may be stale
            assert catalog.status_code == 503 and catalog.json()["type"].endswith("/database-unavailable")
            page = client.get("/programs/elam", headers={"Accept": "text/html"})
            assert page.status_code == 503 and "<html" in page.text.lower()
            proxy.restore()
            assert wait_for(client, "/readyz", 200).status_code == 200
            assert wait_for(client, "/api/v1/programs?q=women", 200).json()["total"] == 4


@pytest.mark.parametrize("make_bad", ["under-a-file", "read-only-filesystem"])
def test_an_unwritable_index_folder_at_start_is_a_clear_error_naming_it(tmp_path: Path, make_bad: str) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    index_dir = blocker / "index" if make_bad == "under-a-file" else Path("/proc/mentordir-index")
    env = os.environ | {"MENTORDIR_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    result = subprocess.run(
        [sys.executable, "-m", "app.curate.cli", "serve", "--index-dir", str(index_dir), "--port", str(free_port())],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"cannot write the search index in {index_dir}" in result.stderr
    assert "Traceback" not in result.stderr


PAGES = ["/", "/?q=women&format=online", "/programs/elam", "/compare?ids=elam,swims", "/models", "/coverage"]


@pytest.mark.parametrize("path", [*PAGES, "/programs/no-such-program", "/feed.xml", "/docs"])
def test_strict_headers_on_every_page_type(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (200, 404)
    csp = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and "unsafe-inline" not in csp
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "geolocation=()" in response.headers["permissions-policy"]
    assert "server" not in response.headers


@pytest.mark.parametrize("path", ["/api/v1/programs", "/api/v1/programs/elam", "/api/v1/nope", "/healthz"])
def test_strict_headers_on_api_responses(client: Client, path: str) -> None:
    headers = client.get(path).headers
    assert (
        headers["x-content-type-options"] == "nosniff"
        and "frame-ancestors 'none'" in headers["content-security-policy"]
    )


def test_trusted_hosts_refuse_other_host_names(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, trusted_hosts="directory.example.org, localhost")
    with running(create_app(settings)) as client:
        assert client.get("/api/v1/catalog", headers={"Host": "directory.example.org"}).status_code == 200
        refused = client.get("/api/v1/catalog", headers={"Host": "evil.example.com"})
        assert refused.status_code == 400
        assert refused.headers["x-content-type-options"] == "nosniff"


def test_head_is_answered_like_get_without_a_body(client: Client) -> None:
    for path in ("/", "/programs/elam", "/api/v1/programs", "/healthz"):
        get, head = client.get(path), client.request("HEAD", path)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
    assert client.request("HEAD", "/api/v1/programs/nope").status_code == 404


def test_an_unexpected_error_is_a_clean_500_with_strict_headers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.search.index

    def broken(self: object, q: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(app.search.index.SearchIndex, "search", broken)
    application = create_app(make_settings(tmp_path))
    with running(application) as client:
        client._client._transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)  # type: ignore[attr-defined]
        api = client.get("/api/v1/programs?q=x")
        assert api.status_code == 500 and api.headers["content-type"] == "application/problem+json"
        assert api.json()["title"] == "Internal Server Error" and "a bug" not in api.text
        page = client.get("/?q=x")
        assert page.status_code == 500 and "Something went wrong on our side." in page.text and "a bug" not in page.text
        assert page.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_admin_reload_in_follower_mode_never_writes_the_replicas_own_file(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    load(database, FIXTURE_CATALOG, tmp_path)
    stale = tmp_path / "stale.yaml"
    stale.write_text(FIXTURE_CATALOG.read_text().replace("A year of leadership training", "STALE"))
    settings = make_settings(tmp_path, catalog=stale, database_url=database, follow=True, admin_token="s3cret")
    with running(create_app(settings)) as client:
        first = client.get("/api/v1/catalog").json()["version"]
        edited = tmp_path / "edited.yaml"
        edited.write_text(EDITED)
        load(database, edited, tmp_path)  # the leader's new version
        answer = client.post("/api/v1/admin/reload", headers={"Authorization": "Bearer s3cret"})
        assert answer.status_code == 200 and answer.json()["changed"] is True
        assert client.get("/api/v1/catalog").json()["version"] != first
        summary = client.get("/api/v1/programs/elam").json()["summary"]
        assert summary.startswith("A year of intensive leadership training")  # the database's, not the stale file's


def _nodelay_on_accepted(sock: socket.socket) -> int:
    """TCP_NODELAY as asyncio leaves it on a connection accepted from `sock`."""
    import asyncio

    async def main() -> int:
        seen: list[int] = []

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            seen.append(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        sock.listen()
        server = await asyncio.start_server(handle, sock=sock)
        _, writer = await asyncio.open_connection(*sock.getsockname())
        while not seen:
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()
        return seen[0]

    return asyncio.run(main())


def test_the_workers_shared_socket_keeps_nagle_off() -> None:
    from app.serving import listening_socket

    assert _nodelay_on_accepted(listening_socket("127.0.0.1", 0)) != 0
    plain = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # how uvicorn makes it: 40 ms per small response
    plain.bind(("127.0.0.1", 0))
    assert _nodelay_on_accepted(plain) == 0
