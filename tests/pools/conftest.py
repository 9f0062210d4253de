"""Fixtures: a stratum pool and a pool stats server on 127.0.0.1, plus settings."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from hypothesis import HealthCheck, settings
import pytest

from custom_components.home_miner_manager.devices.snapshot import PoolTarget
from hmm_sim.pool_stats import PoolStatsSimulator
from hmm_sim.stratum import StratumPoolSimulator

POOL_USER = "bc1qsimwalletaddress0000000000000000000.bitaxe1"
POOL_PASSWORD = "s3cret-pool-pass"

# Hypothesis runs many examples inside one test (the hass fixture is per test).
PROPERTY = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture
async def stratum_pool(socket_enabled: None) -> AsyncGenerator[StratumPoolSimulator]:
    """A pool that accepts :data:`POOL_USER` / :data:`POOL_PASSWORD` only."""
    async with StratumPoolSimulator(users={POOL_USER: POOL_PASSWORD}) as sim:
        yield sim


@pytest.fixture
def pool_target(stratum_pool: StratumPoolSimulator) -> PoolTarget:
    """The right credentials for :func:`stratum_pool`."""
    return PoolTarget(
        url="127.0.0.1", port=stratum_pool.port, user=POOL_USER, password=POOL_PASSWORD
    )


@pytest.fixture
async def stats_server(socket_enabled: None) -> AsyncGenerator[PoolStatsSimulator]:
    """solopool-style and public-pool-style stats for btc, bch, dgb, bc2."""
    async with PoolStatsSimulator() as sim:
        yield sim
