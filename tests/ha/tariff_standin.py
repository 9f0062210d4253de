"""Stand-ins shaped exactly as Nord Pool, Tibber, Amber and generic sensors publish.

Nord Pool and Tibber have no offline peer here: their actions are registered
under their real domain and name, with their real schema keys and response
shapes (homeassistant/components/{nordpool,tibber}/services.py); their
entities are registry entries under their platform with their unique ids.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
)
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

Q = timedelta(minutes=15)
HALF = timedelta(minutes=30)


def local_day(day: date, tz: Any) -> tuple[datetime, datetime]:
    """UTC start and end of a local day."""
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    nxt = day + timedelta(days=1)
    end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


class NordPool:
    """The ``nordpool`` integration: a price sensor and ``get_prices_for_date``."""

    def __init__(
        self, hass: HomeAssistant, area: str, price_fn: Callable[[datetime], float]
    ) -> None:
        """``price_fn(start)`` gives a quarter-hour's EUR/MWh."""
        self.hass, self.area, self.price_fn = hass, area, price_fn
        self.calls: list[dict[str, Any]] = []
        self.published: set[date] = set()  # days the market has cleared
        self.entry = MockConfigEntry(
            domain="nordpool", data={"areas": [area], "currency": "EUR"}
        )
        self.entry.add_to_hass(hass)
        self.entity_id = (
            er.async_get(hass)
            .async_get_or_create(
                "sensor",
                "nordpool",
                f"{area}-current_price",
                config_entry=self.entry,
                suggested_object_id=f"nord_pool_{area.lower()}_current_price",
            )
            .entity_id
        )
        hass.states.async_set(
            self.entity_id,
            "0.05",
            {"unit_of_measurement": "EUR/kWh", "state_class": "measurement"},
        )
        hass.services.async_register(
            "nordpool",
            "get_prices_for_date",
            self._handle,
            schema=vol.Schema(
                {
                    vol.Required("config_entry"): str,
                    vol.Required("date"): cv.date,
                    vol.Optional("areas"): vol.All(cv.ensure_list, [str]),
                    vol.Optional("currency"): str,
                }
            ),
            supports_response=SupportsResponse.ONLY,
        )

    async def _handle(self, call: ServiceCall) -> ServiceResponse:
        self.calls.append(dict(call.data))
        asked: date = call.data["date"]
        areas = call.data.get("areas") or [self.area]
        if asked not in self.published:
            return {area: [] for area in areas}  # NordPoolEmptyResponseError
        # Nord Pool's delivery day is CET's, whatever the area.
        start, end = local_day(asked, dt_util.get_time_zone("Europe/Stockholm"))
        entries = []
        moment = start
        while moment < end:
            entries.append(
                {
                    "start": moment.isoformat(),
                    "end": (moment + Q).isoformat(),
                    "price": self.price_fn(moment),
                }
            )
            moment += Q
        return {area: list(entries) for area in areas}


def amber_item(
    start: datetime, price_dollars: float, minutes: int = 30
) -> dict[str, Any]:
    """One interval as Amber's sensors publish it (start one second late)."""
    end = start + timedelta(minutes=minutes)
    local = start.astimezone(dt_util.get_time_zone("Australia/Brisbane"))
    return {
        "duration": minutes,
        "date": local.date().isoformat(),
        "nem_date": end.astimezone(local.tzinfo).isoformat(),
        "per_kwh": round(price_dollars, 2),
        "spot_per_kwh": round(price_dollars / 3, 2),
        "start_time": (start + timedelta(seconds=1)).isoformat(),
        "end_time": end.isoformat(),
        "renewables": 35,
        "spike_status": "none",
        "descriptor": "neutral",
    }


