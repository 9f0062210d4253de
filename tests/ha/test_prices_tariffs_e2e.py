"""Other tariffs through the real hub and the strategy: Nord Pool, Amber, generic.

Each stand-in is shaped as the integration publishes (tariff_standin.py). The
clock moves across quarter-hour (Nord Pool), half-hour (Amber) and hour
(generic) boundaries and a simulated miner's plug follows the bands: OFF
above 20 minor units per kWh, BTC below 4 (the default bands).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.home_miner_manager.const import DOMAIN
from custom_components.home_miner_manager.db.models import EnergyPrice
from hmm_sim import AxeOSSimulator

from .conftest import HubFactory, rows
from .prices_support import hub_sensor, plugged_hub
from .strategy_support import SmartPlug, move_to
from .tariff_standin import Amber, NordPool, Q, generic_state, local_day

STOCKHOLM = dt_util.get_time_zone("Europe/Stockholm")
BRISBANE = dt_util.get_time_zone("Australia/Brisbane")  # Amber's NEM time, no DST


@pytest.fixture
def plug(axeos_sim: AxeOSSimulator) -> SmartPlug:
    """The Bitaxe's smart plug."""
    return SmartPlug("Bitaxe plug", axeos_sim)


def _band(entry: MockConfigEntry) -> int | None:
    decision = entry.runtime_data.strategy.decision
    return None if decision is None else decision.band_id


OFF, BTC = 1, 5


def _nordpool_price(moment: datetime) -> float:
    """EUR/MWh: 300 (30 c/kWh, OFF) 12:00-13:00 Stockholm, else 30 (3 c, BTC)."""
    return 300.0 if dt_util.as_local(moment).hour == 12 else 30.0


@pytest.mark.freeze_time("2026-12-04 09:50:00+00:00")
async def test_nordpool_quarter_hours_in_eur(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    plug: SmartPlug,
    freezer: FrozenDateTimeFactory,
) -> None:
    await hass.config.async_update(time_zone="Europe/Stockholm", currency="EUR")
    nordpool = NordPool(hass, "SE3", _nordpool_price)
    nordpool.published = {date(2026, 12, 4)}  # tomorrow clears about 13:00 CET
    entry = await plugged_hub(hass, setup_hub, axeos_sim, plug, nordpool.entity_id)
    prices = entry.runtime_data.prices
    assert [c["date"] for c in nordpool.calls] == [date(2026, 12, 4), date(2026, 12, 5)]
    assert nordpool.calls[0]["currency"] == "EUR"
    assert nordpool.calls[0]["areas"] == ["SE3"]
    assert len(prices.slots) == 96
    assert {s.end - s.start for s in prices.slots} == {Q}
    await move_to(hass, freezer, "2026-12-04 09:56:00+00:00")
    current = hub_sensor(hass)
    assert current.state == "3.0"
    assert current.attributes["unit_of_measurement"] == "c/kWh"
    assert _band(entry) == BTC
    # 12:00 Stockholm: a dear quarter-hour, OFF at once.
    await move_to(hass, freezer, "2026-12-04 11:00:00+00:00")
    assert hub_sensor(hass).state == "30.0"
    assert _band(entry) == OFF
    assert plug.calls[-1] == "off"
    await move_to(hass, freezer, "2026-12-04 11:45:00+00:00")
    assert _band(entry) == OFF
    # 13:00: cheap again, and the next hour (four quarter-hours) is published.
    await move_to(hass, freezer, "2026-12-04 12:00:00+00:00")
    assert hub_sensor(hass).state == "3.0"
    assert _band(entry) == BTC
    assert plug.calls[-1] == "on"
    # Tomorrow clears; the hourly retry (not every 5 minutes) fetches it.
    nordpool.published.add(date(2026, 12, 5))
    calls = len(nordpool.calls)
    await move_to(hass, freezer, "2026-12-04 12:55:00+00:00")
    assert len(nordpool.calls) == calls
    await move_to(hass, freezer, "2026-12-04 13:00:00+00:00")
    assert len(nordpool.calls) == calls + 2
    assert len(prices.slots) == 192
    stored = await rows(hass, entry, EnergyPrice)
    assert {r.region for r in stored} == {"Q"}
    assert {r.valid_to - r.valid_from for r in stored} == {Q}
    assert min(r.price_pence for r in stored) == 3.0  # c/kWh, the minor unit
    assert ir.async_get(hass).async_get_issue(DOMAIN, "price_unknown") is None


@pytest.mark.freeze_time("2026-10-24 22:50:00+00:00")
async def test_nordpool_dst_day_of_100_quarter_hours(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    plug: SmartPlug,
    freezer: FrozenDateTimeFactory,
) -> None:
    """25 October 2026: 02:00-03:00 Stockholm happens twice; dear only the first time."""
    await hass.config.async_update(time_zone="Europe/Stockholm", currency="EUR")
    first_two = dt_util.parse_datetime("2026-10-25 00:00:00+00:00")  # 02:00 CEST

    def price(moment: datetime) -> float:
        assert first_two is not None
        return 300.0 if first_two <= moment < first_two + timedelta(hours=1) else 30.0

    nordpool = NordPool(hass, "SE3", price)
    nordpool.published = {date(2026, 10, 25)}
    entry = await plugged_hub(hass, setup_hub, axeos_sim, plug, nordpool.entity_id)
    start, end = local_day(date(2026, 10, 25), STOCKHOLM)
    day = [s for s in entry.runtime_data.prices.slots if start <= s.start < end]
    assert len(day) == 100
    await move_to(hass, freezer, "2026-10-24 23:56:00+00:00")  # 01:56 CEST
    assert _band(entry) == BTC
    await move_to(hass, freezer, "2026-10-25 00:30:00+00:00")  # 02:30 CEST
    assert _band(entry) == OFF
    assert plug.calls[-1] == "off"
    await move_to(hass, freezer, "2026-10-25 01:30:00+00:00")  # 02:30 CET
    assert dt_util.as_local(dt_util.utcnow()).hour == 2
    assert hub_sensor(hass).state == "3.0"
    assert _band(entry) == BTC
    assert plug.calls[-1] == "on"
    assert hub_sensor(hass, "today_average_price").state == str(
        round((4 * 30.0 + 96 * 3.0) / 100, 4)
    )


