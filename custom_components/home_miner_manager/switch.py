"""Polling switch: stop talking to a miner without removing it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory, Platform

from .entities.strategy import async_setup_strategy_switches
from .entity import MinerEntity
from .miner.commands import async_set_polling_enabled

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .data import HMMConfigEntry
    from .miner.coordinator import MinerCoordinator

PARALLEL_UPDATES = 1

POLLING = SwitchEntityDescription(
    key="polling",
    translation_key="polling",
    entity_category=EntityCategory.CONFIG,
)


def miner_switches(coordinator: MinerCoordinator) -> list[MinerPollingSwitch]:
    """Return the switch entities of a miner."""
    return [MinerPollingSwitch(coordinator, POLLING)]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HMMConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a polling switch for every miner."""
    async_setup_strategy_switches(entry, async_add_entities)
    entry.async_on_unload(
        entry.runtime_data.async_add_platform(
            Platform.SWITCH, miner_switches, async_add_entities
        )
    )


class MinerPollingSwitch(MinerEntity, SwitchEntity):
    """Whether Home Assistant polls this miner."""

    @property
    def available(self) -> bool:
        """Stay usable while polling is off or the miner is unreachable.

        This switch is how a user stops polling an offline miner, so it
        must not go unavailable with the miner's data.
        """
        return True

    @property
    def is_on(self) -> bool:
        """Return whether polling is enabled."""
        return self.coordinator.polling_enabled

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Resume polling."""
        await async_set_polling_enabled(self.coordinator, True, user_id=self.user_id)
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop polling."""
        await async_set_polling_enabled(self.coordinator, False, user_id=self.user_id)
        self.async_write_ha_state()
