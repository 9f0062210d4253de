"""Energy cost sensors: today and this month, per miner and for the hub.

In the prices' currency (:attr:`PriceCoordinator.currency`): Home Assistant's for
every source but Octopus, GBP for Octopus (its prices are pence whatever Home
Assistant's currency says); prices are minor units per kWh, costs major ones.

Cost = the miner's power integrated between polls (trapezoid, like the
energy sensor; gaps over 10 minutes and unreachable time count nothing) x
the price of the slot the interval falls in. Periods follow Home Assistant's
local time zone; totals survive restarts within their period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import Platform
from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from ..entity import FleetEntity, MinerEntity
from ..prices.units import minor_per_major
from .energy_sensor import ENERGY_MAX_GAP

if TYPE_CHECKING:
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from ..data import HMMConfigEntry
    from ..miner.coordinator import MinerCoordinator
    from ..miner.fleet import FleetCoordinator
    from ..tariff.coordinator import PriceCoordinator

COST_TODAY: Final = SensorEntityDescription(
    key="cost_today",
    translation_key="cost_today",
    device_class=SensorDeviceClass.MONETARY,
    state_class=SensorStateClass.TOTAL,
    suggested_display_precision=2,
)
COST_MONTH: Final = SensorEntityDescription(
    key="cost_month",
    translation_key="cost_month",
    device_class=SensorDeviceClass.MONETARY,
    state_class=SensorStateClass.TOTAL,
    suggested_display_precision=2,
)


def period_start(key: str, moment: datetime) -> datetime:
    """Local midnight today (``cost_today``) or of the 1st (``cost_month``)."""
    local = dt_util.as_local(moment)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return day if key == COST_TODAY.key else day.replace(day=1)


@dataclass(slots=True)
class CostLedger:
    """One miner's running cost per period (major unit of the prices' currency)."""

    totals: dict[str, float] = field(default_factory=dict)
    starts: dict[str, datetime] = field(default_factory=dict)
    last_sample: tuple[datetime, float] | None = None
    currency: str | None = None  # of the totals

    def total(self, key: str, now: datetime, currency: str) -> float:
        """Return the period's total (zero once a new period or currency began)."""
        if currency != self.currency:  # another price source: not added up
            self.currency = currency
            self.starts.clear()
            self.totals.clear()
        start = period_start(key, now)
        if self.starts.get(key) != start:
            self.starts[key], self.totals[key] = start, 0.0
        return self.totals[key]

    def add(self, now: datetime, watts: float | None, prices: PriceCoordinator) -> None:
        """Integrate power since the last reading and price it."""
        if watts is None:
            self.last_sample = None
            return
        if self.last_sample is not None:
            then, then_watts = self.last_sample
            elapsed = now - then
            slot = prices.current(then + elapsed / 2)
            if timedelta(0) < elapsed <= ENERGY_MAX_GAP and slot is not None:
                kwh = (then_watts + watts) / 2 * elapsed.total_seconds() / 3600 / 1000
                currency = prices.currency
                cost = kwh * slot.price_pence / minor_per_major(currency)
                for key in (COST_TODAY.key, COST_MONTH.key):
                    self.totals[key] = self.total(key, now, currency) + cost
        self.last_sample = (now, float(watts))


class PeriodCost(SensorEntity):
    """A cost over this day or month, in the currency the prices are in."""

    entity_description: SensorEntityDescription
    prices: PriceCoordinator

    @property
    def native_unit_of_measurement(self) -> str:
        """The prices' currency code (the price source may change in place)."""
        return self.prices.currency

    @property
    def last_reset(self) -> datetime:
        """Start of the period."""
        return period_start(self.entity_description.key, dt_util.utcnow())


class MinerCostSensor(MinerEntity, PeriodCost, RestoreSensor):
    """A miner's electricity cost this day or month."""

    def __init__(
        self,
        coordinator: MinerCoordinator,
        description: SensorEntityDescription,
        prices: PriceCoordinator,
        ledgers: dict[str, CostLedger],
    ) -> None:
        """Share the miner's ledger with its other cost sensor and the hub's."""
        super().__init__(coordinator, description)
        self.prices = prices
        self.ledger = ledgers.setdefault(coordinator.subentry.subentry_id, CostLedger())

    async def async_added_to_hass(self) -> None:
        """Restore the total if it belongs to the current period."""
        await super().async_added_to_hass()
        key = self.entity_description.key
        last = await self.async_get_last_sensor_data()
        state = await self.async_get_last_state()
        now = dt_util.utcnow()
        if last is not None and state is not None and last.native_value is not None:
            reset = dt_util.parse_datetime(str(state.attributes.get("last_reset")))
            # A total in another currency (the source changed) is not carried.
            same_unit = last.native_unit_of_measurement == self.prices.currency
            if same_unit and reset is not None and reset == period_start(key, now):
                self.ledger.total(key, now, self.prices.currency)
                self.ledger.totals[key] = float(str(last.native_value))

    @callback
    def _handle_coordinator_update(self) -> None:
        if self.entity_description.key == COST_TODAY.key:  # one sensor integrates
            watts = self.coordinator.power_watts if self.coordinator.available else None
            self.ledger.add(dt_util.utcnow(), watts, self.prices)
        super()._handle_coordinator_update()

    @property
    def available(self) -> bool:
        """A switched-off miner costs nothing: the total stays available."""
        return True

    @property
    def native_value(self) -> float:
        """The period's cost in the prices' currency."""
        key, now = self.entity_description.key, dt_util.utcnow()
        return round(self.ledger.total(key, now, self.prices.currency), 6)


class HubCostSensor(FleetEntity, PeriodCost):
    """Every miner's cost this day or month, summed.

    Miners report one after another: one sum and write a second (a
    :class:`FleetEntity`), not one per miner (with 200 miners that was 40,000
    ledger reads a poll).
    """

    def __init__(
        self,
        fleet: FleetCoordinator[MinerCoordinator],
        description: SensorEntityDescription,
        prices: PriceCoordinator,
        ledgers: dict[str, CostLedger],
    ) -> None:
        """Sum ``ledgers`` (one per miner subentry)."""
        super().__init__(fleet, description)
        self.prices = prices
        self.ledgers = ledgers

    @property
    def native_value(self) -> float:
        """The period's cost in the prices' currency."""
        now, currency = dt_util.utcnow(), self.prices.currency
        key = self.entity_description.key
        return round(
            sum(ledger.total(key, now, currency) for ledger in self.ledgers.values()),
            6,
        )

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """How many miners are counted."""
        return {"miners": len(self.ledgers)}


@callback
def async_setup_cost_sensors(
    entry: HMMConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the hub's and every miner's cost sensors (once prices are set)."""
    hub = entry.runtime_data
    prices = hub.prices
    if not prices.configured:
        return
    ledgers: dict[str, CostLedger] = {}  # by miner subentry

    def build(coordinator: MinerCoordinator) -> list[SensorEntity]:
        return [
            MinerCostSensor(coordinator, COST_TODAY, prices, ledgers),
            MinerCostSensor(coordinator, COST_MONTH, prices, ledgers),
        ]

    async_add_entities(
        [HubCostSensor(hub.fleet, d, prices, ledgers) for d in (COST_TODAY, COST_MONTH)]
    )
    entry.async_on_unload(
        hub.async_add_platform(Platform.SENSOR, build, async_add_entities)
    )
