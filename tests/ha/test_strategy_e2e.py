"""The Agile strategy end to end: a stand-in Octopus entity, time moved across
slot boundaries, a simulated Bitaxe on a smart plug, pools by coin."""

from __future__ import annotations

from datetime import timedelta
import time
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.home_miner_manager.const import DOMAIN, EVENT_BAND_CHANGED
from custom_components.home_miner_manager.db.models import (
    AgileStrategy,
    AuditLog,
    Event,
    MinerStrategy,
)
from hmm_sim import AxeOSSimulator

from .conftest import BITAXE_UID, HubFactory, closed_port, rows
from .strategy_support import (
    HUB_ID,
    SmartPlug,
    entity_id,
    move_to,
    plugged_hub_with,
    pool_subentry,
    set_day,
    set_switch,
    start_strategy,
)

NOW = "2026-03-10 12:10:00+00:00"  # slot 24 of the UK day (GMT)
OFF_PRICE, ECO_PRICE = 25.0, 15.0  # default bands: >= 20 OFF, 12-20 DGB eco
PORTS = {"DGB": closed_port(), "BCH": closed_port(), "BTC": closed_port()}


@pytest.fixture
def plug(axeos_sim: AxeOSSimulator) -> SmartPlug:
    """The Bitaxe's smart plug."""
    return SmartPlug("Bitaxe plug", axeos_sim)


async def _hub(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    sim: AxeOSSimulator,
    plug: SmartPlug,
    prices: list[float] | None,
    *,
    coins: tuple[str, ...] = ("DGB", "BCH", "BTC"),
    **options: Any,
) -> MockConfigEntry:
    if prices is not None:
        set_day(hass, prices)
    return await plugged_hub_with(
        hass,
        setup_hub,
        sim,
        plug,
        [pool_subentry(coin, PORTS[coin]) for coin in coins],
        **options,
    )


async def _until(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, check: Any, tries: int = 8
) -> None:
    """Let retries run (a minute each) until ``check()`` holds."""
    for _ in range(tries):
        if check():
            return
        # The simulator reboots after a pool change (real time: the loop's
        # clock is frozen).
        await hass.async_add_executor_job(time.sleep, 0.3)
        freezer.tick(timedelta(seconds=61))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert check()


def _band(hass: HomeAssistant) -> str:
    state = hass.states.get(entity_id(hass, "sensor", f"{HUB_ID}_price_band"))
    assert state is not None
    return state.state


def _miner(entry: MockConfigEntry) -> Any:
    (coordinator,) = entry.runtime_data.coordinators.values()
    return coordinator


@pytest.mark.freeze_time(NOW)
async def test_off_then_dgb_eco_with_plug_pool_and_mode(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    plug: SmartPlug,
    freezer: FrozenDateTimeFactory,
) -> None:
    events = async_capture_events(hass, EVENT_BAND_CHANGED)
    entry = await _hub(
        hass, setup_hub, axeos_sim, plug, [OFF_PRICE] * 25 + [ECO_PRICE] * 23
    )
    await start_strategy(hass)
    # 25 p: OFF at once, the plug goes off, the miner is expected offline.
    assert plug.calls == ["off"]
    assert _band(hass) == "OFF >=20p"
    assert events[-1].data["to_band"] == "OFF >=20p"
    enrolled = hass.states.get(
        entity_id(hass, "switch", f"{BITAXE_UID}_strategy_enrolled")
    )
    assert enrolled.state == STATE_ON
    assert enrolled.attributes["off_by_strategy"] is True
    # Expected offline: polled every 5 minutes, not every 30 s.
    assert _miner(entry).update_interval == timedelta(minutes=5)
    assert _miner(entry).expected_offline is True
    next_change = hass.states.get(
        entity_id(hass, "sensor", f"{HUB_ID}_next_band_change")
    )
    assert next_change.state == "2026-03-10T12:30:00+00:00"
    assert next_change.attributes["target_band"] == "DGB 12-20p"

    # 12:30: 15 p now and next: leave OFF for DGB eco; plug on, pool, mode.
    await move_to(hass, freezer, "2026-03-10 12:30:00+00:00")
    assert _band(hass) == "DGB 12-20p"
    assert plug.calls == ["off", "on"]
    coordinator = _miner(entry)
    assert coordinator.update_interval == timedelta(seconds=30)
    assert coordinator.expected_offline is False
    await _until(
        hass,
        freezer,
        lambda: (
            coordinator.data is not None
            and coordinator.data.mode == "eco"
            and str(PORTS["DGB"]) in (coordinator.data.pool_in_use or "")
        ),
    )
    assert events[-1].data["from_band"] == "OFF >=20p"
    assert events[-1].data["coin"] == "DGB"

    changes = [
        e for e in await rows(hass, entry, Event) if e.source == "agile_strategy"
    ]
    assert [e.event_type for e in changes][:2] == [
        "strategy_band_changed",
        "strategy_action",
    ]
    audit = await rows(hass, entry, AuditLog)
    executed = [a for a in audit if a.action == "agile_strategy_executed"]
    assert executed
    assert {a.user for a in executed} == {"system"}
    assert any(a.action == "mode_changed" and a.user == "system" for a in audit)
    assert [r.miner_id for r in await rows(hass, entry, MinerStrategy)] == [
        coordinator.miner_id
    ]
    (strategy,) = await rows(hass, entry, AgileStrategy)
    assert strategy.enabled is True
    assert strategy.current_price_band == "DGB"
    assert strategy.state_data["decision"]["band_id"] is not None


