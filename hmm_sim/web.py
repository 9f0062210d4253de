"""A local aiohttp web service for the fakes of third-party APIs.

The Octopus API, coin price and Telegram/Discord fakes only differ in their
routes (and a middleware): listening on 127.0.0.1, a free port when 0, a short
shutdown so a "hang" handler never holds up a test, and use as an async
context manager live here.
"""

from __future__ import annotations

from typing import Self

from aiohttp import web

from .base import bind_socket


class LocalWebService:
    """Subclasses add their routes in :meth:`_routes`."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        """Configure; nothing listens until :meth:`start`."""
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the running service."""
        return f"http://{self.host}:{self.port}"

    def _application(self) -> web.Application:
        return web.Application()

    def _routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def start(self) -> Self:
        """Listen on ``host:port`` (a free port if 0)."""
        app = self._application()
        self._routes(app)
        sock = bind_socket(self.host, self.port)
        self.port = sock.getsockname()[1]
        runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=0.01
        )
        await runner.setup()
        await web.SockSite(runner, sock).start()
        self._runner = runner
        return self

    async def stop(self) -> None:
        """Stop listening and cut hanging handlers."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        """Start the service."""
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        """Stop the service."""
        await self.stop()
