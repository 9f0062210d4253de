"""Fixtures: a stratum pool, a stats server, a database; hypothesis settings."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from hypothesis import HealthCheck, settings
import pytest

from custom_components.home_miner_manager.db import Database
from custom_components.home_miner_manager.db.models import Miner
from custom_components.home_miner_manager.devices.snapshot import PoolTarget
from hmm_sim.pool_stats import PoolStatsSimulator
from hmm_sim.stratum import StratumPoolSimulator

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

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


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def shares_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An open Database on a SQLite file, and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hmm.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    db = Database.open(url, retry_wait=0.05)
    yield db
    db.close()


def add_miners(db: Database, count: int) -> list[int]:
    """Insert ``count`` miners; return their ids."""

    def _add(session: Session) -> list[int]:
        miners = [
            Miner(name=f"miner-{n}", miner_type="bitaxe", ip_address="127.0.0.1")
            for n in range(count)
        ]
        session.add_all(miners)
        session.flush()
        return [miner.id for miner in miners]

    return db.run(_add)
