"""Prices from the Octopus integration's entities, through a real hub."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.home_miner_manager.db.models import EnergyPrice

from .conftest import HubFactory, rows
from .strategy_support import (
    CURRENT_DAY,
    CURRENT_RATE,
    NEXT_DAY,
    entity_options,
    set_day,
    uk_midnight,
)

NOW = "2026-03-10 12:10:00+00:00"  # slot 24 of the UK day (GMT)


def _entity(hass: HomeAssistant, key: str) -> str:
    registry = er.async_get(hass)
    entity_id = registry.async_get_entity_id(
        "sensor", "home_miner_manager", f"01HMMHUBENTRY0000000000000_{key}"
    )
    assert entity_id is not None, key
    return entity_id


@pytest.mark.freeze_time(NOW)
@pytest.mark.parametrize("iso", [False, True])
async def test_prices_from_event_entity(
    hass: HomeAssistant, setup_hub: HubFactory, iso: bool
) -> None:
    prices = [10.0 + i * 0.5 for i in range(48)]
    set_day(hass, prices, iso=iso)  # v18.3.1 restores datetimes; older ISO strings
    set_day(hass, [3.0] * 48, start=uk_midnight(days=1), iso=iso, entity_id=NEXT_DAY)
    entry = await setup_hub(options=entity_options())
    await hass.async_block_till_done(wait_background_tasks=True)

    current = hass.states.get(_entity(hass, "current_price"))
    assert current is not None
    assert float(current.state) == pytest.approx(22.0)  # slot 24, GBP → pence
    assert current.attributes["unit_of_measurement"] == "p/kWh"
    assert current.attributes["region"] == "C"
    upcoming = current.attributes["upcoming"]
    assert upcoming[0]["price"] == pytest.approx(22.0)
    assert upcoming[-1]["price"] == pytest.approx(3.0)  # tomorrow, from the sibling
    assert float(hass.states.get(_entity(hass, "next_price")).state) == 22.5
    assert float(hass.states.get(_entity(hass, "today_min_price")).state) == 10.0
    assert float(hass.states.get(_entity(hass, "today_max_price")).state) == 33.5
    average = hass.states.get(_entity(hass, "today_average_price"))
    assert float(average.state) == pytest.approx(sum(prices) / 48)

    stored = await rows(hass, entry, EnergyPrice)
    assert len(stored) == 96
    assert {row.region for row in stored} == {"C"}


@pytest.mark.freeze_time(NOW)
async def test_state_change_and_slot_boundary(
    hass: HomeAssistant, setup_hub: HubFactory, freezer: FrozenDateTimeFactory
) -> None:
    set_day(hass, [10.0] * 48)
    entry = await setup_hub(options=entity_options())
    sensor = _entity(hass, "current_price")
    assert hass.states.get(sensor).state == "10.0"
    # A new day's slice: read at once (no polling), rows updated in place.
    prices = [10.0] * 48
    prices[24], prices[25] = 30.0, 5.0
    set_day(hass, prices)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(sensor).state == "30.0"
    # The next slot begins: the sensor moves with it.
    freezer.move_to(dt_util.parse_datetime("2026-03-10 12:30:00+00:00"))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(sensor).state == "5.0"
    stored = await rows(hass, entry, EnergyPrice)
    assert len(stored) == 48
    assert sorted(r.price_pence for r in stored)[-1] == 30.0


@pytest.mark.freeze_time(NOW)
async def test_slot_boundary_in_a_quarter_hour_zone(
    hass: HomeAssistant, setup_hub: HubFactory, freezer: FrozenDateTimeFactory
) -> None:
    """Octopus slots begin at UTC half hours: 18:15 in Kathmandu (UTC+5:45)."""
    await hass.config.async_set_time_zone("Asia/Kathmandu")
    prices = [10.0] * 48
    prices[24], prices[25] = 30.0, 5.0
    set_day(hass, prices)
    await setup_hub(options=entity_options())
    sensor = _entity(hass, "current_price")
    for moment in ("12:20", "12:30"):  # 18:05 and 18:15 local
        freezer.move_to(dt_util.parse_datetime(f"2026-03-10 {moment}:00+00:00"))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(sensor).state == "5.0"


@pytest.mark.freeze_time(NOW)
async def test_current_rate_sensor_alone_is_no_price(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    """Saved options naming a rate sensor whose day lists do not exist."""
    start = dt_util.parse_datetime("2026-03-10 12:00:00+00:00")
    assert start is not None
    hass.states.async_set(
        CURRENT_RATE,
        "0.1234",
        {"start": start, "end": start + timedelta(minutes=30), "tariff": "x"},
    )
    entry = await setup_hub(options=entity_options(price_entity=CURRENT_RATE))
    # Its start/end span runs and lag boundaries: never read as a slot.
    assert hass.states.get(_entity(hass, "current_price")).state == STATE_UNAVAILABLE
    prices = entry.runtime_data.prices
    assert prices is not None
    assert prices.unknown_cause() == "rate_sensor"
    assert prices.error_detail == CURRENT_DAY  # the entity to pick
    # Its day lists appear (the integration loaded later): read at its next tick.
    set_day(hass, [10.0] * 48)
    hass.states.async_set(CURRENT_RATE, "0.1", {"tariff": "x"})
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(_entity(hass, "current_price")).state == "10.0"
    assert prices.unknown_cause() is None


@pytest.mark.freeze_time(NOW)
async def test_no_price_entities_without_a_source(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    await setup_hub()
    registry = er.async_get(hass)
    assert not [
        e for e in registry.entities.values() if e.unique_id.endswith("current_price")
    ]


@pytest.mark.freeze_time(NOW)
async def test_malformed_items_skipped_one_by_one(
    hass: HomeAssistant, setup_hub: HubFactory, caplog: pytest.LogCaptureFixture
) -> None:
    set_day(hass, [10.0] * 48)
    state = hass.states.get(
        "event.octopus_energy_electricity_21l1234567_1200012345678_current_day_rates"
    )
    assert state is not None
    rates = list(state.attributes["rates"])
    rates[3] = {"start": "yesterday", "end": None, "value_inc_vat": "x"}
    rates[24] = {**rates[24], "value_inc_vat": float("nan")}
    rates.append("not a rate")
    hass.states.async_set(
        state.entity_id, state.state, {**state.attributes, "rates": rates}
    )
    await setup_hub(options=entity_options())
    # The current slot's item was malformed: no price now, the others stand.
    assert hass.states.get(_entity(hass, "current_price")).state == STATE_UNAVAILABLE
    assert hass.states.get(_entity(hass, "next_price")).state == "10.0"
    assert float(hass.states.get(_entity(hass, "today_max_price")).state) == 10.0
    assert "Traceback" not in caplog.text
