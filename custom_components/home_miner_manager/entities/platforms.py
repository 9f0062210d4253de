"""What the sensor platform adds for prices, the strategy and energy cost."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.const import Platform
from homeassistant.core import callback

from .cost_sensors import async_setup_cost_sensors
from .price_sensors import price_sensors
from .strategy import strategy_reason_sensors, strategy_sensors

if TYPE_CHECKING:
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from ..data import HMMConfigEntry


@callback
def async_setup_strategy_sensors(
    entry: HMMConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add price, band, reason and cost sensors (none until prices are set)."""
    entities = [*price_sensors(entry), *strategy_sensors(entry)]
    if entities:
        async_add_entities(entities)
    if (runner := entry.runtime_data.strategy) is not None:
        entry.async_on_unload(
            entry.runtime_data.async_add_platform(
                Platform.SENSOR, strategy_reason_sensors(runner), async_add_entities
            )
        )
    async_setup_cost_sensors(entry, async_add_entities)
