"""Strategy entities: the hub's on/off switch and band sensors, per-miner enrolment.

* ``switch`` ``agile_strategy`` (hub): the strategy runs while on.
* ``switch`` ``strategy_enrolled`` (miner): this miner follows the strategy;
  attributes say whether the strategy switched it off (expected offline).
* ``sensor`` ``price_band`` (enum of band names) and ``next_band_change``
  (timestamp; the target band as an attribute).
* ``sensor`` ``strategy_reason`` (miner): why the strategy has it where it is
  (``agile/why.py``); band, target band and when it changes as attributes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
)
from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory, Platform
from homeassistant.core import callback

from ..agile.coordinator import StrategyCoordinator
from ..agile.why import FleetReasons, strategy_reason
from ..compat import entity_user_id
from ..entity import HubEntity, MinerEntity
from ..strategy.describe import band_name, stored_text
from ..strategy.reason import StrategyReason

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime

    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from ..data import HMMConfigEntry
    from ..miner.coordinator import MinerCoordinator
    from ..strategy.plan import PlanReason

AGILE_STRATEGY = SwitchEntityDescription(
    key="agile_strategy", translation_key="agile_strategy"
)
STRATEGY_ENROLLED = SwitchEntityDescription(
    key="strategy_enrolled",
    translation_key="strategy_enrolled",
    entity_category=EntityCategory.CONFIG,
)
PRICE_BAND = SensorEntityDescription(
    key="price_band", translation_key="price_band", device_class=SensorDeviceClass.ENUM
)
NEXT_BAND_CHANGE = SensorEntityDescription(
    key="next_band_change",
    translation_key="next_band_change",
    device_class=SensorDeviceClass.TIMESTAMP,
)
STRATEGY_REASON = SensorEntityDescription(
    key="strategy_reason",
    translation_key="strategy_reason",
    device_class=SensorDeviceClass.ENUM,
    options=[reason.value for reason in StrategyReason],
)


def at_lowest_mode(
    strategy: StrategyCoordinator, coordinator: MinerCoordinator
) -> bool:
    """Tell whether an enrolled miner mines on at its lowest mode in the OFF band.

    Without a power switch the strategy can only turn it down, not off.
    """
    decision = strategy.decision
    return (
        strategy.enabled
        and decision is not None
        and (decision.band is None or decision.band.is_off)
        and coordinator.miner_id in strategy.enrolled
        and not strategy.has_power_switch(coordinator)
    )


class AgileStrategySwitch(HubEntity[StrategyCoordinator], SwitchEntity):
    """On: the strategy moves enrolled miners with the price bands."""

    @property
    def is_on(self) -> bool:
        """Return whether the strategy runs."""
        return self.coordinator.data.enabled

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Start: refused (translated, naming the coin) when a pool is missing."""
        await self.coordinator.async_set_enabled(True, entity_user_id(self))

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop; miners stay as they are."""
        await self.coordinator.async_set_enabled(False, entity_user_id(self))


class PriceBandSensor(HubEntity[StrategyCoordinator], SensorEntity):
    """The band in effect (after hysteresis)."""

    @property
    def options(self) -> list[str]:
        """Every band's name."""
        unit = self.coordinator.prices.price_unit
        return [str(band_name(band, unit)) for band in self.coordinator.bands]

    @property
    def available(self) -> bool:
        """Unavailable until a first decision."""
        return self.coordinator.data.decision is not None

    @property
    def native_value(self) -> str | None:
        """The band's name (unknown: off for want of a price)."""
        decision = self.coordinator.data.decision
        if decision is None:
            return None
        return band_name(decision.band, self.coordinator.prices.price_unit)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Why, and the band's settings."""
        strategy = self.coordinator
        decision = strategy.data.decision
        if decision is None:
            return None
        band = decision.band
        return {
            "band_id": decision.band_id,
            "coin": band.target_coin if band is not None else None,
            "min_price": band.min_price if band is not None else None,
            "max_price": band.max_price if band is not None else None,
            "reason": decision.reason.value,
            "price": decision.price_pence,
            "hysteresis_counter": decision.hysteresis_counter,
            "since": decision.state.since.isoformat() if decision.state.since else None,
            "strategy_on": strategy.data.enabled,
            "miners_at_lowest_mode": sum(
                at_lowest_mode(strategy, coordinator)
                for coordinator in strategy.coordinators.values()
            ),
        }


class NextBandChangeSensor(HubEntity[StrategyCoordinator], SensorEntity):
    """When the known prices move the strategy to another band."""

    @property
    def native_value(self) -> datetime | None:
        """The time of the next change (unknown when none is in sight)."""
        decision = self.coordinator.data.decision
        change = decision.next_change if decision is not None else None
        return change.at if change is not None else None

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """The band it changes to."""
        decision = self.coordinator.data.decision
        change = decision.next_change if decision is not None else None
        if change is None:
            return {"target_band": None, "target_band_id": None}
        band = next((b for b in self.coordinator.bands if b.id == change.band_id), None)
        return {
            "target_band": band_name(band, self.coordinator.prices.price_unit),
            "target_band_id": change.band_id,
        }


