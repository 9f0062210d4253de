"""Entities that follow the whole fleet: the hub's own, and the pools'.

Their state depends on many miners, which report one after another during a
poll burst; a state write per miner update would be hundreds a cycle, so they
write at most once a second.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.event import async_call_later

from ..const import DOMAIN

if TYPE_CHECKING:
    from datetime import datetime

    from ..data import HubData

WRITE_DELAY = 1.0  # seconds


class DebouncedWrite(Entity):
    """Writes its state at most once a second, however often it changes."""

    _unsub_write: CALLBACK_TYPE | None = None

    @callback
    def _async_changed(self) -> None:
        if self._unsub_write is None:
            self._unsub_write = async_call_later(self.hass, WRITE_DELAY, self._write)

    @callback
    def _write(self, _now: datetime) -> None:
        self._unsub_write = None
        self.async_write_ha_state()

    async def async_will_remove_from_hass(self) -> None:
        """Drop a pending write."""
        await super().async_will_remove_from_hass()
        if self._unsub_write is not None:
            self._unsub_write()
            self._unsub_write = None


class FollowsMiners(DebouncedWrite):
    """Writes its state (debounced) when any miner updates, comes or goes."""

    @callback
    def _async_follow(self, hub: HubData) -> None:
        """Start following (call from ``async_added_to_hass``)."""
        self.async_on_remove(hub.async_add_miner_listener(self._async_changed))


class HubEntity(FollowsMiners):
    """An entity of the hub device itself."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self, hub: HubData, entry_id: str, description: EntityDescription
    ) -> None:
        """Attach to the hub device (created before the platforms load)."""
        self.hub = hub
        self.entity_description = description
        self._attr_unique_id = f"{entry_id}_{description.key}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, entry_id)})

    async def async_added_to_hass(self) -> None:
        """Follow every miner's updates, and miners added or removed."""
        await super().async_added_to_hass()
        self._async_follow(self.hub)
