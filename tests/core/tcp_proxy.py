"""A TCP proxy a test controls: what a database or Redis restart looks like to its clients.

    proxy = await TcpProxy("127.0.0.1", 5432).start()   # clients connect to proxy.port
    await proxy.cut()       # every open connection is reset, new ones are refused
    await proxy.restore()   # connections are accepted (and forwarded) again, on the same port

A restart of the server itself would hit every other user of the machine's shared PostgreSQL
and Redis; cutting the path of one bot gives that bot the same view (reset connections, then
"connection refused" until the server is back) and leaves everyone else alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.host = host
        self.port = 0
        self.accepted = 0  # client connections forwarded since start (a reconnect shows here)
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self, port: int = 0) -> TcpProxy:
        self._server = await asyncio.start_server(self._serve, self.host, port or self.port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    @property
    def cut_off(self) -> bool:
        return self._server is None

    async def cut(self) -> None:
        """Stop listening (new connections are refused) and reset every open connection."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._writers):
            _reset(writer)
        for task in list(self._pipes):
            task.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)
        if server is not None:
            await server.wait_closed()

    async def restore(self) -> None:
        if self._server is None:
            await self.start(self.port)

    async def stop(self) -> None:
        await self.cut()

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._pipes.add(task)
        self._writers.add(client_w)
        server_w = None
        try:
            server_r, server_w = await asyncio.open_connection(*self.target)
            self._writers.add(server_w)
            self.accepted += 1
            await asyncio.gather(_pump(client_r, server_w), _pump(server_r, client_w))
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            self._pipes.discard(task)
            for writer in (client_w, server_w):
                if writer is not None:
                    self._writers.discard(writer)
                    _reset(writer)


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        _reset(writer)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a RST, as a server process that died leaves its sockets."""
    transport = writer.transport
    if transport.is_closing():
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # on, 0 s
    transport.abort()
