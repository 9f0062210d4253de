"""The strategy acts on what it commanded, at once (issue 13 §3, §6).

A Bitaxe simulator without a power switch: OFF is its lowest mode, which only
reaches it while it answers. Prices are published at a fixed moment and moved
by hand, so a band changes before the miner's next poll.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
import time
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.home_miner_manager.db.models import AuditLog, Event
from hmm_sim import AxeOSSimulator
from hmm_sim.faults import Fault

from .conftest import BITAXE_UID, HubFactory, closed_port, miner_subentry, rows
from .strategy_support import (
    HUB_ID,
    SmartPlug,
    entity_id,
    entity_options,
    plugged_hub_with,
    pool_subentry,
    set_day,
    slot_index,
    start_strategy,
)
from .test_entities import sync_sim_clock

NOW = "2026-03-10 12:10:00+00:00"  # slot 24 of the UK day (GMT)
BTC_PRICE, OFF_PRICE = 3.0, 25.0  # default bands: < 4 BTC, >= 20 OFF
PORTS = {"DGB": closed_port(), "BCH": closed_port(), "BTC": closed_port()}


async def _hub(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    sim: AxeOSSimulator,
    pence: float,
    pools: list[Any] | None = None,
) -> MockConfigEntry:
    set_day(hass, [pence] * 48)
    sync_sim_clock(sim)
    return await setup_hub(
        [
            miner_subentry(sim, "bitaxe", title="Bitaxe", unique_id=BITAXE_UID),
            *(pools or [pool_subentry(coin, port) for coin, port in PORTS.items()]),
        ],
        options=entity_options(),
    )


def _miner(entry: MockConfigEntry) -> Any:
    (coordinator,) = entry.runtime_data.coordinators.values()
    return coordinator


def _modes_sent(sim: AxeOSSimulator) -> list[float]:
    """Frequencies the miner was sent (a mode is a frequency on AxeOS)."""
    return [
        body["frequency"]
        for body in sim.requests_to("PATCH", "/api/system")
        if isinstance(body, dict) and "frequency" in body
    ]


def _pool_switches(sim: AxeOSSimulator) -> list[Any]:
    return [
        body
        for body in sim.requests_to("PATCH", "/api/system")
        if isinstance(body, dict) and ("pools" in body or "stratumURL" in body)
    ]


async def _tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    # The simulator reboots in real time; Home Assistant's clock is frozen.
    await hass.async_add_executor_job(time.sleep, 0.25)
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def _rebooted(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let the reboot that applies a pool finish (its sleeps are on the loop clock)."""
    for _ in range(3):
        await _tick(hass, freezer, 1)


async def _off_now(hass: HomeAssistant) -> None:
    """This slot's price rises into the OFF band (the rest of the day stays BTC)."""
    prices = [BTC_PRICE] * 48
    prices[slot_index()] = OFF_PRICE
    set_day(hass, prices)
    await hass.async_block_till_done(wait_background_tasks=True)


async def _eco_frequency(coordinator: Any) -> float:
    table = coordinator.driver.mode_table
    return float(table.settings["eco"].frequency)


@pytest.mark.freeze_time(NOW)
async def test_off_right_after_a_command_uses_what_was_commanded(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
) -> None:
    """Measured: 3 p -> BTC band; OFF before the next poll; nothing was sent."""
    entry = await _hub(hass, setup_hub, axeos_sim, BTC_PRICE)
    coordinator = _miner(entry)
    await coordinator.driver.set_mode("eco")
    await coordinator.async_refresh()
    in_flight = coordinator.data  # a poll taken while the command went out
    assert in_flight.mode == "eco"
    await start_strategy(hass)
    band_mode = entry.runtime_data.strategy.decision.band.bitaxe_mode
    assert band_mode != "eco"
    assert _pool_switches(axeos_sim)
    # That poll's answer arrives after the commands: it still says eco.
    coordinator.async_set_updated_data(in_flight)
    axeos_sim.log.clear()

    # The price rises into the OFF band before the next poll.
    await _off_now(hass)
    assert entry.runtime_data.strategy.decision.band.is_off
    # At once, not at the next reconcile: the lowest mode was sent.
    assert _modes_sent(axeos_sim) == [await _eco_frequency(coordinator)]


