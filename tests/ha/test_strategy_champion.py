"""Champion band: only the enrolled miner with the best J/TH over 6 h runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest

from custom_components.home_miner_manager.db.models import Telemetry
from hmm_sim import Fleet

from .conftest import HubFactory
from .strategy_support import (
    flat_day,
    set_day,
    two_plugged_bitaxes,
)

NOW = "2026-03-10 12:10:00+00:00"


@pytest.mark.freeze_time(NOW)
async def test_only_the_champion_runs(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    sim_fleet: Callable[..., Awaitable[Fleet]],
) -> None:
    fleet = await sim_fleet(bitaxe=2)
    first, second = fleet.devices
    set_day(hass, flat_day(15.0))  # DGB eco all day
    entry, plugs = await two_plugged_bitaxes(hass, setup_hub, first, second)
    runner = entry.runtime_data.strategy
    one, two = sorted(entry.runtime_data.coordinators.values(), key=lambda c: c.name)
    # Six hours of history: "Two" does more hashes per joule.
    database = entry.runtime_data.database
    for minutes in range(0, 360, 30):
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
    for coordinator in (one, two):
        await runner.async_set_enrolled(coordinator, True, None)
    await runner.async_set_enabled(True, None)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert runner.champion.miner_id == two.miner_id
    assert plugs[0].calls == ["off"]  # benched
    assert plugs[1].calls == []  # the champion keeps running
    state: Any = runner.miner_state(one)
    assert state.off_by_strategy is True