@pytest.mark.freeze_time(NOW)
async def test_missing_pool_refuses_and_raises_repair(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    plug: SmartPlug,
) -> None:
    entry = await _hub(
        hass, setup_hub, axeos_sim, plug, [ECO_PRICE] * 48, coins=("DGB",)
    )
    await set_switch(hass, f"{BITAXE_UID}_strategy_enrolled")
    with pytest.raises(HomeAssistantError) as err:
        await set_switch(hass, f"{HUB_ID}_agile_strategy")
    assert err.value.translation_key == "strategy_missing_pool"
    assert err.value.translation_placeholders == {"coins": "BCH, BTC"}
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "strategy_missing_pool")
    assert issue is not None
    assert issue.translation_placeholders == {"coins": "BCH, BTC"}
    assert (
        hass.states.get(entity_id(hass, "switch", f"{HUB_ID}_agile_strategy")).state
        == STATE_OFF
    )
    assert plug.calls == []
    # Adding the pools fixes it: the issue goes by itself.
    for coin in ("BCH", "BTC"):
        data = pool_subentry(coin, PORTS[coin])
        hass.config_entries.async_add_subentry(
            entry,
            ConfigSubentry(
                data=data["data"],
                subentry_type="pool",
                title=data["title"],
                unique_id=data["unique_id"],
            ),
        )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert ir.async_get(hass).async_get_issue(DOMAIN, "strategy_missing_pool") is None
    await set_switch(hass, f"{HUB_ID}_agile_strategy")
    assert entry.runtime_data.strategy.enabled


@pytest.mark.freeze_time(NOW)
async def test_restart_mid_hysteresis_continues(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    plug: SmartPlug,
    freezer: FrozenDateTimeFactory,
) -> None:
    # Only the slots up to 12:30 are published: the cheap spell is counted.
    entry = await _hub(hass, setup_hub, axeos_sim, plug, [OFF_PRICE] * 25 + [ECO_PRICE])
    await start_strategy(hass)
    assert _band(hass) == "OFF >=20p"
    await move_to(hass, freezer, "2026-03-10 12:30:00+00:00")
    assert _band(hass) == "OFF >=20p"  # one cheap slot counted, not enough
    (strategy,) = await rows(hass, entry, AgileStrategy)
    assert strategy.hysteresis_counter == 1

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.runtime_data.strategy.state.hysteresis_counter == 1
    # Still switched off by the strategy: still polled slowly.
    assert _miner(entry).update_interval == timedelta(minutes=5)

    # 13:00: the second cheap slot is published; the stored count makes two.
    set_day(hass, [OFF_PRICE] * 25 + [ECO_PRICE] * 2)
    await hass.async_block_till_done(wait_background_tasks=True)
    await move_to(hass, freezer, "2026-03-10 13:00:00+00:00")
    assert _band(hass) == "DGB 12-20p"
    assert plug.calls[-1] == "on"