class Amber:
    """``amberelectric``: the general price sensor and the general forecast sensor."""

    SITE = "01FG0AZZ3B3CY2XJ8F1VMC0FRD"

    def __init__(self, hass: HomeAssistant) -> None:
        """Register both sensors (no state yet)."""
        self.hass = hass
        registry = er.async_get(hass)
        self.price = registry.async_get_or_create(
            "sensor",
            "amberelectric",
            f"{self.SITE}-current-general",
            suggested_object_id="home_general_price",
        ).entity_id
        self.forecast = registry.async_get_or_create(
            "sensor",
            "amberelectric",
            f"{self.SITE}-forecasts-general",
            suggested_object_id="home_general_forecast",
        ).entity_id

    def publish(self, now: datetime, prices_dollars: Sequence[float]) -> None:
        """The interval holding ``now`` costs ``prices[0]``; the forecast the rest."""
        start = datetime.fromtimestamp((now.timestamp() // 1800) * 1800, tz=UTC)
        current = amber_item(start, prices_dollars[0])
        unit = {"unit_of_measurement": "$/kWh", "state_class": "measurement"}
        self.hass.states.async_set(
            self.price,
            str(current["per_kwh"]),
            {**unit, **current, "estimate": True, "channel_type": "general"},
        )
        forecasts = [
            amber_item(start + (i + 1) * HALF, price)
            for i, price in enumerate(prices_dollars[1:])
        ]
        self.hass.states.async_set(
            self.forecast,
            str(forecasts[0]["per_kwh"]) if forecasts else "unknown",
            {**unit, "forecasts": forecasts, "channel_type": "general"},
        )


def generic_state(
    hass: HomeAssistant,
    entity_id: str,
    start: datetime,
    prices: Sequence[float],
    *,
    minutes: int = 60,
    unit: str | None = "EUR/kWh",
) -> None:
    """A template-style sensor: ``prices`` items with start, duration, price."""
    items = [
        {
            "start": (start + i * timedelta(minutes=minutes)).isoformat(),
            "duration": minutes,
            "price": price,
        }
        for i, price in enumerate(prices)
    ]
    attrs: dict[str, Any] = {"prices": items}
    if unit:
        attrs["unit_of_measurement"] = unit
    hass.states.async_set(entity_id, str(prices[0]), attrs)


class Tibber:
    """``tibber``: a home's price sensor and ``tibber.get_prices``."""

    def __init__(
        self, hass: HomeAssistant, prices: dict[str, list[tuple[datetime, float]]]
    ) -> None:
        """``prices``: per home nickname, (start, NOK/kWh) of each quarter-hour."""
        self.hass, self.prices = hass, prices
        self.calls: list[dict[str, Any]] = []
        self.entity_id = (
            er.async_get(hass)
            .async_get_or_create(
                "sensor",
                "tibber",
                "b0f3c4d5-1234-4a5b-9c8d-0123456789ab",
                suggested_object_id="electricity_price_cabin",
            )
            .entity_id
        )
        hass.states.async_set(
            self.entity_id,
            "1.2",
            {
                "unit_of_measurement": "NOK/kWh",
                "friendly_name": "Electricity price Cabin",
                "max_price": 2.0,
                "avg_price": 1.0,
                "min_price": 0.5,
                "intraday_price_ranking": 0.5,
            },
        )
        hass.services.async_register(
            "tibber",
            "get_prices",
            self._handle,
            schema=vol.Schema({vol.Optional("start"): str, vol.Optional("end"): str}),
            supports_response=SupportsResponse.ONLY,
        )

    async def _handle(self, call: ServiceCall) -> ServiceResponse:
        self.calls.append(dict(call.data))
        start = dt_util.parse_datetime(call.data["start"])
        end = dt_util.parse_datetime(call.data["end"])
        assert start is not None
        assert end is not None
        return {
            "prices": {
                home: [
                    {"start_time": moment.isoformat(), "price": price}
                    for moment, price in items
                    if start <= moment < end
                ]
                for home, items in self.prices.items()
            }
        }


class Entsoe:
    """The ENTSO-e custom integration: current and average price sensors."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Register both sensors of one config entry (states via publish)."""
        self.hass = hass
        entry = MockConfigEntry(domain="entsoe", data={"area": "NL"})
        entry.add_to_hass(hass)
        registry = er.async_get(hass)
        self.current, self.average = (
            registry.async_get_or_create(
                "sensor",
                "entsoe",
                f"entsoe.{key}",
                config_entry=entry,
                suggested_object_id=name,
            ).entity_id
            for key, name in (
                ("current_price", "current_electricity_market_price"),
                ("avg_price", "average_electricity_price"),
            )
        )

    def publish(
        self, start: datetime, prices: Sequence[float], period: timedelta, tz: Any
    ) -> None:
        """``prices`` (EUR/kWh) from local midnight ``start``: today then tomorrow."""
        items = [
            {"time": str((start + i * period).astimezone(tz)), "price": price}
            for i, price in enumerate(prices)
        ]
        day_end = (
            (start + timedelta(days=1, hours=2))
            .astimezone(tz)
            .replace(hour=0, minute=0)
        )
        today = [i for i in items if datetime.fromisoformat(i["time"]) < day_end]
        tomorrow = items[len(today) :]
        unit = {"unit_of_measurement": "EUR/kWh", "state_class": "measurement"}
        self.hass.states.async_set(self.current, str(prices[0]), unit)
        self.hass.states.async_set(
            self.average,
            str(sum(prices) / len(prices)),
            {
                **unit,
                "prices_today": today,
                "prices_tomorrow": tomorrow,
                "prices": items,
            },
        )
