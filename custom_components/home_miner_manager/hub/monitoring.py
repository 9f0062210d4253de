"""Start and stop health scores, alerts, notifications and rules of a hub entry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..monitor.alerts import AlertCoordinator
from ..monitor.health import HealthCoordinator
from ..monitor.notify_channels import Notifier
from ..monitor.rules import RuleRunner
from ..monitor.watched import Watched

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from ..data import HMMConfigEntry, HubData


async def async_start_monitoring(hass: HomeAssistant, entry: HMMConfigEntry) -> None:
    """Start health scores, channels and alerts (before the platforms)."""
    hub = entry.runtime_data
    database = hub.database
    hub.health = HealthCoordinator(hass, entry, database, hub.coordinators)
    await hub.health.async_start()
    hub.notifier = Notifier(hass, entry, database=database, session=hub.session)
    await hub.notifier.async_load()
    # Prices and the strategy may start later (a first price source).
    watched = Watched(
        coordinators=hub.coordinators, pools=hub.pools, strategy=lambda: hub.strategy
    )
    hub.alerts = AlertCoordinator(
        hass,
        entry,
        database=database,
        notifier=hub.notifier,
        watched=watched,
        add_miner_listener=hub.fleet.async_add_listener,
    )
    await hub.alerts.async_start()
    hub.rules = RuleRunner(
        hass,
        entry,
        database=database,
        notifier=hub.notifier,
        alerts=hub.alerts,
        watched=watched,
        prices=lambda: hub.prices,
    )
    await hub.rules.async_start()


def stop_monitoring(hub: HubData) -> None:
    """Stop timers and listeners (the database closes after this)."""
    for service in (hub.rules, hub.alerts, hub.health, hub.notifier):
        if service is not None:
            service.async_stop()
