"""Restart button."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.button import (
    ButtonDeviceClass,
    ButtonEntity,
    ButtonEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback

from .entity import MinerEntity

if TYPE_CHECKING:
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import MinerCoordinator
    from .data import HMMConfigEntry

PARALLEL_UPDATES = 1

RESTART = ButtonEntityDescription(
    key="restart",
    device_class=ButtonDeviceClass.RESTART,
    entity_category=EntityCategory.CONFIG,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HMMConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a restart button for every miner."""

    @callback
    def add_miner(coordinator: MinerCoordinator) -> None:
        async_add_entities(
            [MinerRestartButton(coordinator, RESTART)],
            config_subentry_id=coordinator.subentry.subentry_id,
        )

    entry.async_on_unload(entry.runtime_data.async_add_miner_listener(add_miner))


class MinerRestartButton(MinerEntity, ButtonEntity):
    """Restart the miner."""

    async def async_press(self) -> None:
        """Restart; the coordinator raises a translated error on failure."""
        await self.coordinator.async_restart(user_id=self.user_id)
