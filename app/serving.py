"""Running uvicorn: one process, or several workers sharing a listening socket that keeps TCP_NODELAY on."""

from __future__ import annotations

import asyncio
import socket
from contextlib import suppress
from http import HTTPStatus

import h11
import orjson
import uvicorn
from h11._connection import DEFAULT_MAX_INCOMPLETE_EVENT_SIZE as HEAD_LIMIT  # 16 KiB
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.supervisors import Multiprocess

from app.middleware import security

LINGER_SECONDS = 2


class HeadLimitedConnection(h11.Connection):
    """h11's server side, refusing a request head (request line and headers) over `limit` bytes however it arrives.

    h11 measures only a head still incomplete: one that came whole, in a single write or with its last piece, was
    accepted at any size. `refused` keeps the status h11 suggests for what it refused last (400, or 431).
    """

    def __init__(self, limit: int) -> None:
        super().__init__(h11.SERVER, max_incomplete_event_size=limit)
        self.limit, self.refused = limit, 400

    def next_event(self) -> h11.Event | type[h11.NEED_DATA] | type[h11.PAUSED]:
        buffered = len(self._receive_buffer)
        try:
            event = super().next_event()
        except h11.RemoteProtocolError as error:
            self.refused = error.error_status_hint
            raise
        if isinstance(event, h11.Request) and buffered - len(self._receive_buffer) > self.limit:
            self.refused = 431
            raise h11.RemoteProtocolError("request head too long", error_status_hint=431)
        return event


class IdleTimeoutProtocol(H11Protocol):
    """HTTP/1.1 that closes a connection on which no complete request, headers and body, arrives within the
    keep-alive timeout, and answers what h11 refuses as the app answers errors: problem+json, strict headers.

    uvicorn times out idle connections only between requests: one opened and left silent, or sending its headers or
    its body a byte at a time, would otherwise hold a file descriptor and a slot for ever.
    """

    _idle: asyncio.TimerHandle | None = None
    _lingering = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self.conn = self.head = HeadLimitedConnection(self.config.h11_max_incomplete_event_size or HEAD_LIMIT)
        super().connection_made(transport)
        self._watch()

    def data_received(self, data: bytes) -> None:
        if self._lingering:  # answered and closing: what the client still sends is dropped
            return
        super().data_received(data)
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._idle is not None:
            self._idle.cancel()
        super().connection_lost(exc)

    def shutdown(self) -> None:
        if self._lingering:  # answered already: nothing more to say
            self.transport.close()
            return
        super().shutdown()

    def _waiting(self) -> bool:
        """Waiting on the client: before its first request, between two, or while a request's body is coming."""
        return self.cycle is None or self.cycle.response_complete or self.cycle.more_body

    def _watch(self) -> None:
        if self._waiting():
            if self._idle is None and not self.transport.is_closing():
                self._idle = self.loop.call_later(self.timeout_keep_alive, self._close_if_idle)
        elif self._idle is not None:
            self._idle.cancel()
            self._idle = None

    def _close_if_idle(self) -> None:
        self._idle = None
        if not self._waiting() or self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:  # headers came, the body did not
            detail = f"the request's body did not arrive within {self.timeout_keep_alive} s"
            self._answer_and_close(408, detail)
        else:
            self.transport.close()

    def send_400_response(self, msg: str) -> None:
        """What h11 refused (request line, header, Content-Length), or 431 for a head over the size limit."""
        if self.head.refused == 431:
            self._answer_and_close(431, f"the request's line and headers are over {self.head.limit // 1024} KiB")
        else:
            self._answer_and_close(400, "the request is not valid HTTP/1.1 (request line, a header or Content-Length)")

    def _answer_and_close(self, status: int, detail: str) -> None:
        """Answer with a problem+json unless a response has started already, then close the connection; a request
        the app is still reading is told its client is gone."""
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            if cycle.response_started:
                self.transport.close()
                return
            cycle.disconnected = True  # the app's later writes are dropped; its read ends (499 in the metrics)
            cycle.message_event.set()
        title = HTTPStatus(status).phrase
        body = orjson.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail})
        headers = [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
            *security.HEADERS,
        ]
        with suppress(h11.LocalProtocolError):  # h11 cannot answer in this state: closing is all there is
            self.transport.write(self.conn.send(h11.Response(status_code=status, headers=headers, reason=title)))
            self.transport.write(self.conn.send(h11.Data(data=body)))
            self.transport.write(self.conn.send(h11.EndOfMessage()))
        self._linger()

    def _linger(self) -> None:
        """Close our side after the answer and read the client's for a moment: a client still sending would
        otherwise get a reset, and its system may drop our answer unread (nginx's lingering close)."""
        self._lingering = True
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket for the workers to share.

    The protocol is named (IPPROTO_TCP): asyncio sets TCP_NODELAY only on connections whose listening socket says
    so, and uvicorn's own multi-worker socket does not (proto 0). Without it every response written in two parts
    waits out Nagle's algorithm against delayed ACKs: a 40 ms floor on each request.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def run(config: uvicorn.Config) -> None:
    """Serve `config` (an import string when it has several workers) until a signal stops it, gracefully."""
    if config.workers <= 1:
        uvicorn.Server(config).run()
        return
    Multiprocess(config, sockets=[listening_socket(config.host, config.port)]).run()
