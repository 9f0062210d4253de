"""Build a hub entry's runtime whole, start it and stop it.

Every service is built here, each from what it needs (lower layers first),
before ``HubData`` is made in one call: none is added later. Without a price
source the prices are not configured and the strategy is not started; coin
prices fetch only with the ``crypto_prices`` option (``options/apply.py``
starts and stops the same objects when the options change).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ..agile.coordinator import StrategyCoordinator
from ..agile.pools import pool_refs
from ..const import (
    CONF_CRYPTO_PRICES,
    CONF_POOL_STATS_URL,
    CONF_PRICE_ENTITY,
    CONF_PRICE_SOURCE,
    CONF_REGION,
    DEFAULT_REGION,
    PRICE_SOURCE_ENTITY,
)
from ..data import HubData
from ..miner.fleet import FleetCoordinator
from ..monitor.alerts import AlertCoordinator
from ..monitor.health import HealthCoordinator
from ..monitor.notify_channels import Notifier
from ..monitor.rules import RuleRunner
from ..monitor.watched import Watched
from ..pool.best_shares import ShareTracker
from ..tariff.coin_prices import CoinPriceCoordinator
from ..tariff.coordinator import PriceCoordinator

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from ..data import HMMConfigEntry
    from ..db import Database
    from ..miner.coordinator import MinerCoordinator
    from ..pool.coordinator import PoolCoordinator


def reload_options(entry: HMMConfigEntry) -> tuple[Any, ...]:
    """Return the price options the running services follow.

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


def build_hub(
    hass: HomeAssistant, entry: HMMConfigEntry, database: Database, db_url: str
) -> HubData:
    """Build every service of the hub (nothing runs yet) and the runtime data."""
    session = async_get_clientsession(hass)
    fleet: FleetCoordinator[MinerCoordinator] = FleetCoordinator(
        hass, entry, name="miners", follow_members=True
    )
    pool_fleet: FleetCoordinator[PoolCoordinator] = FleetCoordinator(
        hass, entry, name="pools", follow_members=False
    )
    share_tracker = ShareTracker(
        hass,
        entry,
        database,
        session,
        pools=pool_fleet.data.values,
        stats_url=entry.options.get(CONF_POOL_STATS_URL),
    )
    prices = PriceCoordinator(hass, entry, database, session)
    crypto = CoinPriceCoordinator(
        hass,
        entry,
        database,
        session,
        lambda: [ref.coin for ref in pool_refs(entry) if ref.enabled],
    )
    strategy = StrategyCoordinator(
        hass, entry, prices=prices, database=database, coordinators=fleet.data
    )
    health = HealthCoordinator(hass, entry, database, fleet.data)
    notifier = Notifier(hass, entry, database=database, session=session)
    watched = Watched(coordinators=fleet.data, pools=pool_fleet.data, strategy=strategy)
    alerts = AlertCoordinator(
        hass,
        entry,
        database=database,
        notifier=notifier,
        watched=watched,
        fleet=fleet,
    )
    rules = RuleRunner(
        hass,
        entry,
        database=database,
        notifier=notifier,
        alerts=alerts,
        watched=watched,
        prices=prices,
    )
    return HubData(
        database=database,
        session=session,
        db_url=db_url,
        fleet=fleet,
        pool_fleet=pool_fleet,
        share_tracker=share_tracker,
        prices=prices,
        strategy=strategy,
        crypto=crypto,
        health=health,
        notifier=notifier,
        alerts=alerts,
        rules=rules,
        strategy_options=reload_options(entry),
    )


async def async_start_strategy(entry: HMMConfigEntry) -> None:
    """Start the strategy, and coin prices if the option is on, on running prices."""
    hub = entry.runtime_data
    await hub.strategy.async_start()
    if entry.options.get(CONF_CRYPTO_PRICES):
        await hub.crypto.async_start()


async def async_start_services(entry: HMMConfigEntry) -> None:
    """Start prices, the strategy, coin prices and monitoring (after the miners)."""
    hub = entry.runtime_data
    if hub.prices.configured:
        await hub.prices.async_start()
        await async_start_strategy(entry)
    await hub.health.async_start()
    await hub.notifier.async_load()
    await hub.alerts.async_start()
    await hub.rules.async_start()


async def async_stop_services(hub: HubData) -> None:
    """Stop timers and listeners (the database closes after this)."""
    await hub.crypto.async_shutdown()
    hub.strategy.async_stop()
    hub.prices.async_stop()
    for service in (hub.rules, hub.alerts, hub.health, hub.notifier):
        service.async_stop()
