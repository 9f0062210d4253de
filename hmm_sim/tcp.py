"""A simulator that serves raw TCP (cgminer API, stratum pools).

Holds the listening server and every connection's handler task, so stopping
(a REFUSE fault, a reboot, shutdown) closes the socket, drops the clients and
waits for their handlers. Subclasses implement :meth:`_handle`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .base import Simulator, bind_socket


class TcpSimulator(Simulator):
    """Listens on TCP; one :meth:`_handle` task per connection."""

    def __init__(self, **kwargs: Any) -> None:
        """Configure; nothing listens until the simulator starts."""
        super().__init__(**kwargs)
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self.connections = 0

    async def _start_listening(self) -> None:
        sock = bind_socket(self.host, self.port)
        self.port = sock.getsockname()[1]  # kept across REFUSE → NORMAL
        self._server = await asyncio.start_server(self._connected, sock=sock)

    async def _stop_listening(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            server.close()
            server.abort_clients()
            for task in list(self._handlers):
                task.cancel()
            if self._handlers:
                await asyncio.gather(*self._handlers, return_exceptions=True)
            await server.wait_closed()

    async def _connected(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        self.connections += 1
        try:
            await self._handle(reader, writer)
        finally:
            self._handlers.discard(task)

    async def _handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        raise NotImplementedError
