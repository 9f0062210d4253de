"""Runtime data kept on the hub config entry."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, callback

if TYPE_CHECKING:
    from aiohttp import ClientSession

    from .coordinator import MinerCoordinator
    from .db import Database
    from .devices import NMMinerListener

type MinerListener = Callable[[MinerCoordinator], None]


@dataclass
class HubData:
    """Everything the hub entry owns while it is loaded."""

    database: Database
    session: ClientSession
    coordinators: dict[str, MinerCoordinator] = field(default_factory=dict)
    nmminer_listener: NMMinerListener | None = None
    # The database URL this runtime was opened with (a change means reload).
    db_url: str = ""
    closed: bool = False
    # Serialises subentry add/remove/reconfigure handling.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    _miner_listeners: list[MinerListener] = field(default_factory=list, repr=False)

    @callback
    def async_add_miner_listener(self, cb: MinerListener) -> CALLBACK_TYPE:
        """Call ``cb`` for every miner coordinator, now and when one is added.

        Platforms use this to add entities for miners created at runtime
        (a new subentry) without reloading the hub.
        """
        self._miner_listeners.append(cb)
        for coordinator in list(self.coordinators.values()):
            cb(coordinator)

        @callback
        def _remove() -> None:
            if cb in self._miner_listeners:
                self._miner_listeners.remove(cb)

        return _remove

    @callback
    def async_add_coordinator(self, coordinator: MinerCoordinator) -> None:
        """Register a new miner coordinator and tell the platforms about it."""
        self.coordinators[coordinator.subentry.subentry_id] = coordinator
        for cb in list(self._miner_listeners):
            cb(coordinator)


type HMMConfigEntry = ConfigEntry[HubData]