@pytest.mark.freeze_time(NOW)
async def test_reconcile_fixes_drift(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    plug: SmartPlug,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await _hub(hass, setup_hub, axeos_sim, plug, [ECO_PRICE] * 48)
    await start_strategy(hass)
    coordinator = _miner(entry)
    await _until(
        hass,
        freezer,
        lambda: coordinator.data is not None and coordinator.data.mode == "eco",
    )
    # Someone turns the miner up by hand; the price has not changed.
    device = coordinator.device_identifier
    await coordinator.driver.set_mode("turbo")
    await coordinator.async_refresh()
    assert coordinator.data.mode == "turbo"
    assert device
    freezer.tick(timedelta(minutes=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    await _until(
        hass,
        freezer,
        lambda: coordinator.data is not None and coordinator.data.mode == "eco",
    )
    drift = [
        e
        for e in await rows(hass, entry, Event)
        if e.event_type == "strategy_drift_corrected"
    ]
    assert drift
    assert "set_mode:eco" in drift[-1].message


@pytest.mark.freeze_time(NOW)
@pytest.mark.parametrize(("policy", "plug_calls"), [("off", ["off"]), ("hold", [])])
async def test_price_unknown_after_grace(  # noqa: PLR0917  (pytest fixtures)
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    plug: SmartPlug,
    freezer: FrozenDateTimeFactory,
    policy: str,
    plug_calls: list[str],
) -> None:
    entry = await _hub(
        hass,
        setup_hub,
        axeos_sim,
        plug,
        [ECO_PRICE] * 48,
        when_price_unknown=policy,
    )
    await start_strategy(hass)
    assert _band(hass) == "DGB 12-20p"
    # Past the start-up grace period: a missing price counts at once.
    freezer.tick(timedelta(minutes=6))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    calls_before = list(plug.calls)
    # The Octopus integration goes away (removed, or failing to load).
    hass.states.async_remove(
        "event.octopus_energy_electricity_21l1234567_1200012345678_current_day_rates"
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "price_unknown")
    assert issue is not None
    assert issue.translation_key == "price_unknown_entity_missing"
    assert plug.calls[len(calls_before) :] == plug_calls
    assert entry.runtime_data.strategy.decision.reason.value == "price_unknown"
    # Back: the issue goes.
    set_day(hass, [ECO_PRICE] * 48)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert ir.async_get(hass).async_get_issue(DOMAIN, "price_unknown") is None


@pytest.mark.freeze_time(NOW)
async def test_grace_period_after_start(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    plug: SmartPlug,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await _hub(hass, setup_hub, axeos_sim, plug, None)
    await start_strategy(hass)
    # The Octopus entity is not there yet: no decision, no issue, no OFF.
    assert ir.async_get(hass).async_get_issue(DOMAIN, "price_unknown") is None
    assert plug.calls == []
    assert entry.runtime_data.strategy.decision is None
    freezer.tick(timedelta(minutes=6))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "price_unknown")
    assert issue is not None
    assert plug.calls == ["off"]


@pytest.mark.freeze_time(NOW)
async def test_switching_off_leaves_miners_alone(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    plug: SmartPlug,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await _hub(
        hass, setup_hub, axeos_sim, plug, [OFF_PRICE] * 25 + [ECO_PRICE] * 23
    )
    await start_strategy(hass)
    assert plug.calls == ["off"]
    coordinator = _miner(entry)
    assert coordinator.update_interval == timedelta(minutes=5)
    # Off: miners stay as they are, but are no longer "expected offline".
    await set_switch(hass, f"{HUB_ID}_agile_strategy", on=False)
    assert coordinator.update_interval == timedelta(seconds=30)
    assert entry.runtime_data.strategy.miner_state(coordinator).off_by_strategy is False
    await move_to(hass, freezer, "2026-03-10 12:30:00+00:00")
    assert _band(hass) == "DGB 12-20p"  # still decided and shown
    assert plug.calls == ["off"]  # nothing commanded
    audit = [a.action for a in await rows(hass, entry, AuditLog)]
    assert "agile_strategy_disabled" in audit
    # Taking a miner out works the same way.
    await set_switch(hass, f"{HUB_ID}_agile_strategy")
    assert plug.calls == ["off", "on"]
    await set_switch(hass, f"{BITAXE_UID}_strategy_enrolled", on=False)
    assert coordinator.miner_id not in entry.runtime_data.strategy.enrolled
    (row,) = await rows(hass, entry, MinerStrategy)
    assert row.strategy_enabled is False


@pytest.mark.freeze_time(NOW)
async def test_strategy_in_diagnostics(
    hass: HomeAssistant,
    hass_client: Any,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    plug: SmartPlug,
) -> None:
    """The hub's diagnostics show the strategy's bands, decision and miners."""
    from homeassistant.setup import async_setup_component  # noqa: PLC0415
    from pytest_homeassistant_custom_component.components.diagnostics import (  # noqa: PLC0415
        get_diagnostics_for_config_entry,
    )

    assert await async_setup_component(hass, "diagnostics", {})
    entry = await _hub(
        hass, setup_hub, axeos_sim, plug, [OFF_PRICE] * 25 + [ECO_PRICE] * 23
    )
    await start_strategy(hass)
    diag = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    strategy = diag["strategy"]
    assert strategy["enabled"] is True
    assert len(strategy["bands"]) == 5
    assert strategy["decision"]["band_id"] is not None
    miner_id = str(_miner(entry).miner_id)
    assert strategy["enrolled_miner_ids"] == [int(miner_id)]
    assert strategy["miners"][miner_id]["off_by_strategy"] is True
    assert [p["coin"] for p in diag["pools"]] == ["DGB", "BCH", "BTC"]
