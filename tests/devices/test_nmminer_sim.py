"""The NMMiner driver and UDP listener against the NMMiner simulator."""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.home_miner_manager.devices.exceptions import (
    MinerConnectionError,
    MinerError,
    MinerNetworkRangeError,
    MinerResponseError,
    MinerTimeoutError,
    MinerUnsupportedError,
)
from custom_components.home_miner_manager.devices.factory import create_driver
from custom_components.home_miner_manager.devices.nmminer import NMMinerListener
from custom_components.home_miner_manager.devices.parsing import parse_difficulty
from custom_components.home_miner_manager.devices.snapshot import (
    MinerSnapshot,
    PoolTarget,
)
from hmm_sim import Fault, NMMinerSimulator, UdpBroadcaster
from tests.plugins.simulators import FAST, assert_sane, wait_until

POOL = PoolTarget(
    url="pool.example.org", port=3334, user="bc1qtest.cyd", password="s3cret"
)


def _driver(sim: NMMinerSimulator, session: aiohttp.ClientSession, **kwargs: object):  # type: ignore[no-untyped-def]
    return create_driver("nmminer", sim.host, sim.port, session=session, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("nmminer_sim", ["plain", "suffixed"], indirect=True)
async def test_read_matches_served(
    nmminer_sim: NMMinerSimulator, sim_session: aiohttp.ClientSession
) -> None:
    snap = await _driver(nmminer_sim, sim_session).fetch()
    info = nmminer_sim.served["/api/system/info"]
    miner = info["miner"]
    assert snap.miner_type == "nmminer"
    assert snap.hashrate_ghs == pytest.approx(miner["hashRate"])
    assert snap.shares_accepted == miner["sAccepted"]
    assert snap.shares_rejected == miner["sRejected"]
    assert snap.uptime_seconds == miner["uptimeSeconds"]
    assert snap.best_difficulty == pytest.approx(
        parse_difficulty(miner["bestDiffEver"])
    )
    assert snap.best_difficulty == pytest.approx(
        nmminer_sim.device.counters.best_ever, rel=0.01
    )
    assert snap.session_best_difficulty == pytest.approx(
        parse_difficulty(miner["bestDiffSession"])
    )
    assert snap.temperature == pytest.approx(info["temps"]["vcore"])
    assert snap.firmware_version == "v2.0.04"
    assert snap.pool_in_use == info["stratum"]["url"]
    assert snap.power_watts is None  # NMMiner measures no power


async def test_no_modes(
    nmminer_sim: NMMinerSimulator, sim_session: aiohttp.ClientSession
) -> None:
    driver = _driver(nmminer_sim, sim_session)
    assert driver.modes == ()
    with pytest.raises(MinerUnsupportedError):
        await driver.set_mode("eco")
    assert nmminer_sim.requests == 0


async def test_switch_pool(
    nmminer_sim: NMMinerSimulator, sim_session: aiohttp.ClientSession
) -> None:
    driver = _driver(nmminer_sim, sim_session)
    await driver.switch_pool(POOL)
    body = nmminer_sim.requests_to("POST", "/api/setting/mining")[-1]
    assert body["PrimaryPool"] == f"stratum+tcp://{POOL.url}:{POOL.port}"
    assert body["PrimaryAddress"] == POOL.user
    assert body["PrimaryPassword"] == POOL.password
    assert nmminer_sim.requests_to("POST", "/api/system/restart")
    await wait_until(lambda: nmminer_sim.boots == 2)
    await nmminer_sim.wait_up()
    assert nmminer_sim.active_pool == f"{POOL.url}:{POOL.port}"
    assert (await driver.fetch()).pool_in_use == f"{POOL.url}:{POOL.port}"


async def test_restart_drops_then_returns(
    nmminer_sim: NMMinerSimulator, sim_session: aiohttp.ClientSession
) -> None:
    driver = _driver(nmminer_sim, sim_session)
    before = await driver.fetch()
    await driver.restart()
    await wait_until(lambda: not nmminer_sim.is_up)
    with pytest.raises(MinerConnectionError):
        await driver.fetch()
    await nmminer_sim.wait_up()
    after = await driver.fetch()
    assert after.uptime_seconds is not None
    assert before.uptime_seconds is not None
    assert after.uptime_seconds < before.uptime_seconds


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (Fault.TIMEOUT, MinerTimeoutError),
        (Fault.REFUSED, MinerConnectionError),
        (Fault.HTTP_500, MinerResponseError),
        (Fault.HTML, MinerResponseError),
        (Fault.TRUNCATED, MinerResponseError),
        (Fault.MALFORMED, MinerResponseError),
        (Fault.NETWORK_RANGE, MinerNetworkRangeError),
    ],
)
async def test_fault_on_read(
    nmminer_sim: NMMinerSimulator,
    sim_session: aiohttp.ClientSession,
    fault: Fault,
    expected: type[MinerError],
) -> None:
    driver = _driver(nmminer_sim, sim_session, timeout=0.3)
    await nmminer_sim.set_fault(fault)
    with pytest.raises(MinerError) as err:
        await driver.fetch()
    assert isinstance(err.value, expected), repr(err.value)


