"""Apply saved hub options to the running hub, without reloading it.

A reload stops every coordinator: each miner's entities become unavailable
for a moment and every device's activity fills with "became unavailable".
So an options save changes the running services in place; only what
cannot change in place reloads: another database (hub.py, the subentry
listener), and a price source removed (the strategy's entities, per miner
too, go away). A first price source starts the prices and the strategy
(the same objects, built with the hub) and adds their entities to the
running platforms; the coin prices option starts or stops the coin prices.

The options flow only saves (``async_create_entry``); this update listener
does the rest. It is never combined with the flow's reloading helpers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.const import Platform
from homeassistant.core import callback
from homeassistant.helpers import entity_platform, entity_registry as er

from ..const import DOMAIN
from ..entities.price_sensors import CryptoPriceSensor
from ..entities.strategy import async_setup_strategy_switches
from ..entities.strategy_calendar import strategy_calendars
from ..hub.setup import async_start_strategy, reload_options
from ..prices.crypto import COINS
from ..sensor import async_setup_strategy_sensors
from ..tariff.coordinator import prices_configured

if TYPE_CHECKING:
    from collections.abc import Iterable

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity import Entity
    from homeassistant.helpers.entity_platform import (
        AddConfigEntryEntitiesCallback,
        EntityPlatform,
    )

    from ..data import HMMConfigEntry

_PRICE_KEYS = slice(0, 3)  # source, entity, region in reload_options()
_CRYPTO = 3


async def async_options_updated(hass: HomeAssistant, entry: HMMConfigEntry) -> None:
    """Update listener: follow changed options in place; reload only if needed."""
    hub = entry.runtime_data
    new = reload_options(entry)
    old = hub.strategy_options
    if new != old:
        configured = prices_configured(entry.options)
        if hub.prices.configured and not configured:
            # The strategy stops: its entities (per miner too) go away.
            hass.config_entries.async_schedule_reload(entry.entry_id)
            return
        if not hub.prices.configured:
            if configured:
                await _async_start_prices(hass, entry)
            hub.strategy_options = new
            return
        hub.strategy_options = new
        if new[_PRICE_KEYS] != old[_PRICE_KEYS]:
            await hub.prices.async_restart()
        if new[_CRYPTO] != old[_CRYPTO]:
            await _async_apply_crypto(hass, entry, enabled=bool(new[_CRYPTO]))
    if hub.prices.configured:
        await hub.strategy.async_evaluate("options")


async def _async_start_prices(hass: HomeAssistant, entry: HMMConfigEntry) -> None:
    """Start the strategy for a first price source; add its entities in place."""
    # The prices read the options again: now they have a source.
    await entry.runtime_data.prices.async_restart()
    await async_start_strategy(entry)
    for platform in _platforms(hass, entry):
        add = _adder(hass, entry, platform)
        if platform.domain == Platform.SENSOR:
            async_setup_strategy_sensors(entry, add)
        elif platform.domain == Platform.SWITCH:
            async_setup_strategy_switches(entry, add)
        elif platform.domain == Platform.CALENDAR:
            add(strategy_calendars(entry))


def _platforms(hass: HomeAssistant, entry: HMMConfigEntry) -> list[EntityPlatform]:
    """Return the hub's loaded entity platforms."""
    return [
        platform
        for platform in entity_platform.async_get_platforms(hass, DOMAIN)
        if platform.config_entry is entry
    ]


def _adder(
    hass: HomeAssistant, entry: HMMConfigEntry, platform: EntityPlatform
) -> AddConfigEntryEntitiesCallback:
    """Return an add-entities callback for a platform already set up."""

    @callback
    def _add(
        new_entities: Iterable[Entity],
        update_before_add: bool = False,
        *,
        config_subentry_id: str | None = None,
    ) -> None:
        entry.async_create_task(
            hass,
            platform.async_add_entities(
                list(new_entities),
                update_before_add,
                config_subentry_id=config_subentry_id,
            ),
            f"{DOMAIN} add {platform.domain} entities",
        )

    return _add


async def _async_apply_crypto(
    hass: HomeAssistant, entry: HMMConfigEntry, *, enabled: bool
) -> None:
    """Start or stop coin prices, adding or removing their sensors."""
    hub = entry.runtime_data
    if not enabled:
        hub.crypto.async_stop()
        registry = er.async_get(hass)
        for coin in COINS:
            unique_id = f"{entry.entry_id}_crypto_price_{coin.lower()}"
            if entity_id := registry.async_get_entity_id(
                Platform.SENSOR, DOMAIN, unique_id
            ):
                registry.async_remove(entity_id)
        return
    if hub.crypto.enabled:
        return
    await hub.crypto.async_start()
    for platform in _platforms(hass, entry):
        if platform.domain == Platform.SENSOR:
            await platform.async_add_entities(
                [CryptoPriceSensor(hub.crypto, coin) for coin in COINS]
            )
