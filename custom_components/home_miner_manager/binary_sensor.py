"""Pool connectivity: did the pool answer its last stratum check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import Platform

from .entity import PoolEntity

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .data import HMMConfigEntry
    from .miner.coordinator import MinerCoordinator
    from .miner.fleet import FleetCoordinator
    from .pool.coordinator import PoolCoordinator

PARALLEL_UPDATES = 0

REACHABLE = BinarySensorEntityDescription(
    key="reachable",
    translation_key="reachable",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
)


def pool_binary_sensors(
    pool: PoolCoordinator, fleet: FleetCoordinator[MinerCoordinator]
) -> list[PoolReachableSensor]:
    """Return the binary sensors of a pool."""
    return [PoolReachableSensor(pool, REACHABLE, fleet)]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HMMConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a connectivity sensor for every pool, now and when one is added."""
    hub = entry.runtime_data
    entry.async_on_unload(
        hub.async_add_pool_platform(
            Platform.BINARY_SENSOR,
            lambda pool: pool_binary_sensors(pool, hub.fleet),
            async_add_entities,
        )
    )


class PoolReachableSensor(PoolEntity, BinarySensorEntity):
    """On when the pool answered subscribe (and authorize) at its last check."""

    @property
    def is_on(self) -> bool | None:
        """Return whether the pool answered."""
        return (
            None if self.coordinator.data is None else self.coordinator.data.reachable
        )
