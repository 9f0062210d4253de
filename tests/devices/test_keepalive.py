"""One kept-alive HTTP connection per miner (drivers against the simulators).

The simulators count the connections that carried requests, so each test says
how many TCP connections the driver used.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from custom_components.home_miner_manager.devices import (
    create_driver,
    http as http_module,
)
from custom_components.home_miner_manager.devices.base import MinerDriver
from custom_components.home_miner_manager.devices.exceptions import (
    MinerAuthError,
    MinerConnectionError,
    MinerResponseError,
    MinerTimeoutError,
)
from custom_components.home_miner_manager.devices.snapshot import PoolTarget
from hmm_sim import AxeOSSimulator, Fault, NMMinerSimulator
from hmm_sim.http import HttpSimulator
from tests.plugins.simulators import FAST


async def _until(check: Callable[[], bool], limit: float = 2.0) -> None:
    """Wait (real time: the peers are real sockets) until ``check()``."""
    deadline = asyncio.get_running_loop().time() + limit
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


@pytest.fixture
async def drivers() -> AsyncGenerator[list[MinerDriver]]:
    """Drivers a test made; closed at its end."""
    made: list[MinerDriver] = []
    yield made
    for driver in made:
        await driver.close()


def _driver(made: list[MinerDriver], sim: HttpSimulator, **kwargs: Any) -> MinerDriver:
    """A driver that owns its connection (no session passed, as the glue does)."""
    driver = create_driver(sim.miner_type, sim.host, sim.port, **kwargs)
    made.append(driver)
    return driver


async def _sim(**kwargs: Any) -> AxeOSSimulator:
    return await AxeOSSimulator("bitaxe_v2_15", **{**FAST, **kwargs}).start()


@asynccontextmanager
async def _polled(
    made: list[MinerDriver], driver_kwargs: dict[str, Any] | None = None, **kwargs: Any
) -> AsyncIterator[tuple[AxeOSSimulator, MinerDriver]]:
    """A Bitaxe simulator and its driver after one poll (its connection open)."""
    sim = await _sim(**kwargs)
    try:
        driver = _driver(made, sim, **(driver_kwargs or {}))
        await driver.fetch()
        yield sim, driver
    finally:
        await sim.stop()


@pytest.mark.parametrize("kind", ["bitaxe", "nerdqaxe", "nmminer"])
async def test_polls_and_commands_share_one_connection(
    kind: str, drivers: list[MinerDriver], socket_enabled: None
) -> None:
    sim: HttpSimulator
    if kind == "nmminer":
        sim = NMMinerSimulator(**FAST)
    else:
        sim = AxeOSSimulator(
            "nerdqaxe_pp" if kind == "nerdqaxe" else "bitaxe_v2_15", **FAST
        )
    async with sim:
        driver = _driver(drivers, sim)
        for _ in range(5):
            await driver.fetch()
        if driver.modes:
            await driver.set_mode("turbo")
            await driver.set_mode("eco")
        assert sim.requests >= 5
        assert sim.connections == 1
        assert sim.open_connections == 1


async def test_two_miners_never_share_a_connection(
    drivers: list[MinerDriver], socket_enabled: None
) -> None:
    # Even two drivers for one address (the same miner added twice).
    one, two = await _sim(), await _sim()
    try:
        first, second = _driver(drivers, one), _driver(drivers, two)
        twin = _driver(drivers, one)
        for _ in range(3):
            await asyncio.gather(first.fetch(), second.fetch(), twin.fetch())
        assert (one.connections, two.connections) == (2, 1)
    finally:
        await one.stop()
        await two.stop()


async def test_device_closing_after_each_answer(
    drivers: list[MinerDriver], socket_enabled: None
) -> None:
    sim = await _sim(keep_alive=False)
    try:
        driver = _driver(drivers, sim)
        for _ in range(3):
            await driver.fetch()
        await driver.set_mode("turbo")
        assert len(sim.requests_to("PATCH", "/api/system")) == 1
        assert sim.connections == sim.requests
        await _until(lambda: sim.open_connections == 0)
    finally:
        await sim.stop()


async def test_device_closing_idle_connections(
    drivers: list[MinerDriver], socket_enabled: None
) -> None:
    async with _polled(drivers, idle_timeout=0.1) as (sim, driver):
        await _until(lambda: sim.open_connections == 0)
        await driver.fetch()
        assert sim.connections == 2


async def test_dead_connection_poll_repeated_once(
    drivers: list[MinerDriver], socket_enabled: None
) -> None:
    async with _polled(drivers) as (sim, driver):
        sim.forget_connections()  # the device purged our socket silently
        snapshot = await driver.fetch()
        assert snapshot.hashrate is not None
        assert sim.connections == 2


async def test_dead_connection_settings_write_repeated_once(
    drivers: list[MinerDriver], socket_enabled: None
) -> None:
    async with _polled(drivers) as (sim, driver):
        sim.forget_connections()
        before = sim.frequency
        await driver.set_mode("turbo")  # absolute values: safe to send again
        assert sim.frequency > before
        assert len(sim.requests_to("PATCH", "/api/system")) == 1
        assert sim.connections == 2


async def test_restart_never_repeated_on_a_dead_connection(
    drivers: list[MinerDriver],
    socket_enabled: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with _polled(drivers) as (sim, driver):
        # Used just now: the restart goes out on the kept connection...
        monkeypatch.setattr(http_module, "FRESH_S", 3600.0)
        sim.forget_connections()
        with pytest.raises(MinerConnectionError):
            await driver.restart()
        assert sim.requests_to("POST", "/api/system/restart") == []
        assert sim.boots == 1  # ...and is not sent a second time
        # Idle for a while: it goes out on a new connection, never a dead one.
        await driver.fetch()
        monkeypatch.setattr(http_module, "FRESH_S", 0.0)
        sim.forget_connections()
        await driver.restart()
        assert len(sim.requests_to("POST", "/api/system/restart")) == 1
        assert sim.connections == 3


async def test_a_restart_never_cuts_a_poll_in_flight(
    drivers: list[MinerDriver],
    socket_enabled: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with _polled(drivers, latency=0.2) as (sim, driver):
        monkeypatch.setattr(http_module, "FRESH_S", 0.0)  # as if long idle
        poll = asyncio.ensure_future(driver.fetch())
        await _until(lambda: sim.requests == 3)  # the poll is on the connection
        await driver.restart()  # waits for it, then uses it: it is alive
        assert (await poll).hashrate is not None
        assert len(sim.requests_to("POST", "/api/system/restart")) == 1
        assert sim.connections == 1


@pytest.mark.parametrize("fault", [Fault.TIMEOUT, Fault.HTTP_500, Fault.NETWORK_RANGE])
async def test_an_error_closes_the_connection(
    fault: Fault, drivers: list[MinerDriver], socket_enabled: None
) -> None:
    async with _polled(drivers, {"timeout": 0.3}) as (sim, driver):
        await sim.set_fault(fault, count=1)
        with pytest.raises((MinerTimeoutError, MinerResponseError, MinerAuthError)):
            await driver.fetch()
        await _until(lambda: sim.open_connections == 0)
        await driver.fetch()
        assert sim.connections == 2


async def test_close_at_unload(
    drivers: list[MinerDriver], socket_enabled: None
) -> None:
    async with _polled(drivers) as (sim, driver):
        assert sim.open_connections == 1
        await driver.close()
        await _until(lambda: sim.open_connections == 0)
        await driver.close()  # twice is harmless


async def test_pool_switch_and_restart_on_one_connection(
    drivers: list[MinerDriver], socket_enabled: None
) -> None:
    async with _polled(drivers) as (sim, driver):
        await driver.switch_pool(PoolTarget(url="pool.example", port=3333, user="u"))
        # info, PATCH and restart followed the poll on its connection.
        assert sim.connections == 1
