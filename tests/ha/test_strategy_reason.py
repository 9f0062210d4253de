"""Why is my miner off? The ``strategy_reason`` sensor and logbook lines, through the core."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
import json
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.home_miner_manager.agile.events import (
    EVENT_STRATEGY_ACTION,
    action_message,
)
from custom_components.home_miner_manager.db.models import Telemetry
from custom_components.home_miner_manager.strategy.reason import StrategyReason
from hmm_sim import AxeOSSimulator, Fleet

from .conftest import BITAXE_UID, HubFactory, closed_port, miner_subentry
from .strategy_support import (
    HUB_ID,
    SmartPlug,
    add_plugs,
    entity_id,
    entity_options,
    flat_day,
    pool_subentry,
    set_day,
    two_plugged_bitaxes,
)
from .test_entities import sync_sim_clock

NOW = "2026-03-10 12:10:00+00:00"  # slot 24 of the UK day (GMT)
EN = Path(__file__).parents[2] / (
    "custom_components/home_miner_manager/translations/en.json"
)


async def _hub(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    sim: AxeOSSimulator,
    prices: list[float],
) -> MockConfigEntry:
    set_day(hass, prices)
    await add_plugs(hass, SmartPlug("Bitaxe plug", sim))
    sync_sim_clock(sim)
    return await setup_hub(
        [
            miner_subentry(
                sim,
                "bitaxe",
                title="Bitaxe",
                unique_id=BITAXE_UID,
                power_switch="switch.bitaxe_plug",
            ),
            *(pool_subentry(coin, closed_port()) for coin in ("DGB", "BCH", "BTC")),
        ],
        options=entity_options(),
    )


def _reason(hass: HomeAssistant, unique_id: str = BITAXE_UID) -> Any:
    state = hass.states.get(entity_id(hass, "sensor", f"{unique_id}_strategy_reason"))
    assert state is not None
    return state


async def _switch(hass: HomeAssistant, unique_id: str, on: bool = True) -> None:
    await hass.services.async_call(
        "switch",
        "turn_on" if on else "turn_off",
        {"entity_id": entity_id(hass, "switch", unique_id)},
        blocking=True,
    )
    await hass.async_block_till_done(wait_background_tasks=True)


def test_every_reason_is_an_option_and_translated() -> None:
    states = json.loads(EN.read_text())["entity"]["sensor"]["strategy_reason"]["state"]
    assert set(states) == {reason.value for reason in StrategyReason}


@pytest.mark.freeze_time(NOW)
async def test_off_strategy_enrolment_mining_managed_rate_limit_and_price(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
) -> None:
    entry = await _hub(hass, setup_hub, axeos_sim, flat_day(15.0))
    runner = entry.runtime_data.strategy
    assert runner is not None
    state = _reason(hass)
    assert state.state == "strategy_off"
    assert state.attributes["options"] == [r.value for r in StrategyReason]
    await _switch(hass, f"{HUB_ID}_agile_strategy")
    assert _reason(hass).state == "not_enrolled"
    await _switch(hass, f"{BITAXE_UID}_strategy_enrolled")
    state = _reason(hass)
    assert state.state == "mining"
    assert state.attributes["band"] == "DGB 12-20p"
    assert state.attributes["target_band"] is None  # 15p all day: no change
    assert state.attributes["changes_at"] is None
    # The eco band leaves Bitaxes as they are.
    bands = runner.bands
    await runner.async_save_bands(
        [
            replace(b, bitaxe_mode="managed_externally") if b.min_price == 12.0 else b
            for b in bands
        ],
        None,
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _reason(hass).state == "managed_externally"
    # Six changes in the last hour: the next one (mode standard) waits.
    (coordinator,) = entry.runtime_data.coordinators.values()
    run = runner.miners[coordinator.miner_id]
    run.history = [dt_util.utcnow() - timedelta(minutes=m) for m in range(6)]
    await runner.async_save_bands(
        [
            replace(b, bitaxe_mode="standard") if b.min_price == 12.0 else b
            for b in bands
        ],
        None,
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _reason(hass).state == "rate_limited"
    # The price rises into the OFF band: off because of the price.
    set_day(hass, flat_day(25.0))
    await hass.async_block_till_done(wait_background_tasks=True)
    state = _reason(hass)
    assert state.state == "off_price"
    assert state.attributes["band"] == "OFF >=20p"


@pytest.mark.freeze_time(NOW)
async def test_waiting_for_cheaper_slots_says_how_many_and_when(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    # OFF so far; 15p from now on, but only this half hour is known yet.
    entry = await _hub(hass, setup_hub, axeos_sim, [25.0] * 24 + [15.0])
    await _switch(hass, f"{BITAXE_UID}_strategy_enrolled")
    await _switch(hass, f"{HUB_ID}_agile_strategy")
    state = _reason(hass)
    assert state.state == "waiting_hysteresis"
    assert state.attributes["slots_to_wait"] == 1
    assert state.attributes["band"] is None  # a first start: off, no band yet
    # The next half hour's price arrives and confirms it: mining.
    set_day(hass, [25.0] * 24 + [15.0] * 24)
    await hass.async_block_till_done(wait_background_tasks=True)
    state = _reason(hass)
    assert state.state == "mining"
    assert state.attributes["band"] == "DGB 12-20p"
    assert entry.runtime_data.prices.configured


@pytest.mark.freeze_time(NOW)
async def test_price_unknown(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
) -> None:
    # Prices end at noon: nothing is known for the current half hour.
    await _hub(hass, setup_hub, axeos_sim, [15.0] * 24)
    await _switch(hass, f"{BITAXE_UID}_strategy_enrolled")
    await _switch(hass, f"{HUB_ID}_agile_strategy")
    assert _reason(hass).state == "price_unknown"


@pytest.mark.freeze_time(NOW)
async def test_benched_by_the_champion_and_the_logbook_says_why(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    sim_fleet: Callable[..., Awaitable[Fleet]],
) -> None:
    fleet = await sim_fleet(bitaxe=2)
    first, second = fleet.devices
    set_day(hass, flat_day(15.0))
    entry, _plugs = await two_plugged_bitaxes(hass, setup_hub, first, second)
    runner = entry.runtime_data.strategy
    assert runner is not None
    one, two = sorted(entry.runtime_data.coordinators.values(), key=lambda c: c.name)
    database = entry.runtime_data.database
    for minutes in range(0, 360, 30):  # "Two" does more hashes per joule
        when = dt_util.utcnow() - timedelta(minutes=minutes)
        for coordinator, watts in ((one, 20.0), (two, 12.0)):
            database.queue_insert(
                Telemetry,
                miner_id=coordinator.miner_id,
                timestamp=when,
                power_watts=watts,
                data={"hashrate_ghs": 1000.0, "mode": "eco"},
            )
    await database.async_flush()
    eco = next(b for b in runner.bands if b.min_price == 12.0)
    await runner.async_save_bands(
        [replace(b, champion=b.id == eco.id) for b in runner.bands], None
    )
    actions: list[dict[str, Any]] = []
    hass.bus.async_listen(EVENT_STRATEGY_ACTION, lambda e: actions.append(dict(e.data)))
    for coordinator in (one, two):
        await runner.async_set_enrolled(coordinator, True, None)
    await runner.async_set_enabled(True, None)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _reason(hass, "mac:one").state == "benched"
    assert _reason(hass, "mac:two").state == "mining"
    # One line each on the miner's logbook: what was done, and why.
    messages = [action_message(data) for data in actions]
    assert (
        "set One: switch off, benched: only the champion mines in band DGB 12-20p"
        in messages
    )
    assert any(
        m.startswith("set Two: ")
        and m.endswith("the champion of band DGB 12-20p (its lowest mode)")
        for m in messages
    ), messages


@pytest.mark.freeze_time(NOW)
async def test_the_logbook_says_off_because_of_the_price(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    await _hub(hass, setup_hub, axeos_sim, flat_day(25.0))
    actions: list[dict[str, Any]] = []
    hass.bus.async_listen(EVENT_STRATEGY_ACTION, lambda e: actions.append(dict(e.data)))
    await _switch(hass, f"{BITAXE_UID}_strategy_enrolled")
    await _switch(hass, f"{HUB_ID}_agile_strategy")
    freezer.tick(timedelta(seconds=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [action_message(data) for data in actions] == [
        "set Bitaxe: switch off, off because the price is in band OFF >=20p"
    ]
