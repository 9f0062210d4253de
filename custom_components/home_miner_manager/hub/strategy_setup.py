"""Start and stop the prices, strategy and crypto runtime of a hub entry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..agile.coordinator import StrategyCoordinator
from ..agile.pools import pool_refs
from ..const import (
    CONF_CRYPTO_PRICES,
    CONF_PRICE_ENTITY,
    CONF_PRICE_SOURCE,
    CONF_REGION,
    DEFAULT_REGION,
    PRICE_SOURCE_ENTITY,
)
from ..tariff.coin_prices import CoinPriceCoordinator
from ..tariff.coordinator import PriceCoordinator, prices_configured

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from ..data import HMMConfigEntry, HubData


def reload_options(entry: HMMConfigEntry) -> tuple[Any, ...]:
    """Return the options whose change needs the runtime rebuilt.

    As the runtime reads them (defaults filled in), so a first save of a step
    that writes an unchanged default ("crypto_prices": False where it was
    absent) is no change.
    """
    options = entry.options
    return (
        str(options.get(CONF_PRICE_SOURCE) or PRICE_SOURCE_ENTITY),
        str(options.get(CONF_PRICE_ENTITY) or ""),
        str(options.get(CONF_REGION) or DEFAULT_REGION).upper(),
        bool(options.get(CONF_CRYPTO_PRICES)),
    )


async def async_start_strategy(hass: HomeAssistant, entry: HMMConfigEntry) -> None:
    """Start prices and the strategy once a price source is configured."""
    hub = entry.runtime_data
    hub.strategy_options = reload_options(entry)
    if not prices_configured(entry.options):
        return
    prices = PriceCoordinator(hass, entry, hub.database, hub.session)
    hub.prices = prices
    await prices.async_start()
    strategy = StrategyCoordinator(
        hass,
        entry,
        prices=prices,
        database=hub.database,
        coordinators=hub.coordinators,
    )
    hub.strategy = strategy
    await strategy.async_start()
    if entry.options.get(CONF_CRYPTO_PRICES):
        hub.crypto = coin_price_coordinator(hass, entry)
        await hub.crypto.async_start()


def coin_price_coordinator(
    hass: HomeAssistant, entry: HMMConfigEntry
) -> CoinPriceCoordinator:
    """Return the coin prices of the hub's enabled pools (not started)."""
    hub = entry.runtime_data
    return CoinPriceCoordinator(
        hass,
        entry,
        hub.database,
        hub.session,
        lambda: [ref.coin for ref in pool_refs(entry) if ref.enabled],
    )


async def async_stop_strategy(hub: HubData) -> None:
    """Stop timers and listeners (the database closes after this)."""
    if hub.crypto is not None:
        await hub.crypto.async_shutdown()
    if hub.strategy is not None:
        hub.strategy.async_stop()
    if hub.prices is not None:
        hub.prices.async_stop()
