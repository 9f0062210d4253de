"""Pool sensors: response time, health, reject rate, miners, difficulties."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, UnitOfTime

from ..compat import PERCENTAGE
from ..entity import PoolEntity

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.helpers.typing import StateType

    from ..miner.coordinator import MinerCoordinator
    from ..miner.fleet import FleetCoordinator
    from ..pool.coordinator import PoolCoordinator


@dataclass(frozen=True, kw_only=True)
class PoolSensorDescription(SensorEntityDescription):
    """A pool sensor and how to read its value."""

    value_fn: Callable[[PoolCoordinator], StateType]
    # Values that need the last check to have reached the pool.
    needs_answer: bool = False


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


POOL_SENSORS: tuple[PoolSensorDescription, ...] = (
    PoolSensorDescription(
        key="response_time",
        translation_key="response_time",
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        needs_answer=True,
        value_fn=lambda p: _round(p.data.check.response_time_ms, 1),
    ),
    PoolSensorDescription(
        key="health_score",
        translation_key="health_score",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda p: _round(p.data.health_score, 1),
    ),
    PoolSensorDescription(
        key="reject_rate",
        translation_key="pool_reject_rate",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=lambda p: _round(p.data.reject_rate, 4),
    ),
    PoolSensorDescription(
        key="miners",
        translation_key="pool_miners",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda p: len(p.miners()),
    ),
    PoolSensorDescription(
        key="network_difficulty",
        translation_key="network_difficulty",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        suggested_display_precision=0,
        value_fn=lambda p: _round(p.network_difficulty(), 0),
    ),
    PoolSensorDescription(
        key="best_share_round",
        translation_key="best_share_round",
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda p: _round(p.best_share(), 0),
    ),
)


def pool_sensors(
    pool: PoolCoordinator, fleet: FleetCoordinator[MinerCoordinator]
) -> list[PoolSensor]:
    """Return the sensors of a pool."""
    return [PoolSensor(pool, description, fleet) for description in POOL_SENSORS]


class PoolSensor(PoolEntity, SensorEntity):
    """A value of the pool's last check (or of the miners on it)."""

    entity_description: PoolSensorDescription

    @property
    def native_value(self) -> StateType:
        """Return the value; unknown when the pool did not answer."""
        if self.entity_description.needs_answer and not self.coordinator.data.reachable:
            return None
        return self.entity_description.value_fn(self.coordinator)
