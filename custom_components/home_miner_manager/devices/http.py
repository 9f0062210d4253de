"""HTTP transport shared by the AxeOS and NMMiner drivers.

One request = one call on the caller's ``aiohttp.ClientSession`` (connection
reuse comes from its pool), bounded by an ``aiohttp.ClientTimeout``. Transport
failures and HTTP error statuses become :mod:`.exceptions` types here, so the
drivers only deal with bodies.
"""

from __future__ import annotations

import asyncio
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

    __slots__ = ("_session", "_timeout")

    def __init__(self, session: aiohttp.ClientSession, timeout: float) -> None:
        """Keep the caller's session and one reusable timeout object."""
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def request(
        self,
        method: str,
        url: URL,
        *,
        json_body: Any = None,
        allow_404: bool = False,
    ) -> bytes | None:
        """Send one request and return the body of a 2xx reply.

        With ``allow_404`` a 404 returns None (used to probe optional endpoints).
        """
        try:
            async with self._session.request(
                method, url, json=json_body, timeout=self._timeout
            ) as resp:
                status = resp.status
                if (resp.content_length or 0) > MAX_BODY_BYTES:
                    raise MinerResponseError("reply too large")
                body = await resp.read()
        except TimeoutError as err:
            raise MinerTimeoutError(f"{url.host}: no reply in time") from err
        except aiohttp.ClientError as err:
            raise MinerConnectionError(f"{url.host}: {type(err).__name__}") from err
        except (OSError, asyncio.IncompleteReadError) as err:
            raise MinerConnectionError(f"{url.host}: {type(err).__name__}") from err
        if len(body) > MAX_BODY_BYTES:
            raise MinerResponseError("reply too large")
        if 200 <= status < 300:
            return body
        if status == 404 and allow_404:
            return None
        raise status_error(status, body)


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
