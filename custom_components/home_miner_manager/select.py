"""Mode select: eco/standard/turbo/oc on AxeOS, low/med/high on Avalon."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import Platform

from .commands import async_set_mode
from .entity import MinerEntity

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import MinerCoordinator
    from .data import HMMConfigEntry

# One mode change at a time per platform: miners take seconds to apply one.
PARALLEL_UPDATES = 1

MODE = SelectEntityDescription(key="mode", translation_key="mode")


def miner_selects(coordinator: MinerCoordinator) -> list[MinerModeSelect]:
    """Return the select entities of a miner."""
    if not coordinator.driver.modes:
        return []
    return [MinerModeSelect(coordinator, MODE)]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HMMConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a mode select for every miner that has modes (not NMMiner)."""
    entry.async_on_unload(
        entry.runtime_data.async_add_platform(
            Platform.SELECT, miner_selects, async_add_entities
        )
    )


class MinerModeSelect(MinerEntity, SelectEntity):
    """The miner's operating mode."""

    @property
    def options(self) -> list[str]:
        """Return the driver's modes (it may refine them after a fetch)."""
        return list(self.coordinator.driver.modes)

    @property
    def current_option(self) -> str | None:
        """Return the mode the miner reports (None when it is between modes)."""
        if self.snapshot is None:
            return None
        mode = self.snapshot.mode
        return mode if mode in self.coordinator.driver.modes else None

    async def async_select_option(self, option: str) -> None:
        """Apply a mode; the coordinator raises a translated error on failure."""
        await async_set_mode(self.coordinator, option, user_id=self.user_id)
