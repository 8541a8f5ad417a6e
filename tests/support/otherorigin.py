"""Tiny local HTTP servers for the tests: any handler on a free port, and a second, unrelated web site for the
framing tests (another origin) serving one page of HTML that the test gives it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@contextmanager
def other_site(html: str) -> Iterator[str]:
    """Serve `html` at every path of http://localhost:PORT (the service under test is at 127.0.0.1); yield the URL."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:  # quiet: the test reports what matters
            pass

    with handler_server(Page) as port:
        yield f"http://localhost:{port}"


@contextmanager
def handler_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    """A threading HTTP server for `handler` on a free loopback port, in a thread; yields the port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
