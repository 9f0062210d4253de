"""Restart button."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.button import (
    ButtonDeviceClass,
    ButtonEntity,
    ButtonEntityDescription,
)
from homeassistant.const import EntityCategory, Platform

from .entities.channel_buttons import async_setup_channel_buttons
from .entity import MinerEntity
from .miner.commands import async_restart

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .data import HMMConfigEntry
    from .miner.coordinator import MinerCoordinator

PARALLEL_UPDATES = 1

RESTART = ButtonEntityDescription(
    key="restart",
    device_class=ButtonDeviceClass.RESTART,
    entity_category=EntityCategory.CONFIG,
)


def miner_buttons(coordinator: MinerCoordinator) -> list[MinerRestartButton]:
    """Return the button entities of a miner."""
    return [MinerRestartButton(coordinator, RESTART)]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HMMConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a restart button for every miner."""
    entry.async_on_unload(
        entry.runtime_data.async_add_platform(
            Platform.BUTTON, miner_buttons, async_add_entities
        )
    )
    async_setup_channel_buttons(hass, entry, async_add_entities)


class MinerRestartButton(MinerEntity, ButtonEntity):
    """Restart the miner."""

    async def async_press(self) -> None:
        """Restart; the coordinator raises a translated error on failure."""
        await async_restart(self.coordinator, user_id=self.user_id)
