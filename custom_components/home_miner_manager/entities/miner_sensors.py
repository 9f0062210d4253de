"""Miner sensor entities; their descriptions are in ``sensor.py``.

Hashrate has no Home Assistant device class (so no unit conversion); each miner
type gets one fixed unit that suits its size, so long-term statistics never
see a unit change: Bitaxe GH/s, NerdQAxe and Avalon Nano TH/s, NMMiner kH/s.

The status sensor stays available when a miner is down: "down, and why" is
exactly what it is for, and a paused miner must not look like a broken one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from homeassistant.components.sensor import SensorEntity, SensorEntityDescription
from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from ..devices.types import MinerType
from ..devices.units import hashrate_factor
from ..entity import MinerEntity
from .share_sensors import difficulty_precision

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.helpers.typing import StateType

    from ..miner.coordinator import MinerCoordinator

# A reported uptime that moves the computed boot time by less than this is
# clock noise between the miner and Home Assistant, not a restart.
RESTART_TOLERANCE = timedelta(seconds=60)


class HashrateScale(NamedTuple):
    """The unit one miner type's hashrate is shown in."""

    unit: str
    precision: int

    @property
    def per_ghs(self) -> float:
        """Return how many of this unit make one GH/s (the shared unit table)."""
        factor = hashrate_factor(self.unit)
        assert factor is not None  # the units below are all in the table
        return 1.0 / factor


HASHRATE_SCALES: dict[str, HashrateScale] = {
    MinerType.BITAXE: HashrateScale("GH/s", 1),
    MinerType.NERDQAXE: HashrateScale("TH/s", 2),
    MinerType.AVALON_NANO: HashrateScale("TH/s", 2),
    MinerType.NMMINER: HashrateScale("kH/s", 1),
}
DEFAULT_SCALE = HashrateScale("GH/s", 1)


def _scale(coordinator: MinerCoordinator) -> HashrateScale:
    return HASHRATE_SCALES.get(coordinator.miner_type, DEFAULT_SCALE)


@dataclass(frozen=True, kw_only=True)
class MinerSensorDescription(SensorEntityDescription):
    """Describe one miner sensor."""

    exists_fn: Callable[[MinerCoordinator], bool] = lambda _: True
    value_fn: Callable[[MinerCoordinator], StateType | datetime]
    # value_fn returns GH/s; the entity shows it in the miner type's unit.
    hashrate: bool = False
    # A share difficulty: shown like every other difficulty of the integration.
    difficulty: bool = False


class MinerSensor(MinerEntity, SensorEntity):
    """A sensor whose value is read from the latest snapshot."""

    entity_description: MinerSensorDescription

    def __init__(
        self, coordinator: MinerCoordinator, description: MinerSensorDescription
    ) -> None:
        """Give hashrate the unit of this miner type."""
        super().__init__(coordinator, description)
        if description.hashrate:
            scale = _scale(coordinator)
            self._attr_native_unit_of_measurement = scale.unit
            self._attr_suggested_display_precision = scale.precision
        if description.difficulty:
            self._attr_suggested_display_precision = difficulty_precision(coordinator)

    @property
    def native_value(self) -> StateType | datetime:
        """Return the value from the latest snapshot (None → unknown)."""
        if self.snapshot is None:
            return None
        value = self.entity_description.value_fn(self.coordinator)
        if self.entity_description.hashrate and isinstance(value, int | float):
            scale = _scale(self.coordinator)
            # Drop float noise from the unit change; keep more than is shown.
            return round(value * scale.per_ghs, scale.precision + 3)
        return value


class MinerLastRestartSensor(MinerEntity, SensorEntity):
    """When the miner last booted, derived from its uptime.

    A timestamp rather than an uptime counter so the state does not change on
    every poll; it moves only when the miner restarts.
    """

    entity_description: MinerSensorDescription
    _boot: datetime | None = None

    @callback
    def _handle_coordinator_update(self) -> None:
        self._update_boot()
        super()._handle_coordinator_update()

    async def async_added_to_hass(self) -> None:
        """Compute the boot time from data already fetched."""
        await super().async_added_to_hass()
        self._update_boot()

    def _update_boot(self) -> None:
        if self.snapshot is None or not self.coordinator.available:
            return
        uptime = self.snapshot.uptime_seconds
        if uptime is None:
            self._boot = None
            return
        boot = dt_util.utcnow().replace(microsecond=0) - timedelta(seconds=uptime)
        if self._boot is None or abs(boot - self._boot) >= RESTART_TOLERANCE:
            self._boot = boot

    @property
    def native_value(self) -> datetime | None:
        """Return the boot time."""
        return self._boot


class MinerStatusSensor(MinerEntity, SensorEntity):
    """Mining, idle, calibrating, unreachable (with the reason), paused..."""

    entity_description: MinerSensorDescription

    @property
    def available(self) -> bool:
        """Always available: it reports the miner being down."""
        return True

    @property
    def native_value(self) -> StateType | datetime:
        """Return the miner's status (known without a snapshot too)."""
        return self.entity_description.value_fn(self.coordinator)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return why the miner is not answering (a translation key)."""
        return {"reason": self.coordinator.status_reason}
