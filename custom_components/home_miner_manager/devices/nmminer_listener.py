"""One passive UDP listener for every NMMiner's telemetry broadcast (port 12345).

Receive-only: it never sends anything. In particular it never sends the UDP
12347 configuration broadcast, which would reconfigure every NMMiner on the LAN
(devices.md §4.1). Datagrams are keyed by the ``ip`` they carry, falling back
to their source address; garbage is counted and dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import logging
import time
from typing import Final

from .exceptions import MinerError
from .nmminer_telemetry import MAX_DATAGRAM_BYTES, parse_datagram
from .snapshot import MinerSnapshot

_LOGGER = logging.getLogger(__name__)

NMMINER_UDP_PORT: Final = 12345
MAX_DEVICES: Final = 512

SnapshotCallback = Callable[[MinerSnapshot], None]
# (ip, snapshot) for every datagram, whatever IP it is from (discovery).
DatagramCallback = Callable[[str, MinerSnapshot], None]


class NMMinerListener(asyncio.DatagramProtocol):
    """Keeps the latest snapshot per NMMiner IP and notifies subscribers."""

    def __init__(self, *, max_devices: int = MAX_DEVICES) -> None:
        """Create an idle listener; call :meth:`start` to bind."""
        self._latest: dict[str, tuple[MinerSnapshot, float]] = {}
        self._subscribers: dict[str, list[SnapshotCallback]] = {}
        self._all_subscribers: list[DatagramCallback] = []
        self._transport: asyncio.DatagramTransport | None = None
        self._max_devices = max_devices
        self.port: int | None = None
        self.datagrams_received = 0
        self.datagrams_rejected = 0

    async def start(self, host: str = "0.0.0.0", port: int = NMMINER_UDP_PORT) -> None:  # noqa: S104 (broadcasts arrive on any interface)
        """Bind the UDP socket (port 0 picks a free port, see :attr:`port`)."""
        if self._transport is not None:
            return
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: self, local_addr=(host, port)
        )
        self._transport = transport
        self.port = transport.get_extra_info("sockname")[1]

    def stop(self) -> None:
        """Close the socket; kept snapshots stay readable."""
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    @property
    def running(self) -> bool:
        """Whether the socket is bound."""
        return self._transport is not None

    def latest(self, ip: str) -> tuple[MinerSnapshot, float] | None:
        """Return (snapshot, ``time.monotonic()`` when received) for ``ip``."""
        return self._latest.get(ip)

    def subscribe(self, ip: str, callback: SnapshotCallback) -> Callable[[], None]:
        """Call ``callback(snapshot)`` on each datagram from ``ip``; returns unsubscribe."""
        callbacks = self._subscribers.setdefault(ip, [])
        callbacks.append(callback)

        def unsubscribe() -> None:
            if callback in callbacks:
                callbacks.remove(callback)
            if not callbacks and self._subscribers.get(ip) is callbacks:
                del self._subscribers[ip]

        return unsubscribe

    def subscribe_all(self, callback: DatagramCallback) -> Callable[[], None]:
        """Call ``callback(ip, snapshot)`` on every datagram; returns unsubscribe."""
        self._all_subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._all_subscribers:
                self._all_subscribers.remove(callback)

        return unsubscribe

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        """Parse, store and fan out one datagram."""
        self.datagrams_received += 1
        if len(data) > MAX_DATAGRAM_BYTES:
            self.datagrams_rejected += 1
            return
        try:
            named_ip, snapshot = parse_datagram(data)
        except MinerError:
            self.datagrams_rejected += 1
            return
        ip = named_ip or str(addr[0])
        latest = self._latest
        # Insertion order = order of last datagram: a device heard again moves
        # to the end, so the one forgotten at the limit is the longest silent.
        if latest.pop(ip, None) is None and len(latest) >= self._max_devices:
            del latest[next(iter(latest))]
        latest[ip] = (snapshot, time.monotonic())
        for callback in tuple(self._subscribers.get(ip, ())):
            try:
                callback(snapshot)
            except Exception:
                _LOGGER.exception("NMMiner subscriber for %s failed", ip)
        for any_callback in tuple(self._all_subscribers):
            try:
                any_callback(ip, snapshot)
            except Exception:
                _LOGGER.exception("NMMiner datagram subscriber failed (%s)", ip)

    def error_received(self, exc: Exception) -> None:
        """Log socket errors (e.g. ICMP) without stopping."""
        _LOGGER.debug("NMMiner listener socket error: %s", exc)
