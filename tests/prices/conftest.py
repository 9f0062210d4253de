"""Fake price servers on 127.0.0.1 (``hmm_sim.octopus`` / ``hmm_sim.crypto``)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import pytest

from hmm_sim.crypto import CryptoPriceSimulator
from hmm_sim.octopus import OctopusAPISimulator


@pytest.fixture
async def octopus_sim(socket_enabled: None) -> AsyncGenerator[OctopusAPISimulator]:
    """The fake Octopus API, small pages so paging is exercised."""
    async with OctopusAPISimulator(page_size=100) as sim:
        yield sim


@pytest.fixture
async def crypto_sim(socket_enabled: None) -> AsyncGenerator[CryptoPriceSimulator]:
    """Fake CoinGecko / CoinCap / Binance."""
    async with CryptoPriceSimulator() as sim:
        yield sim
