"""Network difficulty from the fake stats server (pools/network.py)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from custom_components.home_miner_manager.pools.network import (
    SOLOPOOL_SOURCES,
    NetworkDifficulty,
    NetworkDifficultyError,
    StatsApi,
    StatsSource,
    parse_stats_difficulty,
)
from hmm_sim.faults import Fault
from hmm_sim.pool_stats import DEFAULT_DIFFICULTIES, PoolStatsSimulator


class Clock:
    """Monotonic seconds under the test's control."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def sources(sim: PoolStatsSimulator) -> dict[str, StatsSource]:
    return {
        "BTC": StatsSource(StatsApi.SOLOPOOL, sim.base_url("btc")),
        "BCH": StatsSource(StatsApi.SOLOPOOL, sim.base_url("bch") + "/"),
        "DGB": StatsSource(StatsApi.PUBLIC_POOL, sim.base_url("dgb")),
        "BC2": StatsSource(StatsApi.PUBLIC_POOL, sim.base_url("bc2")),
    }


@pytest.fixture
async def lookup(
    stats_server: PoolStatsSimulator, sim_session: aiohttp.ClientSession
) -> tuple[NetworkDifficulty, Clock]:
    clock = Clock()
    return (
        NetworkDifficulty(
            sim_session, sources(stats_server), clock=clock, request_timeout=0.3
        ),
        clock,
    )


async def test_both_api_styles(
    lookup: tuple[NetworkDifficulty, Clock], stats_server: PoolStatsSimulator
) -> None:
    difficulty, _ = lookup
    assert await difficulty.get("BTC") == DEFAULT_DIFFICULTIES["btc"]
    assert await difficulty.get("bch") == DEFAULT_DIFFICULTIES["bch"]
    assert await difficulty.get("DGB") == DEFAULT_DIFFICULTIES["dgb"]
    assert await difficulty.get("BC2") == DEFAULT_DIFFICULTIES["bc2"]
    assert stats_server.hits("btc", "stats") == 1
    assert stats_server.hits("dgb", "network") == 1
    assert stats_server.hits("dgb", "stats") == 0


async def test_cached_for_ten_minutes(
    lookup: tuple[NetworkDifficulty, Clock], stats_server: PoolStatsSimulator
) -> None:
    difficulty, clock = lookup
    first = await difficulty.get("BTC")
    stats_server.difficulties["btc"] = 2 * first
    clock.now += 599
    assert await difficulty.get("BTC") == first
    assert difficulty.cached("BTC") == (first, 599)
    assert stats_server.hits("btc", "stats") == 1
    clock.now += 1
    assert await difficulty.get("BTC") == 2 * first
    assert stats_server.hits("btc", "stats") == 2


async def test_force_fetches_again(
    lookup: tuple[NetworkDifficulty, Clock], stats_server: PoolStatsSimulator
) -> None:
    difficulty, _ = lookup
    await difficulty.get("BTC")
    stats_server.difficulties["btc"] = 1.5e14
    assert await difficulty.get("BTC", force=True) == 1.5e14
    assert stats_server.hits("btc", "stats") == 2


async def test_pooled_btc_uses_btc(
    lookup: tuple[NetworkDifficulty, Clock], stats_server: PoolStatsSimulator
) -> None:
    difficulty, _ = lookup
    assert await difficulty.get("BTC_POOLED") == DEFAULT_DIFFICULTIES["btc"]
    assert await difficulty.get("BTC") == DEFAULT_DIFFICULTIES["btc"]
    assert stats_server.hits("btc", "stats") == 1  # one cache entry for both


async def test_concurrent_requests_share_one_fetch(
    lookup: tuple[NetworkDifficulty, Clock], stats_server: PoolStatsSimulator
) -> None:
    difficulty, _ = lookup
    stats_server.latency = 0.05
    values = await asyncio.gather(*(difficulty.get("BCH") for _ in range(10)))
    assert set(values) == {DEFAULT_DIFFICULTIES["bch"]}
    assert stats_server.hits("bch", "stats") == 1
    # Forced callers queued behind one fetch take its result too.
    forced = await asyncio.gather(
        *(difficulty.get("BCH", force=True) for _ in range(5))
    )
    assert set(forced) == {DEFAULT_DIFFICULTIES["bch"]}
    assert stats_server.hits("bch", "stats") == 2


async def test_unknown_coin(lookup: tuple[NetworkDifficulty, Clock]) -> None:
    difficulty, _ = lookup
    with pytest.raises(NetworkDifficultyError) as err:
        await difficulty.get("XMR")
    assert err.value.key == "unknown_coin"