@pytest.mark.freeze_time("2026-12-04 01:50:00+00:00")
async def test_amber_half_hours_in_aud(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    plug: SmartPlug,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Amber's forecast starts after the interval in progress: both are read."""
    await hass.config.async_update(time_zone="Australia/Brisbane", currency="AUD")
    amber = Amber(hass)
    # From 11:30 Brisbane: 0.03 AUD/kWh (3 c) to 13:00, 0.35 (OFF) to 14:00, then 0.02.
    now = dt_util.utcnow()
    amber.publish(now, [0.03] * 3 + [0.35] * 2 + [0.02] * 20)
    entry = await plugged_hub(hass, setup_hub, axeos_sim, plug, amber.forecast)
    await move_to(hass, freezer, "2026-12-04 01:56:00+00:00")
    current = hub_sensor(hass)
    assert current.state == "3.0"
    assert current.attributes["unit_of_measurement"] == "c/kWh"
    assert _band(entry) == BTC
    # 13:00: Amber moves on (the new interval in progress leaves the forecast).
    freezer.move_to(dt_util.parse_datetime("2026-12-04 03:00:00+00:00"))
    amber.publish(dt_util.utcnow(), [0.35] * 2 + [0.02] * 20)
    await move_to(hass, freezer, "2026-12-04 03:00:05+00:00")
    assert hub_sensor(hass).state == "35.0"
    assert _band(entry) == OFF
    assert plug.calls[-1] == "off"
    # 14:00 without a fresh update yet: the slot seen in the forecast holds.
    await move_to(hass, freezer, "2026-12-04 04:00:00+00:00")
    assert hub_sensor(hass).state == "2.0"
    assert _band(entry) == BTC
    assert plug.calls[-1] == "on"
    stored = await rows(hass, entry, EnergyPrice)
    assert {r.region for r in stored} == {"U"}
    assert {r.valid_from.minute for r in stored} <= {0, 30}  # 12:00:01 → 12:00


@pytest.mark.freeze_time("2026-12-04 09:50:00+00:00")
async def test_generic_hourly_sensor(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    plug: SmartPlug,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A template sensor listing start / duration / price in EUR/kWh, hourly."""
    await hass.config.async_update(time_zone="Europe/Berlin", currency="EUR")
    start = dt_util.parse_datetime("2026-12-04 09:00:00+00:00")
    assert start is not None
    hourly = [0.03, 0.25, 0.02, 0.02, 0.02]  # 10:00 UTC dear, then cheap
    generic_state(hass, "sensor.spot_prices", start, hourly)
    entry = await plugged_hub(hass, setup_hub, axeos_sim, plug, "sensor.spot_prices")
    await move_to(hass, freezer, "2026-12-04 09:56:00+00:00")
    assert hub_sensor(hass).state == "3.0"
    assert _band(entry) == BTC
    await move_to(hass, freezer, "2026-12-04 10:00:00+00:00")
    assert hub_sensor(hass).state == "25.0"
    assert _band(entry) == OFF
    assert plug.calls[-1] == "off"
    # 11:00: one cheap hour is two half-hours: out of OFF at once.
    await move_to(hass, freezer, "2026-12-04 11:00:00+00:00")
    assert _band(entry) == BTC
    assert plug.calls[-1] == "on"
    # A unit in another currency is refused, with a repair.
    generic_state(hass, "sensor.spot_prices", start, hourly, unit="SEK/kWh")
    await move_to(hass, freezer, "2026-12-04 11:05:00+00:00")
    assert hub_sensor(hass).state == "unavailable"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "price_unknown")
    assert issue is not None
    assert issue.translation_key == "price_unknown_currency_mismatch"


@pytest.mark.freeze_time("2026-12-04 09:50:00+00:00")
async def test_generic_sensor_appearing_after_the_hub(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    plug: SmartPlug,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A template sensor (no registry entry) created after the hub started."""
    entry = await plugged_hub(hass, setup_hub, axeos_sim, plug, "sensor.spot_prices")
    prices = entry.runtime_data.prices
    assert prices.kind is None
    start = dt_util.parse_datetime("2026-12-04 09:00:00+00:00")
    assert start is not None
    generic_state(hass, "sensor.spot_prices", start, [3.0, 3.0], unit="c/kWh")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert prices.kind == "generic"
    assert prices.region == "X"
    await move_to(hass, freezer, "2026-12-04 09:56:00+00:00")
    assert hub_sensor(hass).state == "3.0"
    assert _band(entry) == BTC
