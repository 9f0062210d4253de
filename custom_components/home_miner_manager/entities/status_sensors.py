"""Status sensors: what each miner is doing, and how many are not mining.

Unlike the value sensors these stay available when a miner is down: "down,
and why" is exactly what they are for, and a paused miner must not look like a
broken one.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)

from ..entity import MinerEntity
from ..miner.runtime import MinerStatus
from .hub_entity import HubEntity

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
