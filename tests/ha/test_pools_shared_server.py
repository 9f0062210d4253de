"""Pools of several coins on one stratum server: each counts only its own miners.

Three pools share one host:port and differ by user (the wallet picks the
coin). A pool's miner count, reject rate and best share this round, and the
coin of a high share or a block, follow host, port **and** user (issue 13 §3).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.home_miner_manager.const import SUBENTRY_POOL
from custom_components.home_miner_manager.db.models import BlockFound, HighDiffShare
from custom_components.home_miner_manager.pools.pool_score import miner_share_deltas
from hmm_sim import AxeOSSimulator
from hmm_sim.stratum import StratumPoolSimulator
from tests.plugins.simulators import FAST

from .conftest import HubFactory, miner_subentry, rows

# (pool name, coin, user): listed first is the one host:port alone would pick.
POOLS = (
    ("Shared DGB", "DGB", "dgbwallet"),
    ("Shared BTC", "BTC", "bc1qsharedwallet"),
    ("Shared BCH", "BCH", "qsharedbch"),
)


@pytest.fixture
async def stratum(socket_enabled: None) -> AsyncGenerator[StratumPoolSimulator]:
    """One stratum server for all three pools (any user is accepted)."""
    async with StratumPoolSimulator() as sim:
        yield sim


@pytest.fixture
async def bitaxes(
    socket_enabled: None,
) -> AsyncGenerator[tuple[AxeOSSimulator, AxeOSSimulator]]:
    """Two Bitaxes: "Desk" will mine BTC, "Garage" BCH, on the same server."""
    async with (
        AxeOSSimulator("bitaxe_v2_15", **FAST) as desk,
        AxeOSSimulator("bitaxe_v2_15", **FAST) as garage,
    ):
        yield desk, garage


def _pool(port: int, name: str, coin: str, user: str) -> ConfigSubentryData:
    data: dict[str, Any] = {
        "name": name,
        "url": "127.0.0.1",
        "port": port,
        "user": user,
        "password": "x",
        "coin": coin,
        "priority": 0,
        "enabled": True,
        "keep_user": False,
    }
    return ConfigSubentryData(
        data=data,
        subentry_type=SUBENTRY_POOL,
        title=name,
        unique_id=f"127.0.0.1:{port}:{user}:{name}",
    )


def _mine_on(sim: AxeOSSimulator, port: int, user: str, best: float) -> None:
    """Put the Bitaxe on the shared server as ``user`` (a worker name added)."""
    sim.device.pools[sim.device.primary].update(URL="127.0.0.1", Port=port, User=user)
    sim.device.boot()
    sim.device.counters.pool_difficulty = 1e-6  # random shares stay tiny
    sim.device.counters.best_session = best


async def _setup(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    stratum: StratumPoolSimulator,
    bitaxes: tuple[AxeOSSimulator, AxeOSSimulator],
) -> Any:
    desk, garage = bitaxes
    _mine_on(desk, stratum.port, "bc1qsharedwallet.Desk", 1_000_000.0)
    _mine_on(garage, stratum.port, "qsharedbch.Garage", 3_000_000.0)
    return await setup_hub(
        [
            *(_pool(stratum.port, *pool) for pool in POOLS),
            miner_subentry(desk, "bitaxe", title="Desk"),
            miner_subentry(garage, "bitaxe", title="Garage"),
        ]
    )


async def _poll_all(
    hass: HomeAssistant, entry: Any, freezer: FrozenDateTimeFactory
) -> None:
    freezer.tick(timedelta(seconds=30))
    for miner in entry.runtime_data.coordinators.values():
        await miner.async_refresh()
    await hass.async_block_till_done(wait_background_tasks=True)


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


async def test_each_pool_counts_only_its_own_miners(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    stratum: StratumPoolSimulator,
    bitaxes: tuple[AxeOSSimulator, AxeOSSimulator],
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await _setup(hass, setup_hub, stratum, bitaxes)
    garage = bitaxes[1]
    pools = {pool.title: pool for pool in entry.runtime_data.pools.values()}
    miners = {m.name: m for m in entry.runtime_data.coordinators.values()}

    # Garage rejects many shares this hour; Desk hardly any.
    garage.device.counters.rejected += 100
    await _poll_all(hass, entry, freezer)
    for pool in pools.values():
        await pool.async_refresh()
    freezer.tick(timedelta(seconds=2))  # pool entities follow the miners each second
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert [m.name for m in pools["Shared BTC"].miners()] == ["Desk"]
    assert [m.name for m in pools["Shared BCH"].miners()] == ["Garage"]
    assert pools["Shared DGB"].miners() == []
    assert _state(hass, "sensor.shared_btc_miners_on_this_pool") == "1"
    assert _state(hass, "sensor.shared_bch_miners_on_this_pool") == "1"
    assert _state(hass, "sensor.shared_dgb_miners_on_this_pool") == "0"

    # The reject rate of a pool is its own miner's, from the same samples.
    now = pools["Shared BTC"].data.checked_at
    samples = entry.runtime_data.counter_samples

    def own_rate(name: str) -> float | None:
        rows_ = samples[miners[name].miner_id]
        return miner_share_deltas(rows_, now - timedelta(hours=1)).reject_rate

    garage_rate = own_rate("Garage")
    assert garage_rate is not None
    assert garage_rate > 90  # 100 rejected beside a few accepted
    assert pools["Shared BCH"].data.reject_rate == pytest.approx(garage_rate)
    assert pools["Shared BTC"].data.reject_rate == pytest.approx(own_rate("Desk"))
    assert pools["Shared BTC"].data.reject_rate != pytest.approx(garage_rate)
    assert pools["Shared DGB"].data.reject_rate is None  # no miner, no shares
    assert _state(hass, "sensor.shared_dgb_reject_rate") == "unknown"

    # Best share this round: the pool's own miner's session best.
    assert pools["Shared BTC"].best_share() == 1_000_000.0
    assert pools["Shared BCH"].best_share() == 3_000_000.0
    assert pools["Shared DGB"].best_share() is None
    assert float(_state(hass, "sensor.shared_btc_best_share_this_round")) == 1e6
    assert float(_state(hass, "sensor.shared_bch_best_share_this_round")) == 3e6


async def test_high_share_and_block_have_the_miners_coin(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    stratum: StratumPoolSimulator,
    bitaxes: tuple[AxeOSSimulator, AxeOSSimulator],
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await _setup(hass, setup_hub, stratum, bitaxes)
    desk, garage = bitaxes
    blocks: list[Any] = []
    hass.bus.async_listen("home_miner_manager_block_found", blocks.append)

    desk.device.counters.best_session = 4_290_000.0  # a new best on BTC
    garage.device.counters.best_session = 2e14  # past the network's: a BCH block
    await _poll_all(hass, entry, freezer)

    shares = {s.miner_name: s for s in await rows(hass, entry, HighDiffShare)}
    assert (shares["Desk"].coin, shares["Desk"].pool_name) == ("BTC", "Shared BTC")
    assert (shares["Garage"].coin, shares["Garage"].pool_name) == (
        "BCH",
        "Shared BCH",
    )
    (block,) = await rows(hass, entry, BlockFound)
    assert (block.coin, block.pool_name) == ("BCH", "Shared BCH")
    assert [(e.data["coin"], e.data["pool"]) for e in blocks] == [("BCH", "Shared BCH")]
