"""HTTP transport shared by the AxeOS and NMMiner drivers.

Connections: a driver built without a session owns **one kept-alive
connection** to its miner (an ``aiohttp.ClientSession`` over its own
``TCPConnector(limit=1)``, opened on the first request), reused by its polls
and commands, never shared with another miner, closed after any transport
error, timeout or HTTP error status (a well-framed reply the driver cannot
parse leaves it open) and by :meth:`HttpTransport.close` (the glue calls the
driver's ``close()`` at unload).
One socket per miner also suits the firmware: ESP-IDF's httpd serves one
request at a time and has only a few sockets. A caller may pass its own
session instead (one-off probes use Home Assistant's shared one); it is then
used as is and never closed here. Host names resolve through the system
resolver, as the cgminer driver's do.

Devices that answer ``Connection: close`` simply get a new connection per
request. A kept-alive connection the device dropped silently (socket purged,
device rebooted) fails on its next use: aiohttp repeats an idempotent GET once
on a fresh connection; absolute-value writes (``repeatable=True``: a PATCH of
settings) are repeated once here; other requests (a restart) are never
repeated, and are sent on a fresh connection when the kept one has been idle
for more than :data:`FRESH_S`.

Transport failures and HTTP error statuses become :mod:`.exceptions` types
here, so the drivers only deal with bodies.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Final

import aiohttp
from yarl import URL

from .exceptions import (
    MinerAuthError,
    MinerConnectionError,
    MinerNetworkRangeError,
    MinerOTPRequiredError,
    MinerRefusedError,
    MinerResponseError,
    MinerTimeoutError,
    MinerUnsupportedError,
)

MAX_BODY_BYTES: Final = 1 << 20  # an AxeOS info reply is ~4 KiB
# Idle connections are kept longer than the longest poll interval (300 s).
KEEPALIVE_S: Final = 330.0
# A request that must not be repeated goes out on a connection used this
# recently, or on a new one.
FRESH_S: Final = 2.0


def base_url(host: str, port: int) -> URL:
    """Return ``http://host:port`` (IPv6 literals bracketed)."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    try:
        return URL(f"http://{host}:{port}")
    except ValueError as err:
        raise MinerConnectionError(f"invalid host {host!r}") from err


class HttpTransport:
    """Requests against one device, with error mapping and a size limit."""

    __slots__ = (
        "_in_flight",
        "_keep_alive",
        "_last_used",
        "_own",
        "_shared",
        "_timeout",
    )

    def __init__(
        self,
        session: aiohttp.ClientSession | None,
        timeout: float,
        *,
        keep_alive: bool = True,
    ) -> None:
        """Use ``session`` as is, or (None) own one connection to the device."""
        self._shared = session
        self._own: aiohttp.ClientSession | None = None
        self._keep_alive = keep_alive
        self._last_used = 0.0
        self._in_flight = 0  # requests sent or waiting for the connection
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    @property
    def connected(self) -> bool:
        """Whether this transport holds an open session of its own."""
        return self._own is not None and not self._own.closed

    def _session(self) -> aiohttp.ClientSession:
        if self._shared is not None:
            return self._shared
        if self._own is None or self._own.closed:
            # Created here, not in __init__: a connector needs the running loop.
            self._own = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=1,
                    keepalive_timeout=KEEPALIVE_S if self._keep_alive else None,
                    force_close=not self._keep_alive,
                    resolver=aiohttp.ThreadedResolver(),
                ),
            )
        return self._own

    async def close(self) -> None:
        """Close the owned connection (a later request opens a new one)."""
        own, self._own = self._own, None
        if own is not None and not own.closed:
            await own.close()

    async def _close_if_idle(self) -> None:
        """Close unless another request uses the connection.

        aiohttp already dropped a connection that failed mid-exchange; this
        also drops one that answered an error status, without cutting a
        request that is using or waiting for the connection.
        """
        if not self._in_flight:
            await self.close()

    async def request(
        self,
        method: str,
        url: URL,
        *,
        json_body: Any = None,
        allow_404: bool = False,
        repeatable: bool = False,
    ) -> bytes | None:
        """Send one request and return the body of a 2xx reply.

        With ``allow_404`` a 404 returns None (used to probe optional endpoints).
        ``repeatable``: sending it twice does what sending it once does (it
        writes absolute values), so it is repeated once when a kept-alive
        connection turns out dead.
        """
        if (
            method != "GET"
            and not repeatable
            and time.monotonic() - self._last_used > FRESH_S
        ):
            # A dead socket would fail it, and it is not repeated. (With a
            # request in flight the connection is alive: it waits for it.)
            await self._close_if_idle()
        self._in_flight += 1
        try:
            try:
                status, body = await self._send(method, url, json_body)
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as err:
                if (
                    not repeatable
                    or method == "GET"  # aiohttp repeated it already
                    or isinstance(err, aiohttp.ClientConnectorError)
                ):
                    raise
                status, body = await self._send(method, url, json_body)
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as err:
            self._in_flight -= 1
            await self._close_if_idle()
            raise MinerConnectionError(f"{url.host}: {type(err).__name__}") from err
        except Exception:
            self._in_flight -= 1
            await self._close_if_idle()  # never reuse a connection that failed
            raise
        except BaseException:
            self._in_flight -= 1  # cancelled: aiohttp drops the connection
            raise
        self._in_flight -= 1
        if status >= 400 and status != 404:
            await self._close_if_idle()
        else:
            self._last_used = time.monotonic()
        if 200 <= status < 300:
            return body
        if status == 404 and allow_404:
            return None
        raise status_error(status, body)

    async def _send(self, method: str, url: URL, json_body: Any) -> tuple[int, bytes]:
        """One exchange; transport failures mapped, except a dead connection's."""
        try:
            async with self._session().request(
                method, url, json=json_body, timeout=self._timeout
            ) as resp:
                status = resp.status
                if (resp.content_length or 0) > MAX_BODY_BYTES:
                    raise MinerResponseError("reply too large")
                body = await resp.read()
        except TimeoutError as err:
            raise MinerTimeoutError(f"{url.host}: no reply in time") from err
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError):
            raise  # request() decides on a repeat, then maps it
        except aiohttp.ClientError as err:
            raise MinerConnectionError(f"{url.host}: {type(err).__name__}") from err
        except (OSError, asyncio.IncompleteReadError) as err:
            raise MinerConnectionError(f"{url.host}: {type(err).__name__}") from err
        if len(body) > MAX_BODY_BYTES:
            raise MinerResponseError("reply too large")
        return status, body


def status_error(status: int, body: bytes) -> Exception:
    """Map an HTTP error status (and its body text) to a driver exception."""
    text = body[:512].decode("utf-8", "replace").lower()
    if status == 401:
        if "otp" in text or "session required" in text:
            return MinerOTPRequiredError("the device needs a one-time password (OTP)")
        if "blocked" in text:
            return MinerAuthError("the device blocked us after failed OTP attempts")
        return MinerNetworkRangeError(
            "the device refused our address (allowed network range)"
        )
    if status == 403:
        return MinerAuthError("the device refused the request (403)")
    if status in (404, 405, 501):
        return MinerUnsupportedError(f"the device does not offer this ({status})")
    if status == 400:
        return MinerRefusedError(
            "the device rejected the values (400)", "invalid_input"
        )
    return MinerResponseError(f"HTTP {status}")
