"""Auto-detect: a refusing port answers at once; only silence waits.

Before, auto-detect against a port that refused at once took ~12 s: detection
itself failed in a millisecond, then the flow waited the whole NMMiner
broadcast window (``const.NMMINER_DISCOVERY_WAIT_S``) for every refusal.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable
import functools
import socket
import time
from typing import Any

import aiohttp
import pytest

from custom_components.home_miner_manager import const
from custom_components.home_miner_manager.devices import factory
from custom_components.home_miner_manager.devices.exceptions import (
    MinerAuthError,
    MinerConnectionError,
    MinerError,
    MinerNetworkRangeError,
    MinerTimeoutError,
    MinerUnsupportedError,
)
from custom_components.home_miner_manager.devices.factory import (
    PROBE_ORDER,
    detect_miner,
    detection_error,
)
from custom_components.home_miner_manager.devices.nmminer_listener import (
    NMMinerListener,
)
from custom_components.home_miner_manager.devices.snapshot import MinerSnapshot
from custom_components.home_miner_manager.devices.types import MinerType
from custom_components.home_miner_manager.flows import probe

from .parse_fixtures import NMMINER_UDP, as_bytes

HOST = "127.0.0.1"
# Generous: a refusal on 127.0.0.1 takes well under 10 ms; the old path took
# 12 s and the timeouts below are set far beyond this bound.
FAST_S = 3.0


@pytest.fixture
def closed_port(socket_enabled: None) -> int:
    """A TCP port on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
async def silent_port(socket_enabled: None) -> AsyncGenerator[int]:
    """A TCP port that accepts connections and never says a word."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, HOST, 0)
    yield server.sockets[0].getsockname()[1]
    for writer in held:
        writer.close()
    server.close()
    await server.wait_closed()


@pytest.fixture
async def session(socket_enabled: None) -> AsyncGenerator[aiohttp.ClientSession]:
    """A client session for the probes."""
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
def attempts(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Record each protocol probe detect_miner starts: (protocol, port)."""
    seen: list[tuple[str, int]] = []
    for name in ("_probe_http", "_probe_cgminer"):
        original = getattr(factory, name)

        def spy(
            host: str, port: int, *args: Any, _orig: Any = original, _name: str = name
        ) -> Awaitable[Any]:
            seen.append((_name.removeprefix("_probe_"), port))
            result: Awaitable[Any] = _orig(host, port, *args)
            return result

        monkeypatch.setattr(factory, name, spy)
    return seen


# -- detect_miner ---------------------------------------------------------------


async def test_refused_port_is_an_immediate_answer(
    closed_port: int,
    session: aiohttp.ClientSession,
    attempts: list[tuple[str, int]],
) -> None:
    started = time.monotonic()
    with pytest.raises(MinerConnectionError) as info:
        await detect_miner(HOST, closed_port, session=session, timeout=30.0)
    assert time.monotonic() - started < FAST_S
    assert not isinstance(info.value, MinerTimeoutError)
    # Both protocols were tried, on the given port.
    assert sorted(attempts) == [("cgminer", closed_port), ("http", closed_port)]


async def test_silent_port_times_out(
    silent_port: int,
    session: aiohttp.ClientSession,
    attempts: list[tuple[str, int]],
) -> None:
    started = time.monotonic()
    with pytest.raises(MinerTimeoutError):
        await detect_miner(HOST, silent_port, session=session, timeout=0.3)
    # Side by side: the total is one timeout, not one per protocol.
    assert time.monotonic() - started < 0.3 * len(PROBE_ORDER) + FAST_S
    assert len(attempts) == 2


def _fake_probe(
    kind: MinerType | None, delay: float
) -> Callable[..., Awaitable[tuple[MinerType, MinerSnapshot]]]:
    async def run(*_: Any) -> tuple[MinerType, MinerSnapshot]:
        await asyncio.sleep(delay)
        if kind is None:
            raise MinerUnsupportedError("not mine")
        return kind, MinerSnapshot(miner_type=kind)

    return run


@pytest.mark.parametrize(
    ("http", "cgminer", "expected"),
    [
        # Both answer: HTTP is preferred even when cgminer answers first.
        ((MinerType.BITAXE, 0.05), (MinerType.AVALON_NANO, 0.0), MinerType.BITAXE),
        ((MinerType.BITAXE, 0.0), (MinerType.AVALON_NANO, 0.05), MinerType.BITAXE),
        # Only one answers: that one, whatever the timing.
        ((None, 0.05), (MinerType.AVALON_NANO, 0.0), MinerType.AVALON_NANO),
        ((None, 0.0), (MinerType.AVALON_NANO, 0.05), MinerType.AVALON_NANO),
        ((MinerType.NMMINER, 0.05), (None, 0.0), MinerType.NMMINER),
    ],
)
async def test_preference_order_is_deterministic(
    monkeypatch: pytest.MonkeyPatch,
    http: tuple[MinerType | None, float],
    cgminer: tuple[MinerType | None, float],
    expected: MinerType,
) -> None:
    assert PROBE_ORDER == ("http", "cgminer")
    monkeypatch.setattr(factory, "_probe_http", _fake_probe(*http))
    monkeypatch.setattr(factory, "_probe_cgminer", _fake_probe(*cgminer))
    kind, snap = await detect_miner(HOST, 80, session=None)  # type: ignore[arg-type]
    assert kind is expected
    assert snap.miner_type == expected


