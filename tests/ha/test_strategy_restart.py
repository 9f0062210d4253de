"""A disabled strategy after a restart: no miner is "off by strategy" (issue 13 §6)."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.core import HomeAssistant
import pytest

from custom_components.home_miner_manager.db.strategy_rows import (
    set_strategy_enabled,
)
from hmm_sim import AxeOSSimulator

from .conftest import BITAXE_UID, HubFactory, closed_port
from .strategy_support import (
    HUB_ID,
    SmartPlug,
    entity_id,
    plugged_hub_with,
    pool_subentry,
    set_day,
    set_switch,
    start_strategy,
)

NOW = "2026-03-10 12:10:00+00:00"


def _off_by_strategy(hass: HomeAssistant) -> bool:
    state = hass.states.get(
        entity_id(hass, "switch", f"{BITAXE_UID}_strategy_enrolled")
    )
    assert state is not None
    return bool(state.attributes["off_by_strategy"])


@pytest.mark.freeze_time(NOW)
@pytest.mark.parametrize("how", ["strategy_off", "miner_taken_out", "row_only"])
async def test_released_miners_stay_released_after_a_restart(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    how: str,
) -> None:
    set_day(hass, [25.0] * 48)  # OFF all day
    plug = SmartPlug("Bitaxe plug", axeos_sim)
    entry = await plugged_hub_with(
        hass,
        setup_hub,
        axeos_sim,
        plug,
        [pool_subentry(coin, closed_port()) for coin in ("DGB", "BCH", "BTC")],
    )
    await start_strategy(hass)
    assert plug.calls == ["off"]
    assert _off_by_strategy(hass)
    if how == "strategy_off":
        await set_switch(hass, f"{HUB_ID}_agile_strategy", False)
        assert not _off_by_strategy(hass)
    elif how == "miner_taken_out":
        await set_switch(hass, f"{BITAXE_UID}_strategy_enrolled", False)
        assert not _off_by_strategy(hass)
    else:
        # Stored off, then the strategy row switched off alone (a crash
        # between the two writes, or an older version's row).
        runner = entry.runtime_data.strategy
        await entry.runtime_data.database.async_run(
            lambda s: set_strategy_enabled(s, runner.strategy_id, False)
        )

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    (coordinator,) = entry.runtime_data.coordinators.values()
    assert not _off_by_strategy(hass)
    assert coordinator.expected_offline is False
    assert coordinator.update_interval == timedelta(seconds=30)
    assert plug.calls == ["off"]  # and nothing commanded since