@pytest.mark.parametrize(
    ("fault", "key"),
    [
        (Fault.HTTP_500, "bad_response"),
        (Fault.HTML, "bad_response"),
        (Fault.MALFORMED, "bad_response"),
        (Fault.TRUNCATED, "bad_response"),
        (Fault.ABSURD, "bad_response"),
        (Fault.TIMEOUT, "cannot_connect"),
        (Fault.REFUSED, "cannot_connect"),
    ],
)
async def test_failures_are_typed(
    lookup: tuple[NetworkDifficulty, Clock],
    stats_server: PoolStatsSimulator,
    fault: Fault,
    key: str,
) -> None:
    difficulty, clock = lookup
    await difficulty.get("DGB")
    clock.now += 601
    await stats_server.set_fault(fault)
    for coin in ("DGB", "BTC"):  # public-pool style and solopool style
        with pytest.raises(NetworkDifficultyError) as err:
            await difficulty.get(coin)
        assert err.value.key == key
        assert "Traceback" not in str(err.value)
        assert len(str(err.value)) < 100
    # The stale value is still there for a caller that prefers it to nothing.
    cached = difficulty.cached("DGB")
    assert cached is not None
    assert cached[0] == DEFAULT_DIFFICULTIES["dgb"]
    await stats_server.clear_fault()
    assert await difficulty.get("DGB") == DEFAULT_DIFFICULTIES["dgb"]


@pytest.mark.parametrize(
    ("api", "payload"),
    [
        (StatsApi.SOLOPOOL, {}),
        (StatsApi.SOLOPOOL, {"stats": {}}),
        (StatsApi.SOLOPOOL, {"stats": None}),
        (StatsApi.SOLOPOOL, {"stats": {"difficulty": "abc"}}),
        (StatsApi.SOLOPOOL, {"stats": {"difficulty": -5}}),
        (StatsApi.SOLOPOOL, {"stats": {"difficulty": 0}}),
        (StatsApi.SOLOPOOL, {"stats": {"difficulty": True}}),
        (StatsApi.SOLOPOOL, {"difficulty": 5}),  # right field, wrong level
        (StatsApi.PUBLIC_POOL, {"stats": {"difficulty": 5}}),
        (StatsApi.PUBLIC_POOL, [1, 2]),
        (StatsApi.PUBLIC_POOL, "126T"),
        (StatsApi.PUBLIC_POOL, None),
        (StatsApi.PUBLIC_POOL, {"difficulty": [1]}),
        (StatsApi.PUBLIC_POOL, {"difficulty": 1e400}),
    ],
)
def test_malformed_answers(api: StatsApi, payload: Any) -> None:
    with pytest.raises(NetworkDifficultyError) as err:
        parse_stats_difficulty(api, json.dumps(payload).encode())
    assert err.value.key == "bad_response"


@pytest.mark.parametrize(
    "body",
    [b"", b"<html>", b"\xff\xfe", b"{" * 100_000, b'{"stats": {"difficulty": 1}'],
)
def test_undecodable_answers(body: bytes) -> None:
    with pytest.raises(NetworkDifficultyError) as err:
        parse_stats_difficulty(StatsApi.SOLOPOOL, body)
    assert err.value.key == "bad_response"


@pytest.mark.parametrize(
    ("api", "payload", "expected"),
    [
        (StatsApi.SOLOPOOL, {"stats": {"difficulty": 126271255279307}}, 126271255279307.0),
        (StatsApi.SOLOPOOL, {"stats": {"difficulty": "126271255279307.0"}}, 126271255279307.0),
        (StatsApi.PUBLIC_POOL, {"difficulty": 1172845114.5, "blocks": 1}, 1172845114.5),
        (StatsApi.PUBLIC_POOL, {"difficulty": "126.27T"}, 126.27e12),
    ],
)  # fmt: skip
def test_good_answers(api: StatsApi, payload: Any, expected: float) -> None:
    assert parse_stats_difficulty(api, json.dumps(payload).encode()) == pytest.approx(
        expected
    )


async def test_override_served_by_the_fake(
    lookup: tuple[NetworkDifficulty, Clock], stats_server: PoolStatsSimulator
) -> None:
    difficulty, _ = lookup
    stats_server.override("bc2", "network", {"blocks": 5})
    with pytest.raises(NetworkDifficultyError) as err:
        await difficulty.get("BC2")
    assert err.value.key == "bad_response"


def test_public_sources_cover_every_solo_coin() -> None:
    assert set(SOLOPOOL_SOURCES) == {"BTC", "BCH", "DGB", "BC2"}
    assert SOLOPOOL_SOURCES["DGB"].url == "https://dgb-sha.solopool.org/api/stats"
    assert NetworkDifficulty.chain("btc_pooled") == "BTC"
