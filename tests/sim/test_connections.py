"""The HTTP simulators' connection behaviours, checked with raw clients."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from hmm_sim import AxeOSSimulator, Fleet, NMMinerSimulator, fleet_spec
from tests.plugins.simulators import FAST

REQUEST = b"GET /api/system/info HTTP/1.1\r\nHost: sim\r\n\r\n"


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> bytes:
    """Send one GET and read its reply's head and body (Content-Length framed)."""
    writer.write(REQUEST)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    await reader.readexactly(length)
    return head


async def test_keep_alive_by_default_one_connection_counted(
    socket_enabled: None,
) -> None:
    async with AxeOSSimulator(**FAST) as sim:
        reader, writer = await asyncio.open_connection(sim.host, sim.port)
        for _ in range(3):
            head = await _exchange(reader, writer)
            assert b"connection: close" not in head.lower()
        assert (sim.connections, sim.requests, sim.open_connections) == (1, 3, 1)
        writer.close()
        await writer.wait_closed()


async def test_connection_close_after_each_answer(socket_enabled: None) -> None:
    async with NMMinerSimulator(keep_alive=False, **FAST) as sim:
        async with aiohttp.ClientSession() as session:
            for _ in range(3):
                async with session.get(f"http://{sim.address}/api/system/info") as resp:
                    assert resp.headers["Connection"].lower() == "close"
                    await resp.read()
        assert sim.connections == 3
        reader, writer = await asyncio.open_connection(sim.host, sim.port)
        await _exchange(reader, writer)
        assert await reader.read() == b""  # the device hung up
        writer.close()


async def test_idle_connections_closed_after_idle_timeout(
    socket_enabled: None,
) -> None:
    async with AxeOSSimulator(idle_timeout=0.1, **FAST) as sim:
        reader, writer = await asyncio.open_connection(sim.host, sim.port)
        await _exchange(reader, writer)
        assert await asyncio.wait_for(reader.read(), 2) == b""
        assert sim.open_connections == 0
        writer.close()


async def test_forgotten_connection_cut_at_its_next_request(
    socket_enabled: None,
) -> None:
    async with AxeOSSimulator(**FAST) as sim:
        reader, writer = await asyncio.open_connection(sim.host, sim.port)
        await _exchange(reader, writer)
        sim.forget_connections()
        assert sim.open_connections == 0
        # Nothing is sent until the client speaks; then no answer at all.
        writer.write(REQUEST)
        await writer.drain()
        with pytest.raises((asyncio.IncompleteReadError, ConnectionResetError)):
            await _exchange(reader, writer)
        assert sim.requests == 1  # the cut request never reached the device
        writer.close()
        # A new connection is served.
        reader, writer = await asyncio.open_connection(sim.host, sim.port)
        await _exchange(reader, writer)
        assert sim.connections == 2
        writer.close()


async def test_fleet_passes_the_connection_options(socket_enabled: None) -> None:
    fleet = Fleet(
        fleet_spec(bitaxe=1, avalon=1, nmminer=1),
        udp_port=None,
        keep_alive=False,
        idle_timeout=5.0,
    )
    http = [sim for sim in fleet.devices if sim.kind != "cgminer"]
    assert len(http) == 2
    for sim in http:
        assert sim.keep_alive is False  # type: ignore[attr-defined]
        assert sim.idle_timeout == 5.0  # type: ignore[attr-defined]