async def test_the_losing_probe_is_cancelled(monkeypatch: pytest.MonkeyPatch) -> None:
    cancelled = asyncio.Event()

    async def slow(*_: Any) -> tuple[MinerType, MinerSnapshot]:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        raise AssertionError

    monkeypatch.setattr(factory, "_probe_http", _fake_probe(MinerType.BITAXE, 0.0))
    monkeypatch.setattr(factory, "_probe_cgminer", slow)
    kind, _ = await detect_miner(HOST, 80, session=None)  # type: ignore[arg-type]
    assert kind is MinerType.BITAXE
    assert cancelled.is_set()


@pytest.mark.parametrize(
    ("errors", "expected"),
    [
        ([MinerTimeoutError("a"), MinerTimeoutError("b")], MinerTimeoutError),
        # One protocol refused: the host is up and answered; not a timeout.
        ([MinerTimeoutError("a"), MinerConnectionError("b")], MinerConnectionError),
        ([MinerConnectionError("a"), MinerConnectionError("b")], MinerConnectionError),
        (
            [MinerConnectionError("a"), MinerUnsupportedError("b")],
            MinerUnsupportedError,
        ),
        ([MinerUnsupportedError("a"), MinerNetworkRangeError("b")], MinerAuthError),
        ([], MinerConnectionError),
    ],
)
def test_detection_error_priority(
    errors: list[MinerError], expected: type[MinerError]
) -> None:
    error = detection_error(HOST, errors)
    assert isinstance(error, expected)
    if expected is MinerConnectionError:
        assert not isinstance(error, MinerTimeoutError)


# -- the flow's probe -----------------------------------------------------------


@pytest.fixture
async def listener() -> AsyncGenerator[NMMinerListener]:
    """The hub's NMMiner listener (fed by hand; no socket needed)."""
    hub_listener = NMMinerListener()
    yield hub_listener
    hub_listener.stop()


def _datagram(listener: NMMinerListener) -> None:
    listener.datagram_received(as_bytes({**NMMINER_UDP, "ip": HOST}), (HOST, 12345))


@pytest.fixture(autouse=True)
def long_broadcast_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wait that would be noticed: far longer than FAST_S."""
    monkeypatch.setattr(const, "NMMINER_DISCOVERY_WAIT_S", 30.0)


@pytest.mark.parametrize("miner_type", [None, MinerType.NMMINER, MinerType.BITAXE])
async def test_probe_of_a_refusing_port_does_not_wait(
    closed_port: int,
    session: aiohttp.ClientSession,
    listener: NMMinerListener,
    attempts: list[tuple[str, int]],
    miner_type: MinerType | None,
) -> None:
    started = time.monotonic()
    with pytest.raises(probe.ProbeError) as info:
        await probe.probe_miner(session, listener, miner_type, HOST, closed_port)
    assert time.monotonic() - started < FAST_S  # was ~12 s (the broadcast window)
    assert info.value.key == "cannot_connect"
    assert {name for name, _ in attempts} == {"http", "cgminer"}


async def test_probe_uses_a_datagram_already_heard(
    closed_port: int, session: aiohttp.ClientSession, listener: NMMinerListener
) -> None:
    """A refusal does not wait, but a broadcast the hub heard still counts."""
    _datagram(listener)
    result = await probe.probe_miner(session, listener, None, HOST, closed_port)
    assert result.miner_type is MinerType.NMMINER
    assert result.broadcast
    assert result.snapshot.model == "NM-TV-154"


async def test_probe_ignores_a_stale_datagram(
    closed_port: int,
    session: aiohttp.ClientSession,
    listener: NMMinerListener,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _datagram(listener)
    snapshot, _ = listener.latest(HOST) or (None, 0.0)
    assert snapshot is not None
    monkeypatch.setitem(listener._latest, HOST, (snapshot, time.monotonic() - 3600))
    with pytest.raises(probe.ProbeError):
        await probe.probe_miner(session, listener, None, HOST, closed_port)


@pytest.fixture
def short_detect(monkeypatch: pytest.MonkeyPatch) -> None:
    """Detection and the typed driver give up on a silent port after 0.3 s."""
    monkeypatch.setattr(
        probe, "detect_miner", functools.partial(detect_miner, timeout=0.3)
    )
    real_create = probe.create_driver
    monkeypatch.setattr(
        probe,
        "create_driver",
        lambda *args, **kwargs: real_create(*args, **kwargs, timeout=0.3),
    )


@pytest.mark.usefixtures("short_detect")
@pytest.mark.parametrize("miner_type", [None, MinerType.NMMINER])
async def test_silence_waits_for_a_broadcast(
    silent_port: int,
    session: aiohttp.ClientSession,
    listener: NMMinerListener,
    miner_type: MinerType | None,
) -> None:
    """Nothing answered at all: the NMMiner may be booting; its datagram counts."""
    loop = asyncio.get_running_loop()
    loop.call_later(0.5, _datagram, listener)
    result = await probe.probe_miner(session, listener, miner_type, HOST, silent_port)
    assert result.broadcast
    assert result.miner_type is MinerType.NMMINER


@pytest.mark.usefixtures("short_detect")
async def test_silence_without_a_broadcast_is_a_timeout(
    silent_port: int,
    session: aiohttp.ClientSession,
    listener: NMMinerListener,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(const, "NMMINER_DISCOVERY_WAIT_S", 0.2)
    with pytest.raises(probe.ProbeError) as info:
        await probe.probe_miner(session, listener, None, HOST, silent_port)
    assert info.value.key == "timeout"
    # Discovery never waits: it must not hold a flow for the broadcast window.
    monkeypatch.setattr(const, "NMMINER_DISCOVERY_WAIT_S", 30.0)
    started = time.monotonic()
    with pytest.raises(probe.ProbeError):
        await probe.probe_miner(
            session, listener, None, HOST, silent_port, wait_for_broadcast=False
        )
    assert time.monotonic() - started < FAST_S
