"""The sensor platform: miner sensors described here, the other kinds beside.

Miner descriptions (what each sensor reads from its coordinator) are below;
their entity classes are in ``entities/miner_sensors.py``. The hub's, the
pools', the prices', the strategy's, cost and health sensors each come from
their own module under ``entities/``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
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

from .compat import PERCENTAGE
from .devices.types import MinerType
from .entities.cost_sensors import async_setup_cost_sensors
from .entities.energy_sensor import MinerEnergySensor
from .entities.health_sensor import build_health_sensors
from .entities.hub_sensors import (
    BEST_SHARE,
    NOT_MINING,
    HubBestShareSensor,
    HubNotMiningSensor,
)
from .entities.miner_sensors import (
    MinerLastRestartSensor,
    MinerSensor,
    MinerSensorDescription,
    MinerStatusSensor,
)
from .entities.pool_sensors import pool_sensors
from .entities.price_sensors import price_sensors
from .entities.share_sensors import miner_share_sensors, round_difficulty
from .entities.strategy import strategy_reason_sensors, strategy_sensors
from .miner.runtime import MinerStatus

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
    from homeassistant.helpers.typing import StateType

    from .data import HMMConfigEntry
    from .miner.coordinator import MinerCoordinator

PARALLEL_UPDATES = 0


def _reject_rate(coordinator: MinerCoordinator) -> float | None:
    accepted = coordinator.data.shares_accepted
    rejected = coordinator.data.shares_rejected
    if accepted is None or rejected is None or accepted + rejected == 0:
        return None
    # What is shown (display precision 2): each accepted share moved the fourth
    # digit, a state write per poll that told nobody anything.
    return round(rejected * 100.0 / (accepted + rejected), 2)


def _efficiency(coordinator: MinerCoordinator) -> float | None:
    """Joules per terahash = watts / (TH/s)."""
    watts = coordinator.power_watts
    ghs = coordinator.data.hashrate_ghs
    if watts is None or not ghs:
        return None
    # What is shown (display precision 1): finer digits only moved the state
    # on every poll (hashrate noise) without telling the user anything.
    return round(watts / (ghs / 1000.0), 1)


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
        # The reject rate tells the same, relative to the accepted shares.
        entity_registry_enabled_default=False,
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
        # Best share ever shows the same high-water mark (and the stored shares).
        entity_registry_enabled_default=False,
        state_class=SensorStateClass.MEASUREMENT,
        # cgminer only knows the best share since boot.
        exists_fn=_for_types(*AXEOS, MinerType.NMMINER),
        difficulty=True,
        value_fn=lambda c: round_difficulty(c.data.best_difficulty),
    ),
    MinerSensorDescription(
        key="session_best_difficulty",
        translation_key="session_best_difficulty",
        # Since the last restart only; best share ever is what users follow.
        entity_registry_enabled_default=False,
        state_class=SensorStateClass.MEASUREMENT,
        difficulty=True,
        value_fn=lambda c: round_difficulty(c.data.session_best_difficulty),
    ),
    MinerSensorDescription(
        key="firmware",
        translation_key="firmware",
        entity_category=EntityCategory.DIAGNOSTIC,
        # The device page shows the firmware already (device info, kept up to
        # date after an update); an entity per miner is for those who automate on it.
        entity_registry_enabled_default=False,
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
        # Diagnostics: the temperature is what matters; the fan follows it.
        entity_registry_enabled_default=False,
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

STATUS = MinerSensorDescription(
    key="status",
    translation_key="status",
    device_class=SensorDeviceClass.ENUM,
    options=[status.value for status in MinerStatus],
    value_fn=lambda c: c.status.value,
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
    """Add the hub's sensors, and those of every miner and pool, now and to come."""
    hub = entry.runtime_data
    async_add_entities(
        [
            HubNotMiningSensor(hub.fleet, NOT_MINING),
            HubBestShareSensor(hub.fleet, BEST_SHARE, hub.share_tracker),
        ]
    )
    async_setup_strategy_sensors(entry, async_add_entities)
    entry.async_on_unload(
        hub.async_add_pool_platform(
            Platform.SENSOR,
            lambda pool: pool_sensors(pool, hub.fleet),
            async_add_entities,
        )
    )
    entry.async_on_unload(
        hub.async_add_platform(Platform.SENSOR, miner_sensors, async_add_entities)
    )
    entry.async_on_unload(
        hub.async_add_platform(
            Platform.SENSOR, build_health_sensors, async_add_entities
        )
    )


@callback
def async_setup_strategy_sensors(
    entry: HMMConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add price, band, reason and cost sensors (none until prices are set).

    Also called when a first price source is saved (``options/apply.py``).
    """
    entities = [*price_sensors(entry), *strategy_sensors(entry)]
    if entities:
        async_add_entities(entities)
    hub = entry.runtime_data
    if hub.prices.configured:
        entry.async_on_unload(
            hub.async_add_platform(
                Platform.SENSOR,
                strategy_reason_sensors(hub.strategy),
                async_add_entities,
            )
        )
    async_setup_cost_sensors(entry, async_add_entities)
