"""aiohttp plumbing shared by the HTTP simulators (AxeOS, NerdQAxe, NMMiner).

Connections behave like the firmware's web server, selectably: ESP-IDF's
httpd keeps an HTTP/1.1 connection open between requests (the default here),
some builds answer ``Connection: close`` and hang up after every reply
(``keep_alive=False``), and a device with few sockets drops the least recently
used one, or forgets them all when it reboots, without the client noticing
until its next request meets a dead socket (:meth:`HttpSimulator.forget_connections`).
``idle_timeout`` closes connections idle that long (a FIN the client sees).
The simulator counts the connections that carried requests.
"""

from __future__ import annotations

from abc import abstractmethod
import asyncio
from collections import deque
import json
import math
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .base import Simulator, bind_socket
from .faults import Fault

if TYPE_CHECKING:
    from asyncio import Transport

HTML_PAGE = (
    "<!DOCTYPE html><html><head><title>Captive portal</title></head>"
    "<body><h1>Please log in</h1></body></html>"
)
_ABSURD_VALUES = (-1234.5, math.nan, 1e300, -1, math.inf)


def absurd(payload: Any, counter: list[int] | None = None) -> Any:
    """Replace every number in ``payload`` by an impossible one (negative, NaN, huge)."""
    counter = counter if counter is not None else [0]
    if isinstance(payload, dict):
        return {key: absurd(value, counter) for key, value in payload.items()}
    if isinstance(payload, list):
        return [absurd(value, counter) for value in payload]
    if isinstance(payload, bool) or not isinstance(payload, int | float):
        return payload
    value = _ABSURD_VALUES[counter[0] % len(_ABSURD_VALUES)]
    counter[0] += 1
    return value


def json_response(payload: Any, status: int = 200) -> web.Response:
    """JSON the way the firmware sends it (``application/json``)."""
    return web.Response(
        status=status,
        body=json.dumps(payload, separators=(",", ":")).encode(),
        content_type="application/json",
    )


class HttpSimulator(Simulator):
    """A simulated miner with an HTTP API."""

    def __init__(
        self,
        *,
        keep_alive: bool = True,
        idle_timeout: float | None = None,
        **kwargs: Any,
    ) -> None:
        """See :class:`Simulator` and the module docstring for the connection options."""
        super().__init__(**kwargs)
        self.keep_alive = keep_alive
        self.idle_timeout = idle_timeout
        self.log: deque[tuple[str, str, Any]] = deque(maxlen=500)
        self.served: dict[str, Any] = {}  # last JSON served per path
        self.connections = 0  # connections that carried at least one request
        self._open: dict[int, Transport] = {}  # by id(), while not closing
        self._forgotten: dict[int, Transport] = {}  # strong refs: ids stay unique
        self._runner: web.AppRunner | None = None

    @property
    def open_connections(self) -> int:
        """Connections that carried a request and are still open."""
        self._open = {
            key: transport
            for key, transport in self._open.items()
            if not transport.is_closing()
        }
        return len(self._open)

    def forget_connections(self) -> None:
        """Drop every open connection the way a purged or rebooted device does.

        Nothing is sent now; the next request on such a connection is cut
        without an answer, as a client reusing a dead socket experiences.
        """
        self._forgotten.update(self._open)
        self._open.clear()

    @abstractmethod
    def _routes(self, app: web.Application) -> None:
        """Register the device's routes."""

    def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        self._routes(app)
        return app

    async def _start_listening(self) -> None:
        sock = bind_socket(self.host, self.port)
        self.port = sock.getsockname()[1]
        # A short shutdown timeout: a reboot must cut hanging handlers at once.
        runner = web.AppRunner(
            self._make_app(),
            access_log=None,
            handle_signals=False,
            shutdown_timeout=0.01,
            # No idle limit unless asked for: ESP-IDF's httpd has none.
            keepalive_timeout=self.idle_timeout or 24 * 3600.0,
        )
        await runner.setup()
        await web.SockSite(runner, sock).start()
        self._runner = runner

    async def _stop_listening(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    def serve(self, path: str, payload: Any, fault: Fault) -> web.Response:
        """Send ``payload`` as JSON (made absurd under that fault) and remember it."""
        if fault is Fault.ABSURD:
            payload = absurd(payload)
        self.served[path] = payload
        return json_response(payload)

    def _count_connection(self, request: web.Request) -> bool:
        """Note a new connection; False when it was forgotten (cut it)."""
        transport = request.transport
        if transport is None:
            return True
        key = id(transport)
        if self._forgotten.pop(key, None) is transport:
            transport.abort()
            return False
        self._forgotten = {
            k: forgotten
            for k, forgotten in self._forgotten.items()
            if not forgotten.is_closing()
        }
        if self._open.get(key) is not transport:
            self._open[key] = transport
            self.connections += 1
        return True

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Any
    ) -> web.StreamResponse:
        if not self._count_connection(request):
            raise ConnectionResetError("connection forgotten by the device")
        response = await self._respond(request, handler)
        if not self.keep_alive:
            response.force_close()  # "Connection: close", hang up after it
        return response

    async def _respond(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests += 1
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
        self.log.append((request.method, request.path, body))
        await self._apply_latency()
        fault = self.faults.take()
        request["fault"] = fault
        request["json"] = body
        if fault is Fault.TIMEOUT:
            await self._hang()
            raise web.HTTPServiceUnavailable
        if fault is Fault.SLOW:
            await asyncio.sleep(self.faults.delay)
        elif fault is Fault.HTTP_500:
            return web.Response(status=500, text="Internal Server Error")
        elif fault is Fault.HTML:
            return web.Response(text=HTML_PAGE, content_type="text/html")
        elif fault is Fault.NETWORK_RANGE:
            # ESP-IDF httpd_resp_send_err(401, "Unauthorized") sends text/html.
            return web.Response(
                status=401, text="Unauthorized", content_type="text/html"
            )
        response: web.StreamResponse = await handler(request)
        if isinstance(response, web.Response) and response.body:
            raw_body = response.body
            assert isinstance(raw_body, bytes)
            if fault is Fault.TRUNCATED:
                response.body = raw_body[: max(1, len(raw_body) // 2)]
            elif fault is Fault.MALFORMED:
                response.body = b"{" + raw_body.replace(b":", b"=", 1).lstrip(b"{")
                if not response.body.endswith(b"}"):
                    response.body += b",}"
        return response

    def requests_to(self, method: str, path: str) -> list[Any]:
        """Bodies of the logged requests with this method and path."""
        return [body for m, p, body in self.log if m == method and p == path]
