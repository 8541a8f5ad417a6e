"""The workers' shared socket (app.serving) keeps Nagle's algorithm off, so small answers are not held back."""

from __future__ import annotations

import socket


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
