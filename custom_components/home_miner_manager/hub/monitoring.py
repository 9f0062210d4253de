"""Start and stop health scores, alerts, notifications and rules of a hub entry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..monitor.alerts import AlertRunner
from ..monitor.health import HealthRunner
from ..monitor.notify_channels import Notifier
from ..monitor.rules import RuleRunner
from ..options.audit import async_track_options

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from ..data import HMMConfigEntry, HubData


async def async_start_monitoring(hass: HomeAssistant, entry: HMMConfigEntry) -> None:
    """Start health scores, channels and alerts (before the platforms)."""
    hub = entry.runtime_data
    hub.health = HealthRunner(hass, entry)
    await hub.health.async_start()
    hub.notifier = Notifier(hass, entry)
    await hub.notifier.async_load()
    hub.alerts = AlertRunner(hass, entry, hub.notifier)
    await hub.alerts.async_start()
    entry.async_on_unload(async_track_options(hass, entry))
    hub.rules = RuleRunner(hass, entry)
    await hub.rules.async_start()


def stop_monitoring(hub: HubData) -> None:
    """Stop timers and listeners (the database closes after this)."""
    if hub.rules is not None:
        hub.rules.stop()
    if hub.alerts is not None:
        hub.alerts.stop()
    if hub.health is not None:
        hub.health.stop()
