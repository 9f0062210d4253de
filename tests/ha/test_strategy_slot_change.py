"""A slot change with many miners: little work per miner, commands first (issue 15).

Each read of a miner for the plan (``MinerView``) matched its pool against
every pool subentry, parsing each pool's address again: three reads per
miner at a slot change (the fleet run, then at the strategy's update its
reason sensor and the plan calendar), the largest share of the strategy's own
time with 200 miners. And the entities' updates (hundreds of state writes) ran
before any miner's command went out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from homeassistant.core import HomeAssistant
import pytest

from custom_components.home_miner_manager.agile import pools
from custom_components.home_miner_manager.agile.coordinator import StrategyCoordinator
from hmm_sim import Fleet

from .conftest import HubFactory
from .strategy_support import flat_day, set_day, two_plugged_bitaxes

NOW = "2026-03-10 12:10:00+00:00"


async def _two_enrolled_in_eco(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    sim_fleet: Callable[..., Awaitable[Fleet]],
) -> StrategyCoordinator:
    """Two plugged Bitaxes, enrolled, the strategy on, DGB eco all day."""
    fleet = await sim_fleet(bitaxe=2)
    set_day(hass, flat_day(15.0))
    entry, _plugs = await two_plugged_bitaxes(hass, setup_hub, *fleet.devices)
    strategy = entry.runtime_data.strategy
    assert strategy is not None
    for coordinator in entry.runtime_data.coordinators.values():
        await strategy.async_set_enrolled(coordinator, True, None)
    await strategy.async_set_enabled(True, None)
    await hass.async_block_till_done(wait_background_tasks=True)
    return strategy


@pytest.mark.freeze_time(NOW)
async def test_a_band_change_parses_the_pools_once_for_every_miner(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    sim_fleet: Callable[..., Awaitable[Fleet]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    strategy = await _two_enrolled_in_eco(hass, setup_hub, sim_fleet)
    eco = strategy.decision
    assert eco is not None
    assert eco.band is not None
    parsed: list[Any] = []
    parse = pools.pool_address

    def counted(pool: Any) -> Any:
        parsed.append(pool)
        return parse(pool)

    monkeypatch.setattr(pools, "pool_address", counted)
    set_day(hass, flat_day(10.0))  # DGB standard: every miner is commanded
    await hass.async_block_till_done(wait_background_tasks=True)
    decision = strategy.decision
    assert decision is not None
    assert decision.band is not None
    assert decision.band.id != eco.band.id
    # The three pools were read before the change; nothing changed them since
    # (was 30 parses with two miners: 3 pools at every read of every miner).
    assert len(parsed) <= 3


@pytest.mark.freeze_time(NOW)
async def test_every_miner_is_commanded_before_the_entities_update(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    sim_fleet: Callable[..., Awaitable[Fleet]],
) -> None:
    strategy = await _two_enrolled_in_eco(hass, setup_hub, sim_fleet)
    # Each miner's run notes the context of its commands as it sends them.
    seen: list[dict[int, Any]] = []
    strategy.async_add_listener(lambda: seen.append(dict(strategy.executor.contexts)))
    set_day(hass, flat_day(10.0))  # DGB standard: every miner is commanded
    await hass.async_block_till_done(wait_background_tasks=True)
    sent = strategy.executor.contexts
    assert len(sent) == 2
    # The first update after the decision already sees both commands sent.
    assert seen[0] == sent
