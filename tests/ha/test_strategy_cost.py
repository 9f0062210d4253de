"""Energy cost sensors and the simulate_strategy action, through a hub."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.home_miner_manager.const import DOMAIN
from hmm_sim import AxeOSSimulator

from .conftest import BITAXE_UID, HubFactory, miner_subentry
from .strategy_support import HUB_ID, entity_id, entity_options, flat_day, set_day
from .test_entities import sync_sim_clock

NOW = "2026-03-10 12:10:00+00:00"


def _value(hass: HomeAssistant, unique_id: str) -> float:
    state = hass.states.get(entity_id(hass, "sensor", unique_id))
    assert state is not None
    return float(state.state)


@pytest.mark.freeze_time(NOW)
async def test_cost_today_and_month(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    set_day(hass, flat_day(20.0))
    sync_sim_clock(axeos_sim)
    entry = await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", title="Bitaxe", unique_id=BITAXE_UID)],
        options=entity_options(),
    )
    (coordinator,) = entry.runtime_data.coordinators.values()
    assert _value(hass, f"{BITAXE_UID}_cost_today") == 0.0
    watts = []
    for _ in range(10):  # five minutes of polls every 30 s
        freezer.tick(timedelta(seconds=30))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
        watts.append(coordinator.power_watts)
    expected = sum(watts) / len(watts) * (5 / 60) / 1000 * 20 / 100  # GBP
    today = _value(hass, f"{BITAXE_UID}_cost_today")
    assert today == pytest.approx(expected, rel=0.25)
    assert _value(hass, f"{BITAXE_UID}_cost_month") == today
    state = hass.states.get(entity_id(hass, "sensor", f"{BITAXE_UID}_cost_today"))
    assert state.attributes["unit_of_measurement"] == "GBP"
    assert state.attributes["device_class"] == "monetary"
    freezer.tick(timedelta(seconds=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert _value(hass, f"{HUB_ID}_cost_today") == pytest.approx(today)


@pytest.mark.freeze_time(NOW)
async def test_simulate_strategy(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    set_day(hass, flat_day(15.0))
    sync_sim_clock(axeos_sim)
    await setup_hub(
        [
            miner_subentry(
                axeos_sim,
                "bitaxe",
                title="Bitaxe",
                unique_id=BITAXE_UID,
                power_switch="switch.plug",
            )
        ],
        options=entity_options(),
    )
    await hass.services.async_call(
        "switch",
        "turn_on",
        {"entity_id": entity_id(hass, "switch", f"{BITAXE_UID}_strategy_enrolled")},
        blocking=True,
    )
    prices = [25.0, 25.0, 15.0, 15.0, 15.0, 5.0, 5.0, 5.0, 30.0, 3.0, 3.0, 3.0]
    response = await hass.services.async_call(
        DOMAIN,
        "simulate_strategy",
        {"start": "2026-03-11 00:00:00", "prices": prices},
        blocking=True,
        return_response=True,
    )
    assert [slot["band"] for slot in response["slots"]] == [
        "OFF >=20p",
        "OFF >=20p",
        "DGB 12-20p",
        "DGB 12-20p",
        "DGB 12-20p",
        "BCH 4-7p",
        "BCH 4-7p",
        "BCH 4-7p",
        "OFF >=20p",
        "BTC <4p",
        "BTC <4p",
        "BTC <4p",
    ]
    assert response["band_switches"] == 4  # OFF, DGB, BCH, OFF, BTC
    (miner,) = response["miners"]
    assert miner["name"] == "Bitaxe"
    assert miner["hours_on"] == 4.5  # 9 of 12 half hours
    assert miner["cost"] < miner["always_on_cost"]
    assert response["currency"] == "GBP"  # Octopus: pence, whatever HA says
    # The first key names stay for pounds (automations may read them).
    assert miner["cost_gbp"] == miner["cost"]
    assert miner["saving_gbp"] == miner["saving"]
    assert miner["always_on_cost_gbp"] == miner["always_on_cost"]
    # Stored prices (today's) by default; none for a period without any.
    stored = await hass.services.async_call(
        DOMAIN, "simulate_strategy", {}, blocking=True, return_response=True
    )
    assert stored["slots"]
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN,
            "simulate_strategy",
            {"start": "2020-01-01 00:00:00", "end": "2020-01-02 00:00:00"},
            blocking=True,
            return_response=True,
        )
