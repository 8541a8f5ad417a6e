"""A cut database: quick 503s while it is away, and the service recovers by itself when it is back."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import closing, suppress
from pathlib import Path

import httpx
import pytest

from app.main import create_app
from tests.support.app import Client, make_settings, postgres_database, running
from tests.support.processes import free_port


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
