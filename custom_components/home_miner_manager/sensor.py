"""Miner sensors: hashrate, temperature, power, shares, difficulty, energy.

The energy sensor itself lives in ``energy_sensor.py``.

Hashrate has no Home Assistant device class (so no unit conversion); each miner
type gets one fixed unit that suits its size, so long-term statistics never
see a unit change: Bitaxe GH/s, NerdQAxe and Avalon Nano TH/s, NMMiner kH/s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    REVOLUTIONS_PER_MINUTE,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    Platform,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfFrequency,
    UnitOfPower,
    UnitOfTemperature,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .compat import PERCENTAGE
from .devices.types import MinerType
from .devices.units import hashrate_factor
from .entities.energy_sensor import MinerEnergySensor
from .entities.health_sensor import build_health_sensors
from .entities.platforms import async_setup_strategy_sensors
from .entities.pool_sensors import pool_sensors
from .entities.share_sensors import (
    BEST_SHARE,
    HubBestShareSensor,
    difficulty_precision,
    miner_share_sensors,
    round_difficulty,
)
from .entities.status_sensors import (
    NOT_MINING,
    STATUS,
    HubNotMiningSensor,
    MinerStatusSensor,
)
from .entity import MinerEntity

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
    from homeassistant.helpers.typing import StateType

    from .data import HMMConfigEntry
    from .miner.coordinator import MinerCoordinator

PARALLEL_UPDATES = 0

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


def _reject_rate(coordinator: MinerCoordinator) -> float | None:
    accepted = coordinator.data.shares_accepted
    rejected = coordinator.data.shares_rejected
    if accepted is None or rejected is None or accepted + rejected == 0:
        return None
    return round(rejected * 100.0 / (accepted + rejected), 4)


def _efficiency(coordinator: MinerCoordinator) -> float | None:
    """Joules per terahash = watts / (TH/s)."""
    watts = coordinator.power_watts
    ghs = coordinator.data.hashrate_ghs
    if watts is None or not ghs:
        return None
    return round(watts / (ghs / 1000.0), 3)


def pool_address(pool: str | None) -> str | None:
    """Pool as host:port; anything that looks like credentials is dropped."""
    if not pool:
        return None
    return pool.rsplit("@", 1)[-1][:255]


def _pool(coordinator: MinerCoordinator) -> str | None:
    return pool_address(coordinator.data.pool_in_use)


def _extra(key: str) -> Callable[[MinerCoordinator], StateType]:
    def value(coordinator: MinerCoordinator) -> StateType:
        raw = coordinator.data.extras.get(key)
        return (
            raw if isinstance(raw, int | float) and not isinstance(raw, bool) else None
        )

    return value


def _for_types(*types: MinerType) -> Callable[[MinerCoordinator], bool]:
    return lambda coordinator: coordinator.miner_type in types


def _has_power(coordinator: MinerCoordinator) -> bool:
    """NMMiner has no power meter; others report it (or the user estimates it)."""
    return (
        coordinator.miner_type != MinerType.NMMINER
        or coordinator.manual_power_watts is not None
    )


@dataclass(frozen=True, kw_only=True)
class MinerSensorDescription(SensorEntityDescription):
    """Describe one miner sensor."""

    exists_fn: Callable[[MinerCoordinator], bool] = lambda _: True
    value_fn: Callable[[MinerCoordinator], StateType | datetime]
    # value_fn returns GH/s; the entity shows it in the miner type's unit.
    hashrate: bool = False
    # A share difficulty: shown like every other difficulty of the integration.
    difficulty: bool = False


AXEOS = (MinerType.BITAXE, MinerType.NERDQAXE)

SENSORS: tuple[MinerSensorDescription, ...] = (
    MinerSensorDescription(
        key="hashrate",
        translation_key="hashrate",
        state_class=SensorStateClass.MEASUREMENT,
        hashrate=True,
        value_fn=lambda c: c.data.hashrate_ghs,
    ),
    MinerSensorDescription(
        key="expected_hashrate",
        translation_key="expected_hashrate",
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=False,
        hashrate=True,
        exists_fn=_for_types(MinerType.BITAXE, MinerType.AVALON_NANO),
        value_fn=_extra("expected_hashrate_ghs"),
    ),
    MinerSensorDescription(
        key="temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda c: c.data.temperature,
    ),
    MinerSensorDescription(
        key="power",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        exists_fn=_has_power,
        value_fn=lambda c: c.power_watts,
    ),
    MinerSensorDescription(
        key="power_limit",
        translation_key="power_limit",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=_for_types(MinerType.AVALON_NANO),
        value_fn=_extra("power_limit_watts"),
    ),
    MinerSensorDescription(
        key="efficiency",
        translation_key="efficiency",
        native_unit_of_measurement="J/TH",
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        exists_fn=_has_power,
        value_fn=_efficiency,
    ),
    MinerSensorDescription(
        key="shares_accepted",
        translation_key="shares_accepted",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda c: c.data.shares_accepted,
    ),
    MinerSensorDescription(
        key="shares_rejected",
        translation_key="shares_rejected",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda c: c.data.shares_rejected,
    ),
    MinerSensorDescription(
        key="reject_rate",
        translation_key="reject_rate",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=_reject_rate,
    ),
    MinerSensorDescription(
        key="pool_in_use",
        translation_key="pool_in_use",
        value_fn=_pool,
    ),
    # Best difficulties are high-water marks, not running totals: a
    # total_increasing class would sum them across resets.
    MinerSensorDescription(
        key="best_difficulty",
        translation_key="best_difficulty",
        state_class=SensorStateClass.MEASUREMENT,
        # cgminer only knows the best share since boot.
        exists_fn=_for_types(*AXEOS, MinerType.NMMINER),
        difficulty=True,
        value_fn=lambda c: round_difficulty(c.data.best_difficulty),
    ),
    MinerSensorDescription(
        key="session_best_difficulty",
        translation_key="session_best_difficulty",
        state_class=SensorStateClass.MEASUREMENT,
        difficulty=True,
        value_fn=lambda c: round_difficulty(c.data.session_best_difficulty),
    ),
    MinerSensorDescription(
        key="firmware",
        translation_key="firmware",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda c: c.data.firmware_version,
    ),
    MinerSensorDescription(
        key="frequency",
        translation_key="frequency",
        device_class=SensorDeviceClass.FREQUENCY,
        native_unit_of_measurement=UnitOfFrequency.MEGAHERTZ,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        exists_fn=_for_types(*AXEOS, MinerType.AVALON_NANO),
        value_fn=_extra("frequency_mhz"),
    ),
    MinerSensorDescription(
        key="core_voltage",
        translation_key="core_voltage",
        device_class=SensorDeviceClass.VOLTAGE,
        native_unit_of_measurement=UnitOfElectricPotential.MILLIVOLT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        exists_fn=_for_types(*AXEOS),
        value_fn=_extra("core_voltage_mv"),
    ),
    MinerSensorDescription(
        key="fan_speed",
        translation_key="fan_speed",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=_for_types(*AXEOS, MinerType.AVALON_NANO),
        value_fn=_extra("fan_percent"),
    ),
    MinerSensorDescription(
        key="fan_rpm",
        translation_key="fan_rpm",
        native_unit_of_measurement=REVOLUTIONS_PER_MINUTE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        exists_fn=_for_types(*AXEOS, MinerType.AVALON_NANO),
        value_fn=_extra("fan_rpm"),
    ),
    MinerSensorDescription(
        key="vr_temperature",
        translation_key="vr_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        exists_fn=_for_types(*AXEOS),
        value_fn=_extra("vr_temp"),
    ),
    MinerSensorDescription(
        key="wifi_rssi",
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        exists_fn=_for_types(*AXEOS, MinerType.NMMINER),
        value_fn=_extra("wifi_rssi"),
    ),
)

LAST_RESTART = MinerSensorDescription(
    key="last_restart",
    translation_key="last_restart",
    device_class=SensorDeviceClass.TIMESTAMP,
    entity_category=EntityCategory.DIAGNOSTIC,
    value_fn=lambda c: c.data.uptime_seconds,
)

ENERGY = MinerSensorDescription(
    key="energy",
    device_class=SensorDeviceClass.ENERGY,
    native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
    state_class=SensorStateClass.TOTAL_INCREASING,
    suggested_display_precision=3,
    exists_fn=_has_power,
    value_fn=lambda c: c.power_watts,
)


def miner_sensors(coordinator: MinerCoordinator) -> list[SensorEntity]:
    """Return the sensors a miner has with its current data."""
    entities: list[SensorEntity] = [
        MinerSensor(coordinator, description)
        for description in SENSORS
        if description.exists_fn(coordinator)
    ]
    entities.append(MinerLastRestartSensor(coordinator, LAST_RESTART))
    entities.append(MinerStatusSensor(coordinator, STATUS))
    entities.extend(miner_share_sensors(coordinator))
    if ENERGY.exists_fn(coordinator):
        entities.append(MinerEnergySensor(coordinator, ENERGY))
    return entities


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HMMConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the hub's sensors, and those of every miner, now and when one is added."""
    hub = entry.runtime_data
    async_add_entities(
        [
            HubNotMiningSensor(hub, entry.entry_id, NOT_MINING),
            HubBestShareSensor(hub, entry.entry_id, BEST_SHARE),
        ]
    )
    async_setup_strategy_sensors(entry, async_add_entities)
    entry.async_on_unload(
        entry.runtime_data.async_add_pool_platform(pool_sensors, async_add_entities)
    )
    entry.async_on_unload(
        entry.runtime_data.async_add_platform(
            Platform.SENSOR, miner_sensors, async_add_entities
        )
    )
    entry.async_on_unload(
        entry.runtime_data.async_add_platform(
            Platform.SENSOR, build_health_sensors, async_add_entities
        )
    )


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
