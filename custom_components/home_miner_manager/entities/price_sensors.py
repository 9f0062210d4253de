"""Hub sensors of electricity prices (minor unit per kWh) and coin prices (GBP).

Electricity prices are in the minor unit of Home Assistant's currency: p/kWh
for GBP, c/kWh for EUR or AUD, öre/kWh for SEK (see :mod:`.prices.units`).

They are entities of the hub's :class:`PriceCoordinator` (pushed at each
read and slot boundary) and show unavailable, never a stale value, when the
source has no figure; the coin prices follow the :class:`CoinPriceCoordinator`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.util import dt as dt_util

from ..entity import HubEntity
from ..prices.crypto import COINS
from ..prices.stats import DayStats, day_stats
from ..tariff.coin_prices import CoinPriceCoordinator
from ..tariff.coordinator import PriceCoordinator

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..data import HMMConfigEntry

UPCOMING_FOR: Final = timedelta(hours=48)  # slots listed for chart cards


@dataclass(frozen=True, kw_only=True)
class PriceSensorDescription(SensorEntityDescription):
    """A price figure read from today's stats."""

    value_fn: Callable[[DayStats], float | None]


def _slot_price(stats: DayStats, which: str) -> float | None:
    slot = stats.current if which == "current" else stats.next
    return slot.price_pence if slot is not None else None


PRICE_SENSORS: Final = (
    PriceSensorDescription(
        key="current_price",
        translation_key="current_price",
        value_fn=lambda s: _slot_price(s, "current"),
    ),
    PriceSensorDescription(
        key="next_price",
        translation_key="next_price",
        value_fn=lambda s: _slot_price(s, "next"),
    ),
    PriceSensorDescription(
        key="today_min_price",
        translation_key="today_min_price",
        value_fn=lambda s: s.min_pence,
    ),
    PriceSensorDescription(
        key="today_max_price",
        translation_key="today_max_price",
        value_fn=lambda s: s.max_pence,
    ),
    PriceSensorDescription(
        key="today_average_price",
        translation_key="today_average_price",
        value_fn=lambda s: (
            None if s.average_pence is None else round(s.average_pence, 4)
        ),
    ),
)


class PriceSensor(HubEntity[PriceCoordinator], SensorEntity):
    """One electricity price figure in p/kWh."""

    entity_description: PriceSensorDescription
    _attr_state_class = SensorStateClass.MEASUREMENT
    _attr_suggested_display_precision = 2
    # The slot list is for chart cards, not for the recorder's database.
    _unrecorded_attributes = frozenset({"upcoming"})

    def __init__(
        self, prices: PriceCoordinator, description: PriceSensorDescription
    ) -> None:
        """Follow ``prices`` (a read, a slot beginning)."""
        super().__init__(prices, description)
        self.prices = prices
        self._attr_native_unit_of_measurement = prices.price_unit

    def _value(self) -> float | None:
        return self.entity_description.value_fn(
            day_stats(self.prices.slots, dt_util.utcnow(), self.prices.day_zone)
        )

    @property
    def available(self) -> bool:
        """Unavailable when the source has no such figure."""
        return self._value() is not None

    @property
    def native_value(self) -> float | None:
        """Return the price in the currency's minor unit per kWh."""
        return self._value()

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """The current price lists the slots ahead (not recorded)."""
        if self.entity_description.key != "current_price":
            return None
        now = dt_util.utcnow()
        current = self.prices.current(now)
        upcoming = [
            {
                "start": slot.start.isoformat(),
                "end": slot.end.isoformat(),
                "price": slot.price_pence,
            }
            for slot in self.prices.slots
            if slot.end > now and slot.start < now + UPCOMING_FOR
        ]
        return {
            "slot_start": current.start.isoformat() if current else None,
            "slot_end": current.end.isoformat() if current else None,
            "region": self.prices.region,
            "tariff_code": self.prices.tariff_code,
            "upcoming": upcoming,
        }


class CryptoPriceSensor(HubEntity[CoinPriceCoordinator], SensorEntity):
    """One coin's price in GBP."""

    _attr_device_class = SensorDeviceClass.MONETARY
    _attr_native_unit_of_measurement = "GBP"
    _attr_suggested_display_precision = 2

    def __init__(self, crypto: CoinPriceCoordinator, coin: str) -> None:
        """One sensor per coin."""
        super().__init__(
            crypto,
            SensorEntityDescription(
                key=f"crypto_price_{coin.lower()}", translation_key="crypto_price"
            ),
        )
        self._attr_translation_placeholders = {"coin": coin}
        self.crypto = crypto
        self.coin = coin

    @property
    def available(self) -> bool:
        """Unavailable until a source priced the coin."""
        return self.coin in self.crypto.prices

    @property
    def native_value(self) -> float | None:
        """Return the price in GBP."""
        found = self.crypto.prices.get(self.coin)
        return found[0] if found else None

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Which source priced it, and when."""
        found = self.crypto.prices.get(self.coin)
        if found is None:
            return None
        return {"source": found[1], "updated_at": found[2].isoformat()}


def price_sensors(entry: HMMConfigEntry) -> list[SensorEntity]:
    """Return the hub's price sensors (none until a price source is configured)."""
    hub = entry.runtime_data
    entities: list[SensorEntity] = []
    if hub.prices.configured:
        entities.extend(
            PriceSensor(hub.prices, description) for description in PRICE_SENSORS
        )
    if hub.crypto.enabled:
        entities.extend(CryptoPriceSensor(hub.crypto, coin) for coin in COINS)
    return entities
