"""Calendar platform: the strategy's plan (``entities/strategy_calendar.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .entities.strategy_calendar import strategy_calendars

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .data import HMMConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HMMConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the plan calendar (none until a price source is set)."""
    if entities := strategy_calendars(entry):
        async_add_entities(entities)
