"""No test reaches past 127.0.0.1: the guard (tests/plugins/network_guard.py)
refuses and records, and the default statistics server is off in tests."""

from __future__ import annotations

from collections.abc import AsyncGenerator
import logging
import socket

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import pytest

from custom_components.home_miner_manager.pool import best_shares as share_tracker
from custom_components.home_miner_manager.pools.network import SOLOPOOL_SOURCES
from hmm_sim.stratum import StratumPoolSimulator
from tests.plugins.network_guard import is_loopback

from .conftest import HubFactory
from .test_pools import pool_subentry


@pytest.fixture
async def pool_sim(socket_enabled: None) -> AsyncGenerator[StratumPoolSimulator]:
    """A stratum pool on 127.0.0.1 that takes any user."""
    async with StratumPoolSimulator() as sim:
        yield sim


def test_loopback_only() -> None:
    assert is_loopback("127.0.0.1")
    assert is_loopback("::1")
    assert is_loopback("[::1]")
    assert is_loopback("localhost")
    assert is_loopback("::ffff:127.0.0.1")
    assert not is_loopback("192.0.2.1")
    assert not is_loopback("127.0.0.2")
    assert not is_loopback("btc.solopool.org")


def test_socket_connect_outside_is_refused_and_recorded(
    socket_enabled: None, outside_network_attempts: list[str]
) -> None:
    with (
        socket.socket() as sock,
        pytest.raises(OSError, match=r"not connect \('192\.0\.2\.1', 80\)"),
    ):
        sock.connect(("192.0.2.1", 80))
    with pytest.raises(OSError, match="not name lookup"):
        socket.getaddrinfo("example.com", 80)
    assert outside_network_attempts == [
        "connect ('192.0.2.1', 80)",
        "name lookup 'example.com'",
    ]
    outside_network_attempts.clear()  # seen: this test passes


async def test_home_assistant_session_lookup_is_refused(
    hass: HomeAssistant, socket_enabled: None, outside_network_attempts: list[str]
) -> None:
    """aiohttp's resolver (c-ares, not Python's sockets) is guarded too."""
    session = async_get_clientsession(hass)
    with pytest.raises(aiohttp.ClientError):
        await session.get("https://btc.solopool.org/api/stats")
    assert outside_network_attempts == ["name lookup 'btc.solopool.org'"]
    outside_network_attempts.clear()


async def test_public_stats_server_would_be_caught(  # noqa: PLR0917  (pytest fixtures)
    hass: HomeAssistant,
    setup_hub: HubFactory,
    pool_sim: StratumPoolSimulator,
    monkeypatch: pytest.MonkeyPatch,
    outside_network_attempts: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With solopool.org as the statistics server, a pool check would go out:
    the guard refuses it (the check goes on without a network difficulty)."""
    monkeypatch.setattr(share_tracker, "SOLOPOOL_SOURCES", SOLOPOOL_SOURCES)
    entry = await setup_hub([pool_subentry(pool_sim)])
    (pool,) = entry.runtime_data.pools.values()
    assert pool.data is not None
    assert pool.data.reachable
    assert pool.data.network_difficulty is None
    assert outside_network_attempts == ["name lookup 'btc.solopool.org'"]
    outside_network_attempts.clear()
    assert "Unexpected error fetching" not in caplog.text


async def test_statistics_server_is_off_in_tests(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    pool_sim: StratumPoolSimulator,
    outside_network_attempts: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The fixtures switch the default statistics server off: no request."""
    caplog.set_level(logging.DEBUG)
    entry = await setup_hub([pool_subentry(pool_sim)])
    (pool,) = entry.runtime_data.pools.values()
    assert pool.data is not None
    assert pool.data.reachable
    assert pool.data.network_difficulty is None
    assert "no stats source for BTC" in caplog.text
    assert outside_network_attempts == []
