"""Running uvicorn: one process, or several workers sharing a listening socket that keeps TCP_NODELAY on."""

from __future__ import annotations

import asyncio
import socket

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.supervisors import Multiprocess


class IdleTimeoutProtocol(H11Protocol):
    """HTTP/1.1 that also closes a connection on which no complete request arrives within the keep-alive timeout.

    uvicorn times out idle connections only between requests: one opened and left silent (or sending its headers
    a byte at a time) would otherwise hold a file descriptor and a slot for ever.
    """

    _idle: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._idle is not None:
            self._idle.cancel()
        super().connection_lost(exc)

    def _waiting(self) -> bool:
        """No request being answered: before the first one, or between two."""
        return self.cycle is None or self.cycle.response_complete

    def _watch(self) -> None:
        if self._waiting():
            if self._idle is None and not self.transport.is_closing():
                self._idle = self.loop.call_later(self.timeout_keep_alive, self._close_if_idle)
        elif self._idle is not None:
            self._idle.cancel()
            self._idle = None

    def _close_if_idle(self) -> None:
        self._idle = None
        if self._waiting() and not self.transport.is_closing():
            self.transport.close()


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
