"""Base entity of a pool device: unique id and device info, built once.

Each pool is a device of its own (a service under the hub), holding its
health as its coordinator last checked it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from ..compat import via_device_link
from ..const import DOMAIN
from ..hub.pool_sync import pool_device_identifier, pool_model
from ..pool.coordinator import PoolCoordinator
from .hub_entity import FollowsMiners

if TYPE_CHECKING:
    from homeassistant.helpers.entity import EntityDescription


class PoolEntity(CoordinatorEntity[PoolCoordinator], FollowsMiners):
    """An entity of one pool, fed by its checks and by the miners on it."""

    _attr_has_entity_name = True

    def __init__(self, pool: PoolCoordinator, description: EntityDescription) -> None:
        """Set the unique id and device info from the pool."""
        super().__init__(pool)
        self.entity_description = description
        subentry_id = pool.subentry.subentry_id
        self._attr_unique_id = f"pool_{subentry_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={pool_device_identifier(subentry_id)},
            name=pool.title,
            manufacturer="Home Miner Manager",
            model=pool_model(pool.subentry.data),
            entry_type=dr.DeviceEntryType.SERVICE,
        )
        entry_id = pool.config_entry.entry_id
        self._attr_device_info.update(
            via_device_link(dr.async_get(pool.hass), (DOMAIN, entry_id), entry_id)
        )

    async def async_added_to_hass(self) -> None:
        """Also follow the miners (how many are on the pool, their shares)."""
        await super().async_added_to_hass()
        self._async_follow(self.coordinator.hub)  # type: ignore[arg-type]

    @property
    def available(self) -> bool:
        """Return False until the first check, or while the pool is disabled."""
        return self.coordinator.enabled and self.coordinator.data is not None