async def test_absurd_values_are_dropped(
    nmminer_sim: NMMinerSimulator, sim_session: aiohttp.ClientSession
) -> None:
    await nmminer_sim.set_fault(Fault.ABSURD)
    try:
        snap = await _driver(nmminer_sim, sim_session).fetch()
    except MinerResponseError:
        return
    assert_sane(snap)


async def test_listener_receives_datagrams(
    udp_port: int, nmminer_udp_sender: UdpBroadcaster
) -> None:
    listener = NMMinerListener()
    await listener.start("127.0.0.1", udp_port)
    received: list[MinerSnapshot] = []
    unsubscribe = listener.subscribe("127.0.0.1", received.append)
    try:
        sent = nmminer_udp_sender.send_now()
        await wait_until(lambda: bool(received))
        snap = received[0]
        latest = listener.latest("127.0.0.1")
        assert latest is not None
        assert latest[0] == snap
        rejected, accepted, _ = sent["Share"].split("/")
        assert snap.miner_type == "nmminer"
        assert snap.shares_accepted == int(accepted)
        assert snap.shares_rejected == int(rejected)
        assert snap.temperature == pytest.approx(sent["Temp"])
        assert snap.firmware_version == sent["Version"]
        assert snap.pool_in_use == sent["PoolInUse"]
        assert snap.hashrate_ghs == pytest.approx(
            nmminer_udp_sender.device.hashrate_hs / 1e9, rel=0.01
        )
        # A garbage datagram is counted and dropped; the listener keeps going.
        nmminer_udp_sender.send_raw(b"\xff{not json")
        await wait_until(lambda: listener.datagrams_rejected == 1)
        nmminer_udp_sender.send_now()
        await wait_until(lambda: len(received) == 2)
    finally:
        unsubscribe()
        listener.stop()


async def test_listener_upper_case_ip_key(
    udp_port: int, nmminer_udp_sender: UdpBroadcaster
) -> None:
    nmminer_udp_sender.ip_key = "IP"  # vendor C# client reads keys case-insensitively
    nmminer_udp_sender.ip = "192.168.1.88"
    listener = NMMinerListener()
    await listener.start("127.0.0.1", udp_port)
    try:
        nmminer_udp_sender.send_now()
        await wait_until(lambda: listener.datagrams_received == 1)
        assert listener.latest("192.168.1.88") is not None
    finally:
        listener.stop()


async def test_listener_subscribe_all(
    udp_port: int, nmminer_udp_sender: UdpBroadcaster
) -> None:
    """Every datagram, from any IP, reaches the catch-all subscribers."""
    listener = NMMinerListener()
    await listener.start("127.0.0.1", udp_port)
    heard: list[tuple[str, MinerSnapshot]] = []

    def _broken(ip: str, snapshot: MinerSnapshot) -> None:
        raise RuntimeError("a failing subscriber must not stop the others")

    unsubscribe_broken = listener.subscribe_all(_broken)
    unsubscribe = listener.subscribe_all(lambda ip, snap: heard.append((ip, snap)))
    try:
        nmminer_udp_sender.send_now()
        nmminer_udp_sender.ip = "192.168.1.88"  # what the datagram claims
        nmminer_udp_sender.send_now()
        await wait_until(lambda: len(heard) == 2)
        assert [ip for ip, _ in heard] == ["127.0.0.1", "192.168.1.88"]
        assert heard[1][1] == listener.latest("192.168.1.88")[0]  # type: ignore[index]
        unsubscribe()
        unsubscribe_broken()
        nmminer_udp_sender.send_now()
        await wait_until(lambda: listener.datagrams_received == 3)
        assert len(heard) == 2
    finally:
        listener.stop()


async def test_driver_fed_by_broadcasts(udp_port: int, socket_enabled: None) -> None:
    listener = NMMinerListener()
    await listener.start("127.0.0.1", udp_port)
    try:
        async with NMMinerSimulator(
            udp_port=udp_port, udp_interval=0.01, **FAST
        ) as sim:
            assert sim.udp is not None
            await wait_until(lambda: listener.datagrams_received >= 2)
            driver = create_driver(
                "nmminer",
                "127.0.0.1",
                sim.port,
                session=None,
                nmminer_listener=listener,
            )
            snap = await driver.fetch()
            assert snap.pool_in_use == "public-pool.io:21496"
            assert sim.requests == 0  # served from the broadcast, no HTTP poll
    finally:
        listener.stop()
