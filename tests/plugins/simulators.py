"""Pytest fixtures that start simulated miners on 127.0.0.1 (see ``hmm_sim``).

Every fixture is function-scoped, binds a free port, and requests pytest-socket's
``socket_enabled`` (pytest-homeassistant-custom-component blocks sockets).

* ``axeos_sim`` — an :class:`~hmm_sim.AxeOSSimulator`; pick the firmware with
  ``@pytest.mark.parametrize("axeos_sim", ["bitaxe_v2_9"], indirect=True)``
  (default ``bitaxe_v2_15``).
* ``avalon_sim`` — a :class:`~hmm_sim.CgminerSimulator` (``nano3s`` default,
  ``nano3``), web password :data:`AVALON_WEB_PASSWORD`.
* ``nmminer_sim`` — an NMMiner v2 HTTP API (``plain`` or ``suffixed`` diffs).
* ``nmminer_udp_sender`` — a v1.x telemetry sender aimed at ``127.0.0.1:udp_port``;
  call ``send_now()`` to send one datagram.
* ``udp_port`` — a free UDP port on 127.0.0.1 for a listener under test.
* ``sim_session`` — an ``aiohttp.ClientSession`` for drivers.
* ``sim_fleet`` — factory: ``await sim_fleet(bitaxe=2, avalon=1)`` → started Fleet.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable
import math
import random
import socket
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

from hmm_sim import (
    AxeOSSimulator,
    CgminerSimulator,
    Fleet,
    NMMinerSimulator,
    UdpBroadcaster,
    fleet_spec,
)
from hmm_sim.mining import MiningCounters
from hmm_sim.nmminer import NMMinerDevice

if TYPE_CHECKING:
    from custom_components.home_miner_manager.devices.snapshot import MinerSnapshot

AVALON_WEB_PASSWORD = "sim-web-pass"
NUMERIC_FIELDS = (
    "hashrate",
    "hashrate_ghs",
    "temperature",
    "power_watts",
    "shares_accepted",
    "shares_rejected",
    "best_difficulty",
    "session_best_difficulty",
    "uptime_seconds",
)
# Short reboots keep the suite fast; drivers see the same refuse-then-return.
FAST: dict[str, Any] = {
    "restart_downtime": 0.2,
    "restart_reply_delay": 0.02,
    "latency": 0.0,
}


@pytest.fixture
async def axeos_sim(
    request: pytest.FixtureRequest, socket_enabled: None
) -> AsyncGenerator[AxeOSSimulator]:
    """A Bitaxe/NerdQAxe on the profile given by indirect parametrization."""
    profile = getattr(request, "param", "bitaxe_v2_15")
    async with AxeOSSimulator(profile, **FAST) as sim:
        yield sim


@pytest.fixture
async def avalon_sim(
    request: pytest.FixtureRequest, socket_enabled: None
) -> AsyncGenerator[CgminerSimulator]:
    """An Avalon Nano 3S (or ``nano3`` by indirect parametrization)."""
    profile = getattr(request, "param", "nano3s")
    async with CgminerSimulator(
        profile, web_password=AVALON_WEB_PASSWORD, **FAST
    ) as sim:
        yield sim


@pytest.fixture
async def nmminer_sim(
    request: pytest.FixtureRequest, socket_enabled: None
) -> AsyncGenerator[NMMinerSimulator]:
    """An NMMiner v2 (``plain`` diffs, or ``suffixed`` by indirect parametrization)."""
    diff_format = getattr(request, "param", "plain")
    async with NMMinerSimulator(diff_format=diff_format, **FAST) as sim:
        yield sim


@pytest.fixture
def udp_port(socket_enabled: None) -> int:
    """A UDP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
async def nmminer_udp_sender(udp_port: int) -> AsyncGenerator[UdpBroadcaster]:
    """A v1.x NMMiner that sends a datagram to 127.0.0.1:``udp_port`` on ``send_now()``."""
    rng = random.Random(0)
    counters = MiningCounters(rng=rng, accepted=2231, pool_difficulty=0.0005)
    sender = UdpBroadcaster(NMMinerDevice(counters, rng), target_port=udp_port)
    await sender.start(periodic=False)
    yield sender
    await sender.stop()


@pytest.fixture
async def sim_session(socket_enabled: None) -> AsyncGenerator[aiohttp.ClientSession]:
    """A client session for drivers under test."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def sim_fleet(
    socket_enabled: None,
) -> AsyncGenerator[Callable[..., Awaitable[Fleet]]]:
    """Factory for started fleets (stopped at teardown)."""
    fleets: list[Fleet] = []

    async def make(**kwargs: Any) -> Fleet:
        counts = {
            k: kwargs.pop(k)
            for k in ("bitaxe", "nerdqaxe", "avalon", "nmminer")
            if k in kwargs
        }
        kwargs.setdefault("restart_downtime", FAST["restart_downtime"])
        kwargs.setdefault("udp_port", None)
        fleet = Fleet(fleet_spec(**counts), **kwargs)
        fleets.append(fleet)
        return await fleet.start()

    yield make
    for fleet in fleets:
        await fleet.stop()


async def wait_until(condition: Callable[[], bool]) -> None:
    """Wait for a simulator state change (a safety timeout, not a timing check)."""
    async with asyncio.timeout(5):
        while not condition():
            await asyncio.sleep(0.002)


def assert_sane(snapshot: MinerSnapshot) -> None:
    """Every number a driver reports is finite and not negative (or None)."""
    for name in NUMERIC_FIELDS:
        value = getattr(snapshot, name)
        assert value is None or (math.isfinite(value) and value >= 0), (name, value)
    assert snapshot.temperature is None or snapshot.temperature < 200
    assert snapshot.power_watts is None or snapshot.power_watts < 100_000
