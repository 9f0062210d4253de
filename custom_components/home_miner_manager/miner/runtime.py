"""What every miner coordinator is built from.

Shared services, its logger, its status values, its interval and its
protocol driver. Kept apart from ``coordinator.py`` (which polls) so the hub's runtime data can
extend :class:`MinerServices` without importing the coordinator.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
import logging
from typing import TYPE_CHECKING, Any, Protocol

from .. import const
from ..const import (
    CONF_HOST,
    CONF_MINER_TYPE,
    CONF_NMMINER_BROADCAST,
    CONF_PORT,
    CONF_SCAN_INTERVAL,
    CONF_WEB_PASSWORD,
    DEFAULT_SCAN_INTERVAL,
    LOGGER,
)
from ..db.miner_rows import MinerRowQueue
from ..devices import create_driver
from ..devices.types import MinerType
from ..pacer import LoopPacer

if TYPE_CHECKING:
    from collections import deque
    from collections.abc import Callable, Mapping
    from datetime import datetime

    from aiohttp import ClientSession

    from ..db import Database
    from ..devices import NMMinerListener
    from ..devices.base import MinerDriver
    from ..devices.snapshot import MinerSnapshot
    from ..pools.pool_score import CounterRow


class AvailabilityLogger(logging.Logger):
    """A coordinator's logger, with "went unavailable" lines at INFO.

    DataUpdateCoordinator logs a failed update once at ERROR; for a miner that
    was switched off or lost Wi-Fi that is routine, and the quality scale asks
    for one INFO line when it goes and one when it comes back. Unexpected
    errors (logged with a traceback) stay at ERROR. A miner the strategy
    switched off on purpose is expected to be silent: its lines drop to DEBUG.
    """

    def __init__(self, quiet: Callable[[], bool]) -> None:
        """Log as ``<package>.coordinator``; ``quiet`` says: expected offline."""
        super().__init__(f"{LOGGER.name}.coordinator")
        self.parent = LOGGER
        self._quiet = quiet

    def error(self, msg: object, *args: object, **kwargs: Any) -> None:
        """Downgrade plain error lines; keep those carrying a traceback."""
        if kwargs.get("exc_info"):
            super().error(msg, *args, **kwargs)
        else:
            self.info(msg, *args, **kwargs)

    def info(self, msg: object, *args: object, **kwargs: Any) -> None:
        """Log at INFO, or DEBUG while the miner is expected offline."""
        if self._quiet():
            self.debug(msg, *args, **kwargs)
        else:
            super().info(msg, *args, **kwargs)


class ShareObserver(Protocol):
    """What a miner asks of the hub's share tracker (``pool/best_shares.py``).

    Defined here, not imported: the tracker needs the pools, which need the
    miners.
    """

    @property
    def best_by_miner(self) -> Mapping[int, float]:
        """Return each miner's best stored share (by Miner row id)."""

    def network_difficulty(self, snapshot: MinerSnapshot) -> float | None:
        """Return the network difficulty of a miner's chain, if known now."""

    def observe(
        self, *, miner_id: int, miner_name: str, snapshot: MinerSnapshot, when: datetime
    ) -> None:
        """Look at one poll (a risen session best is stored)."""


@dataclass(kw_only=True)
class MinerServices:
    """What the miner coordinators share with the hub (``HubData`` extends it)."""

    database: Database
    session: ClientSession
    nmminer_listener: NMMinerListener | None = None
    # Bound the miner polls in flight and pace their starts and processing (the
    # consts are read at set-up, so a benchmark can change them first).
    poll_slots: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(const.MAX_CONCURRENT_POLLS),
        repr=False,
    )
    poll_pacer: LoopPacer = field(
        default_factory=lambda: LoopPacer(const.POLL_STEPS_PER_TURN), repr=False
    )
    # Miner row changes (firmware, mode...) written many miners at a time.
    miner_rows: MinerRowQueue = field(default_factory=MinerRowQueue, repr=False)
    # Each miner's share counters of the last hour (its pool's reject rate).
    counter_samples: dict[int, deque[CounterRow]] = field(default_factory=dict)
    # Best shares and blocks (the hub's tracker, which lists its pools).
    share_tracker: ShareObserver


class MinerStatus(StrEnum):
    """What a miner is doing, as the status sensor shows it (always available)."""

    CONNECTING = "connecting"
    MINING = "mining"
    IDLE = "idle"
    CALIBRATING = "calibrating"
    UNREACHABLE = "unreachable"
    REFUSED = "refused"
    POLLING_PAUSED = "polling_paused"
    OFF_BY_STRATEGY = "off_by_strategy"


def scan_interval(data: Mapping[str, Any]) -> timedelta:
    """Return the polling interval stored in a miner subentry."""
    seconds = data.get(CONF_SCAN_INTERVAL)
    return timedelta(seconds=seconds) if seconds else DEFAULT_SCAN_INTERVAL


def build_driver(services: MinerServices, data: Mapping[str, Any]) -> MinerDriver:
    """Create the protocol driver for a miner subentry's data.

    No session is passed: an HTTP driver keeps one connection of its own to
    its miner, reused by every poll and command (Home Assistant's shared pool
    would mix every miner's sockets and drop them between polls). Whoever
    replaces or drops the driver closes it.
    """
    return create_driver(
        MinerType(data[CONF_MINER_TYPE]),
        data[CONF_HOST],
        data.get(CONF_PORT),
        web_password=data.get(CONF_WEB_PASSWORD),
        # Only broadcast-mode NMMiners read from the listener; others use HTTP.
        nmminer_listener=(
            services.nmminer_listener if data.get(CONF_NMMINER_BROADCAST) else None
        ),
    )