@pytest.mark.freeze_time(NOW)
async def test_off_reaches_a_rebooting_miner_within_30_s(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """OFF during the reboot after a pool switch: retried until it takes."""
    entry = await _hub(hass, setup_hub, axeos_sim, BTC_PRICE)
    coordinator = _miner(entry)
    axeos_sim.restart_downtime = 20.0  # the loop's clock: moved by the freezer
    await start_strategy(hass)
    assert _pool_switches(axeos_sim)
    await _tick(hass, freezer, 1)
    assert not axeos_sim.is_up
    axeos_sim.log.clear()
    # The miner is rebooting to apply the BTC pool: OFF now.
    await _off_now(hass)
    decided = dt_util.utcnow()
    eco = await _eco_frequency(coordinator)
    while eco not in _modes_sent(axeos_sim):
        assert dt_util.utcnow() - decided <= timedelta(seconds=30)
        await _tick(hass, freezer, 5)
    run = entry.runtime_data.strategy.miner_state(coordinator)
    assert run.last_command == "set_mode:eco"


@pytest.mark.freeze_time(NOW)
async def test_nothing_is_sent_to_a_miner_that_does_not_answer(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A miner whose polls fail gets no pool or mode, only a retry soon."""
    entry = await _hub(hass, setup_hub, axeos_sim, BTC_PRICE)
    coordinator = _miner(entry)
    await axeos_sim.set_fault(Fault.HTTP_500)
    await coordinator.async_refresh()
    assert not coordinator.available
    axeos_sim.log.clear()
    await start_strategy(hass)
    assert axeos_sim.requests_to("PATCH", "/api/system") == []
    run = entry.runtime_data.strategy.miner_state(coordinator)
    assert run.last_error is not None
    # Back: the retry comes within one poll interval (30 s), not minutes.
    await axeos_sim.clear_fault()
    await _tick(hass, freezer, 31)
    assert _pool_switches(axeos_sim)


@pytest.mark.freeze_time(NOW)
async def test_unconfirmed_command_is_sent_again_within_a_poll_interval(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A mode the miner took and then lost shows in the next poll: sent again."""
    entry = await _hub(hass, setup_hub, axeos_sim, BTC_PRICE)
    coordinator = _miner(entry)
    await start_strategy(hass)
    band_mode = entry.runtime_data.strategy.decision.band.bitaxe_mode
    await _rebooted(hass, freezer)
    # The firmware drops the new mode (as after a failed apply).
    await coordinator.driver.set_mode("eco")
    axeos_sim.log.clear()
    for _ in range(8):  # 40 s of Home Assistant time
        await _tick(hass, freezer, 5)
    sent = _modes_sent(axeos_sim)
    table = coordinator.driver.mode_table
    assert float(table.settings[band_mode].frequency) in sent


@pytest.mark.freeze_time(NOW)
async def test_pools_sharing_a_server_are_told_apart_by_user(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Pools of several coins on one host:port: one switch, not one per reconcile."""
    port = closed_port()
    pools = []
    for coin in ("DGB", "BCH", "BTC"):
        pool = pool_subentry(coin, port)
        pool["data"] = {**pool["data"], "user": f"{coin.lower()}wallet"}
        pool["title"] = pool["data"]["name"] = f"{coin} pool"
        pool["unique_id"] = f"127.0.0.1:{port}:{coin.lower()}wallet"
        pools.append(pool)
    entry = await _hub(hass, setup_hub, axeos_sim, BTC_PRICE, pools)
    coordinator = _miner(entry)
    await start_strategy(hass)
    await _rebooted(hass, freezer)
    await coordinator.async_refresh()
    assert coordinator.data.extras["pool_user"].startswith("btcwallet.")
    pool_select = hass.states.get(entity_id(hass, "select", f"{BITAXE_UID}_pool"))
    assert pool_select.state == "BTC pool"
    switches = len(_pool_switches(axeos_sim))
    assert switches == 1
    for _ in range(3):  # three reconciles
        await _tick(hass, freezer, 301)
    assert len(_pool_switches(axeos_sim)) == switches
    drift = [
        e
        for e in await rows(hass, entry, Event)
        if e.event_type == "strategy_drift_corrected"
    ]
    assert drift == []


class SlowBootPlug(SmartPlug):
    """A plug whose miner takes minutes to boot (it answers nothing meanwhile)."""

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Power on; the miner does not answer yet."""
        self.calls.append("on")
        self._attr_is_on = True
        self.async_write_ha_state()


@pytest.mark.freeze_time(NOW)
@pytest.mark.parametrize("then", ["off_band", "strategy_off"])
async def test_off_does_not_wait_for_a_miner_still_booting(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
    then: str,
) -> None:
    """A run waiting (up to 2 min) for a miner to boot is replaced by OFF at once.

    Switching the strategy off stops it too: the miner, once up, gets no pool
    or mode from a strategy that is off.
    """
    prices = [OFF_PRICE] * 25 + [15.0] * 23  # OFF now, DGB from 12:30
    set_day(hass, prices)
    plug = SlowBootPlug("Bitaxe plug", axeos_sim)
    entry = await plugged_hub_with(
        hass,
        setup_hub,
        axeos_sim,
        plug,
        [pool_subentry(coin, port) for coin, port in PORTS.items()],
    )
    await start_strategy(hass)
    assert plug.calls == ["off"]
    # 12:30: DGB; the plug goes on and the run waits for the miner to answer.
    freezer.move_to(dt_util.parse_datetime("2026-03-10 12:30:00+00:00"))
    async_fire_time_changed(hass)
    # Background tasks are not waited for: one waits for the miner for good.
    await _until(hass, lambda: plug.calls == ["off", "on"])
    await _until(hass, lambda: entry.runtime_data.strategy.executor._task is not None)
    if then == "strategy_off":
        await hass.services.async_call(
            "switch",
            "turn_off",
            {"entity_id": entity_id(hass, "switch", f"{HUB_ID}_agile_strategy")},
            blocking=True,
        )
        await _until(hass, lambda: entry.runtime_data.strategy.executor._task is None)
        await axeos_sim.start()  # the miner is up at last
        axeos_sim.log.clear()
        for _ in range(30):  # well past the 2-minute wait
            await _tick(hass, freezer, 5)
        assert axeos_sim.requests_to("PATCH", "/api/system") == []
        assert plug.calls == ["off", "on"]
        return
    # The price turns dear before the miner answers: OFF now, not in 2 minutes.
    prices[slot_index()] = OFF_PRICE
    set_day(hass, prices)
    await _until(hass, lambda: plug.calls == ["off", "on", "off"])
    assert dt_util.utcnow() == dt_util.parse_datetime("2026-03-10 12:30:00+00:00")


async def _until(hass: HomeAssistant, check: Any) -> None:
    """Let the loop run (real time; its clock is frozen) until ``check()``."""
    for _ in range(200):
        if check():
            return
        await asyncio.sleep(0)
        await hass.async_add_executor_job(time.sleep, 0.01)
    assert check()


@pytest.mark.freeze_time(NOW)
async def test_a_miner_gone_for_good_is_not_asked_every_few_seconds(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """OFF is retried every 5 s for 5 minutes, then once per poll interval."""
    entry = await _hub(hass, setup_hub, axeos_sim, 15.0)  # DGB: eco
    coordinator = _miner(entry)
    await start_strategy(hass)
    await _rebooted(hass, freezer)
    await coordinator.driver.set_mode("turbo")  # the OFF band must send eco
    await coordinator.async_refresh()
    await axeos_sim.set_fault(Fault.REFUSED)  # unplugged for good
    prices = [15.0] * 48
    prices[slot_index()] = OFF_PRICE
    set_day(hass, prices)
    await hass.async_block_till_done(wait_background_tasks=True)

    async def failures() -> int:
        audit = await rows(hass, entry, AuditLog)
        return sum(
            1
            for a in audit
            if a.action == "agile_strategy_executed" and a.status == "failure"
        )

    for _ in range(60):  # the first 5 minutes: every 5 s (a reboot, maybe)
        await _tick(hass, freezer, 5)
    fast = await failures()
    assert fast >= 50
    for _ in range(24):  # the next 2 minutes: every 30 s
        await _tick(hass, freezer, 5)
    assert await failures() - fast <= 5