class StrategyEnrolledSwitch(MinerEntity, SwitchEntity):
    """Whether this miner follows the strategy (its ``miner_strategy`` row)."""

    def __init__(
        self, coordinator: MinerCoordinator, strategy: StrategyCoordinator
    ) -> None:
        """Follow the miner and the strategy."""
        super().__init__(coordinator, STRATEGY_ENROLLED)
        self.strategy = strategy

    _shown: tuple[Any, ...] | None = None

    async def async_added_to_hass(self) -> None:
        """Follow the strategy too (only this miner's part of it)."""
        await super().async_added_to_hass()
        self.async_on_remove(self.strategy.async_add_listener(self._strategy_changed))

    @callback
    def _strategy_changed(self) -> None:
        # Every decision notifies: with 200 miners, writing 200 unchanged
        # states delayed the very commands the decision sends.
        shown = (self.is_on, tuple(self.extra_state_attributes.items()))
        if shown != self._shown:
            self._shown = shown
            self.async_write_ha_state()

    @property
    def available(self) -> bool:
        """Usable while the miner is off: the strategy may have switched it off."""
        return True

    @property
    def is_on(self) -> bool:
        """Return whether the miner is enrolled."""
        return self.coordinator.miner_id in self.strategy.enrolled

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Off by strategy (expected offline), the last command and error."""
        run = self.strategy.miner_state(self.coordinator)
        return {
            "off_by_strategy": bool(run and run.off_by_strategy),
            "power_switch": self.coordinator.subentry.data.get("power_switch"),
            "last_command": stored_text(run.last_command) if run else None,
            "last_command_at": run.last_command_at.isoformat()
            if run and run.last_command_at
            else None,
            "last_error": run.last_error if run else None,
            "lowest_mode_in_off_band": at_lowest_mode(self.strategy, self.coordinator),
        }

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Enrol."""
        await self.strategy.async_set_enrolled(self.coordinator, True, self.user_id)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Take out (left as it is)."""
        await self.strategy.async_set_enrolled(self.coordinator, False, self.user_id)


class StrategyReasonSensor(MinerEntity, SensorEntity):
    """Why the strategy has this miner where it is (mining, off, waiting...)."""

    _shown: tuple[Any, ...] | None = None

    def __init__(
        self,
        coordinator: MinerCoordinator,
        strategy: StrategyCoordinator,
        reasons: FleetReasons,
    ) -> None:
        """Follow the miner (plan rules read it) and the strategy."""
        super().__init__(coordinator, STRATEGY_REASON)
        self.strategy = strategy
        self._reasons = reasons

    async def async_added_to_hass(self) -> None:
        """Follow the strategy too."""
        await super().async_added_to_hass()
        self.async_on_remove(self.strategy.async_add_listener(self._strategy_changed))
        self._refresh(write=False)  # Home Assistant writes it once added

    @callback
    def _handle_coordinator_update(self) -> None:
        self._refresh()  # this miner changed: plan it now

    @callback
    def _strategy_changed(self) -> None:
        # The fleet is planned once for every miner's sensor.
        self._refresh(plans=self._reasons.reasons())

    @callback
    def _refresh(
        self, write: bool = True, plans: Mapping[int, PlanReason] | None = None
    ) -> None:
        # Every decision notifies every miner: write only what changed.
        why = strategy_reason(self.strategy, self.coordinator, plans)
        unit = self.strategy.prices.price_unit
        attributes = {
            "band": band_name(why.band, unit),
            "target_band": band_name(why.target_band, unit),
            "changes_at": why.changes_at.isoformat() if why.changes_at else None,
            "slots_to_wait": why.slots_to_wait,
        }
        shown = (why.reason.value, tuple(attributes.items()))
        if shown != self._shown:
            self._shown = shown
            self._attr_native_value = why.reason.value
            self._attr_extra_state_attributes = attributes
            if write:
                self.async_write_ha_state()

    @property
    def available(self) -> bool:
        """A miner switched off by the strategy still has its reason."""
        return True


def strategy_reason_sensors(
    strategy: StrategyCoordinator,
) -> Callable[[MinerCoordinator], list[SensorEntity]]:
    """Return the builder of each miner's reason sensor."""
    reasons = FleetReasons(strategy)

    def build(coordinator: MinerCoordinator) -> list[SensorEntity]:
        return [StrategyReasonSensor(coordinator, strategy, reasons)]

    return build


@callback
def async_setup_strategy_switches(
    entry: HMMConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the hub switch and every miner's enrolment switch (if prices are set)."""
    if not entry.runtime_data.prices.configured:
        return
    strategy = entry.runtime_data.strategy
    async_add_entities([AgileStrategySwitch(strategy, AGILE_STRATEGY)])

    def build(c: MinerCoordinator) -> list[StrategyEnrolledSwitch]:
        return [StrategyEnrolledSwitch(c, strategy)]

    entry.async_on_unload(
        entry.runtime_data.async_add_platform(
            Platform.SWITCH, build, async_add_entities
        )
    )


def strategy_sensors(entry: HMMConfigEntry) -> list[SensorEntity]:
    """Return the hub's band sensors (none until prices are set)."""
    if not entry.runtime_data.prices.configured:
        return []
    strategy = entry.runtime_data.strategy
    return [
        PriceBandSensor(strategy, PRICE_BAND),
        NextBandChangeSensor(strategy, NEXT_BAND_CHANGE),
    ]
