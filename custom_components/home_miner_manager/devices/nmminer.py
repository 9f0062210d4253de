"""NMMiner driver (ESP32 lottery miner, devices.md §4).

Two ways to read one:

* **HTTP** (firmware v2.x): ``GET /api/system/info``; restart with
  ``POST /api/system/restart``; pool with ``POST /api/setting/mining``
  (``PrimaryPool`` = ``stratum+tcp://host:port``, ``PrimaryAddress``,
  ``PrimaryPassword``) followed by a restart.
* **Broadcast** (firmware v0.3-v1.x): with an :class:`NMMinerListener`, ``fetch``
  returns the latest datagram from this IP if it is under ``max_age`` (2 min)
  old, and only polls HTTP otherwise. With ``http=False`` (the device has no
  HTTP API) such a miner cannot be controlled: the only other write path is
  the UDP 12347 config broadcast, which we never send.

NMMiner has no modes: :attr:`modes` is empty and :meth:`set_mode` raises.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Final

from .base import MinerDriver
from .exceptions import MinerConnectionError, MinerUnsupportedError
from .http import HttpTransport, base_url
from .nmminer_listener import NMMINER_UDP_PORT, NMMinerListener
from .nmminer_telemetry import parse_nmminer_body
from .types import MinerType
from .validation import check_pool

if TYPE_CHECKING:
    import aiohttp
    from yarl import URL

    from .snapshot import MinerSnapshot, PoolTarget

__all__ = ["NMMINER_UDP_PORT", "NMMinerDriver", "NMMinerListener"]

BROADCAST_MAX_AGE_S: Final = 120.0


class NMMinerDriver(MinerDriver):
    """NMMiner over its v2 HTTP API, or fed by the shared UDP listener."""

    miner_type = MinerType.NMMINER
    default_port = 80

    def __init__(
        self,
        host: str,
        port: int | None = None,
        *,
        session: aiohttp.ClientSession | None = None,
        listener: NMMinerListener | None = None,
        timeout: float = 10.0,
        max_age: float = BROADCAST_MAX_AGE_S,
        http: bool = True,
        keep_alive: bool = True,
    ) -> None:
        """Broadcast mode needs ``listener``; ``http=False``: no HTTP API at all."""
        super().__init__(host, port)
        if listener is None and not http:
            raise MinerUnsupportedError("NMMiner needs its HTTP API or a listener")
        self.listener = listener
        self._max_age = max_age
        self._http = (
            HttpTransport(session, timeout, keep_alive=keep_alive) if http else None
        )
        base = base_url(host, self.port)
        self._info_url = base.with_path("/api/system/info")
        self._restart_url = base.with_path("/api/system/restart")
        self._mining_url = base.with_path("/api/setting/mining")

    @property
    def modes(self) -> tuple[str, ...]:
        """NMMiner has no modes."""
        return ()

    def latest_broadcast(self) -> MinerSnapshot | None:
        """Return the last datagram's snapshot if fresher than ``max_age``."""
        if self.listener is None:
            return None
        latest = self.listener.latest(self.host)
        if latest is None or time.monotonic() - latest[1] > self._max_age:
            return None
        return latest[0]

    async def fetch(self) -> MinerSnapshot:
        """Return a fresh broadcast if there is one, else poll the HTTP API."""
        snapshot = self.latest_broadcast()
        if snapshot is not None:
            return snapshot
        if self._http is None:
            raise MinerConnectionError(f"{self.host}: no recent broadcast")
        return parse_nmminer_body(await self._request("GET", self._info_url) or b"")

    async def set_mode(self, mode: str) -> None:
        """NMMiner has no modes."""
        raise MinerUnsupportedError("NMMiner has no modes")

    async def switch_pool(self, pool: PoolTarget) -> None:
        """Set the primary pool over HTTP, then restart (v2 firmware only)."""
        host, port, user, password = check_pool(pool)
        await self._request(
            "POST",
            self._mining_url,
            {
                "PrimaryPool": f"stratum+tcp://{host}:{port}",
                "PrimaryAddress": user,
                "PrimaryPassword": password,
            },
            repeatable=True,  # absolute settings: twice equals once
        )
        await self.restart()

    async def restart(self) -> None:
        """Reboot (v2 firmware only)."""
        await self._request("POST", self._restart_url, {})

    async def close(self) -> None:
        """Close the kept-alive connection."""
        if self._http is not None:
            await self._http.close()

    async def _request(
        self, method: str, url: URL, body: object = None, *, repeatable: bool = False
    ) -> bytes | None:
        if self._http is None:
            raise MinerUnsupportedError(
                "this NMMiner only broadcasts telemetry; it cannot be controlled"
            )
        return await self._http.request(
            method, url, json_body=body, repeatable=repeatable
        )
