"""Follow a miner through a restart: poll every few seconds until it is back.

Otherwise the device page keeps the old values (or shows it down) until the
next scheduled poll, up to a full interval later. "Back" means it answers
with a lower uptime than before the command (bounded to two minutes).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

if TYPE_CHECKING:
    from ..devices.snapshot import MinerSnapshot

POLL_EVERY = timedelta(seconds=5)
WATCH_FOR = timedelta(minutes=2)


class RestartingMiner(Protocol):
    """What a restart watch needs of a miner (``MinerCoordinator`` has it)."""

    hass: HomeAssistant
    last_update_success: bool

    @property
    def data(self) -> MinerSnapshot | None:
        """Return the latest poll (None before the first answer)."""

    async def async_refresh(self) -> None:
        """Poll the miner now."""


class RestartWatch:
    """One restart being followed (a new one replaces it)."""

    def __init__(self, coordinator: RestartingMiner) -> None:
        """Remember the uptime before the restart and schedule the first poll."""
        self._coordinator = coordinator
        data = coordinator.data
        self._before = data.uptime_seconds if data is not None else None
        self._deadline = dt_util.utcnow() + WATCH_FOR
        self._unsub: CALLBACK_TYPE | None = async_call_later(
            coordinator.hass, POLL_EVERY, self._async_check
        )

    @property
    def active(self) -> bool:
        """Return whether a poll is still scheduled."""
        return self._unsub is not None

    @callback
    def cancel(self) -> None:
        """Stop following (shutdown, or a newer restart)."""
        if self._unsub is not None:
            self._unsub()
            self._unsub = None

    async def _async_check(self, _now: datetime) -> None:
        self._unsub = None
        coordinator = self._coordinator
        await coordinator.async_refresh()
        data = coordinator.data
        uptime = data.uptime_seconds if data is not None else None
        back = coordinator.last_update_success and (
            self._before is None or (uptime is not None and uptime < self._before)
        )
        if not back and dt_util.utcnow() < self._deadline:
            self._unsub = async_call_later(
                coordinator.hass, POLL_EVERY, self._async_check
            )
