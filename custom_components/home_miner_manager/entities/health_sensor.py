"""The per-miner "health" sensor: the latest hourly score and its four parts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory

from ..compat import PERCENTAGE
from ..entity import MinerEntity

if TYPE_CHECKING:
    from ..miner.coordinator import MinerCoordinator
    from ..monitor.health import HealthCoordinator

HEALTH = SensorEntityDescription(
    key="health",
    translation_key="health",
    native_unit_of_measurement=PERCENTAGE,
    state_class=SensorStateClass.MEASUREMENT,
    entity_category=EntityCategory.DIAGNOSTIC,
    suggested_display_precision=0,
)
# HealthScore columns shown as attributes (the overall one is the state).
_ATTRIBUTES = {
    "uptime": "uptime_score",
    "temperature": "temperature_score",
    "hashrate_stability": "hashrate_score",
    "reject_rate": "reject_rate_score",
}


def build_health_sensors(coordinator: MinerCoordinator) -> list[SensorEntity]:
    """Return the miner's health sensor."""
    health = coordinator.config_entry.runtime_data.health
    return [MinerHealthSensor(coordinator, HEALTH, health)]


class MinerHealthSensor(MinerEntity, SensorEntity):
    """Overall health 0-100 % over the last 24 h; components as attributes."""

    def __init__(
        self,
        coordinator: MinerCoordinator,
        description: SensorEntityDescription,
        health: HealthCoordinator,
    ) -> None:
        """Follow the hourly scores of ``health`` as well as the miner."""
        super().__init__(coordinator, description)
        self._health = health

    async def async_added_to_hass(self) -> None:
        """Write the state when new scores are in."""
        await super().async_added_to_hass()
        self.async_on_remove(self._health.async_add_listener(self.async_write_ha_state))

    @property
    def _score(self) -> dict[str, Any] | None:
        return self._health.scores.get(self.coordinator.miner_id)

    @property
    def available(self) -> bool:
        """A score describes the past day: known while the miner is down too.

        Before the first score it follows the miner (unknown while it runs).
        """
        return self._score is not None or super().available

    @property
    def native_value(self) -> float | None:
        """Return the overall score."""
        score = self._score
        return None if score is None else float(score["overall_score"])

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return the four components and when the score was computed."""
        score = self._score
        if score is None:
            return {}
        attributes: dict[str, Any] = {
            name: score.get(column) for name, column in _ATTRIBUTES.items()
        }
        attributes["scored_at"] = score["timestamp"].isoformat() + "Z"
        return attributes
