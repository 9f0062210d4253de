"""Tibber (through its action) and ENTSO-e (its average sensor) through the hub."""

from __future__ import annotations

from datetime import datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest

from hmm_sim import AxeOSSimulator

from .conftest import HubFactory
from .prices_support import hub_sensor, plugged_hub
from .strategy_support import SmartPlug, move_to
from .tariff_standin import Entsoe, Q, Tibber
from .test_prices_tariffs_e2e import BTC, OFF, _band

OSLO = dt_util.get_time_zone("Europe/Oslo")
AMSTERDAM = dt_util.get_time_zone("Europe/Amsterdam")


@pytest.fixture
def plug(axeos_sim: AxeOSSimulator) -> SmartPlug:
    """The Bitaxe's smart plug."""
    return SmartPlug("Bitaxe plug", axeos_sim)


@pytest.mark.freeze_time("2026-12-04 09:50:00+00:00")
async def test_tibber_quarter_hours_in_nok(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    plug: SmartPlug,
    freezer: FrozenDateTimeFactory,
) -> None:
    await hass.config.async_update(time_zone="Europe/Oslo", currency="NOK")
    midnight = datetime(2026, 12, 4, tzinfo=OSLO)
    quarters = [midnight + i * Q for i in range(96 * 2)]
    cabin = [(t, 2.5 if dt_util.as_local(t).hour == 12 else 0.03) for t in quarters]
    home = [(t, 9.99) for t in quarters]
    tibber = Tibber(hass, {"Home": home, "Cabin": cabin})
    entry = await plugged_hub(hass, setup_hub, axeos_sim, plug, tibber.entity_id)
    assert len(tibber.calls) == 1
    assert dt_util.parse_datetime(tibber.calls[0]["start"]) == midnight
    assert len(entry.runtime_data.prices.slots) == 192
    await move_to(hass, freezer, "2026-12-04 09:56:00+00:00")
    current = hub_sensor(hass)
    assert current.state == "3.0"  # the Cabin's, in øre/kWh
    assert current.attributes["unit_of_measurement"] == "øre/kWh"
    assert _band(entry) == BTC
    await move_to(hass, freezer, "2026-12-04 11:00:00+00:00")
    assert hub_sensor(hass).state == "250.0"
    assert _band(entry) == OFF
    assert plug.calls[-1] == "off"
    await move_to(hass, freezer, "2026-12-04 12:00:00+00:00")
    assert _band(entry) == BTC
    assert plug.calls[-1] == "on"
    assert len(tibber.calls) == 1  # tomorrow was known: no call needed


@pytest.mark.freeze_time("2026-12-04 09:50:00+00:00")
async def test_entsoe_hourly_through_the_current_price_sensor(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    plug: SmartPlug,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The user picks the current price sensor; its average sibling holds the lists."""
    await hass.config.async_update(time_zone="Europe/Amsterdam", currency="EUR")
    entsoe = Entsoe(hass)
    midnight = datetime(2026, 12, 4, tzinfo=AMSTERDAM)
    hours = [midnight + timedelta(hours=h) for h in range(48)]
    prices = [0.3 if dt_util.as_local(t).hour == 12 else 0.02 for t in hours]
    entsoe.publish(midnight, prices, timedelta(hours=1), AMSTERDAM)
    entry = await plugged_hub(hass, setup_hub, axeos_sim, plug, entsoe.current)
    assert len(entry.runtime_data.prices.slots) == 48
    assert entry.runtime_data.prices.skipped == 0  # "prices" repeats, no error
    await move_to(hass, freezer, "2026-12-04 09:56:00+00:00")
    assert hub_sensor(hass).state == "2.0"
    assert _band(entry) == BTC
    await move_to(hass, freezer, "2026-12-04 11:00:00+00:00")
    assert hub_sensor(hass).state == "30.0"
    assert _band(entry) == OFF
    await move_to(hass, freezer, "2026-12-04 12:00:00+00:00")
    assert _band(entry) == BTC
    assert plug.calls[-2:] == ["off", "on"]
