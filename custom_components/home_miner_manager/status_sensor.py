"""Status sensors: what each miner is doing, and how many are not mining.

Unlike the value sensors these stay available when a miner is down: "down,
and why" is exactly what they are for, and a paused miner must not look like a
broken one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.event import async_call_later

from .const import DOMAIN
from .coordinator import MinerStatus
from .entity import MinerEntity

if TYPE_CHECKING:
    from datetime import datetime

    from .data import HubData

WRITE_DELAY = 1.0  # seconds

STATUS = SensorEntityDescription(
    key="status",
    translation_key="status",
    device_class=SensorDeviceClass.ENUM,
    options=[status.value for status in MinerStatus],
)
NOT_MINING = SensorEntityDescription(
    key="miners_not_mining",
    translation_key="miners_not_mining",
    state_class=SensorStateClass.MEASUREMENT,
)


class MinerStatusSensor(MinerEntity, SensorEntity):
    """Mining, idle, calibrating, unreachable (with the reason), paused..."""

    entity_description: SensorEntityDescription

    @property
    def available(self) -> bool:
        """Always available: it reports the miner being down."""
        return True

    @property
    def native_value(self) -> str:
        """Return the miner's status."""
        return self.coordinator.status.value

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return why the miner is not answering (a translation key)."""
        return {"reason": self.coordinator.status_reason}


class HubEntity(Entity):
    """An entity of the hub device itself."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    _unsub_write: CALLBACK_TYPE | None = None

    def __init__(
        self, hub: HubData, entry_id: str, description: SensorEntityDescription
    ) -> None:
        """Attach to the hub device (created before the platforms load)."""
        self.hub = hub
        self.entity_description = description
        self._attr_unique_id = f"{entry_id}_{description.key}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, entry_id)})

    async def async_added_to_hass(self) -> None:
        """Follow every miner's updates, and miners added or removed."""
        await super().async_added_to_hass()
        self.async_on_remove(self.hub.async_add_miner_listener(self._async_changed))

    @callback
    def _async_changed(self) -> None:
        # Miners report one after another; one state write a second is plenty.
        if self._unsub_write is None:
            self._unsub_write = async_call_later(self.hass, WRITE_DELAY, self._write)

    @callback
    def _write(self, _now: datetime) -> None:
        self._unsub_write = None
        self.async_write_ha_state()

    async def async_will_remove_from_hass(self) -> None:
        """Drop a pending write."""
        if self._unsub_write is not None:
            self._unsub_write()
            self._unsub_write = None


class HubNotMiningSensor(HubEntity, SensorEntity):
    """How many miners are not mining, by status."""

    @property
    def native_value(self) -> int:
        """Return the number of miners whose status is not mining."""
        return sum(
            coordinator.status is not MinerStatus.MINING
            for coordinator in self.hub.coordinators.values()
        )

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return the names of those miners, per status."""
        by_status: dict[str, list[str]] = {}
        for coordinator in self.hub.coordinators.values():
            if (status := coordinator.status) is not MinerStatus.MINING:
                by_status.setdefault(status.value, []).append(coordinator.name)
        return {status: sorted(names) for status, names in sorted(by_status.items())}
