"""Start and stop health scoring, alerts and notifications of a hub entry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .health_runner import HealthRunner

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .data import HMMConfigEntry, HubData


async def async_start_monitoring(hass: HomeAssistant, entry: HMMConfigEntry) -> None:
    """Start the hourly health scores (before the platforms: sensors read them)."""
    hub = entry.runtime_data
    hub.health = HealthRunner(hass, entry)
    await hub.health.async_start()


def stop_monitoring(hub: HubData) -> None:
    """Stop timers (the database closes after this)."""
    if hub.health is not None:
        hub.health.stop()
