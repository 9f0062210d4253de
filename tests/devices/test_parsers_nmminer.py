"""NMMiner HTTP info and UDP datagram normalization, and the passive listener."""

from __future__ import annotations

import asyncio
import json
import socket

import pytest

from custom_components.home_miner_manager.devices.exceptions import (
    MinerConnectionError,
    MinerResponseError,
    MinerUnsupportedError,
)
from custom_components.home_miner_manager.devices.nmminer import (
    NMMinerDriver,
    NMMinerListener,
)
from custom_components.home_miner_manager.devices.nmminer_telemetry import (
    parse_datagram,
    parse_nmminer_body,
    parse_nmminer_info,
    parse_share,
)
from custom_components.home_miner_manager.devices.snapshot import (
    MinerSnapshot,
    PoolTarget,
)

from .parse_fixtures import NMMINER_HTTP, NMMINER_UDP, as_bytes


def test_http_info_plain_decimal_strings() -> None:
    snap = parse_nmminer_body(as_bytes(NMMINER_HTTP))
    assert snap.miner_type == "nmminer"
    assert snap.model == "NMMiner"
    assert (snap.hashrate, snap.hashrate_unit, snap.hashrate_ghs) == (
        0.001004,
        "GH/s",
        0.001004,
    )
    assert (snap.shares_accepted, snap.shares_rejected) == (212, 1)
    assert snap.best_difficulty == pytest.approx(2.1104)
    assert snap.session_best_difficulty == pytest.approx(0.03815)
    assert snap.uptime_seconds == 7322
    assert snap.temperature == 49.8
    assert snap.pool_in_use == "public-pool.io:21496"
    assert snap.hostname == "nm-cyd-a1b2c3"
    assert snap.identity == "host:nm-cyd-a1b2c3"
    assert snap.firmware_version == "v2.0.04"
    assert snap.power_watts is None
    assert snap.extras["network_difficulty"] == 126271255279307.0
    assert snap.extras["pool_difficulty"] == 0.0005
    assert snap.extras["wifi_rssi"] == -55


def test_http_info_suffixed_strings_and_null_temp() -> None:
    info = json.loads(json.dumps(NMMINER_HTTP))
    info["miner"].update(
        {
            "networkDiff": "92.67T",
            "poolDiff": "8.00K",
            "bestDiffEver": "1.23M",
            "hashRate": "1004.31KH/s",
        }
    )
    info["temps"]["vcore"] = None
    snap = parse_nmminer_info(info)
    assert snap.extras["network_difficulty"] == pytest.approx(92.67e12)
    assert snap.extras["pool_difficulty"] == 8000.0
    assert snap.best_difficulty == pytest.approx(1.23e6)
    assert snap.hashrate_unit == "KH/s"
    assert snap.temperature is None


def test_http_info_missing_sections() -> None:
    snap = parse_nmminer_info({"identity": "x", "miner": None})
    assert snap.hashrate is None
    assert snap.model == "NMMiner"


def test_udp_datagram() -> None:
    ip, snap = parse_datagram(as_bytes(NMMINER_UDP))
    assert ip == "192.168.1.88"
    assert snap.model == "NM-TV-154"
    assert (snap.hashrate, snap.hashrate_unit) == (1004.31, "KH/s")
    assert snap.hashrate_ghs == pytest.approx(1004.31e-6)
    assert (snap.shares_accepted, snap.shares_rejected) == (2231, 0)
    assert snap.best_difficulty == pytest.approx(38150.0)
    assert snap.uptime_seconds == 2 * 86400 + 5 * 3600 + 41 * 60 + 9
    assert snap.temperature == 47.5
    assert snap.firmware_version == "v1.8.23"
    assert snap.pool_in_use == "public-pool.io:21496"
    assert snap.extras["network_difficulty"] == pytest.approx(126.27e12)
    assert snap.extras["blocks_found"] == 0


def test_udp_keys_are_case_insensitive_and_temp_zero_is_none() -> None:
    upper = {key.upper(): value for key, value in NMMINER_UDP.items()}
    upper.update({"TEMP": 0, "HASHRATE": "1.0154MH/s", "UPTIME": "000d 00:22:57\r\x00"})
    ip, snap = parse_datagram(json.dumps(upper))
    assert ip == "192.168.1.88"
    assert snap.temperature is None
    assert snap.hashrate_unit == "MH/s"
    assert snap.uptime_seconds == 22 * 60 + 57


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2/1534/0.1%", (1534, 2)),
        ("1/138", (138, 1)),
        ("0/2231/0.0%", (2231, 0)),
        ("x/y", (None, None)),
        ("17", (None, None)),
        (17, (None, None)),
    ],
)
def test_share_forms(raw: object, expected: tuple[int | None, int | None]) -> None:
    assert parse_share(raw) == expected


def test_datagram_garbage() -> None:
    with pytest.raises(MinerResponseError):
        parse_datagram(b"\xff" * 10)
    with pytest.raises(MinerResponseError):
        parse_datagram(b"{" + b" " * 5000 + b"}")


async def _send(port: int, payload: bytes) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.sendto(payload, ("127.0.0.1", port))
    finally:
        sock.close()


async def _wait_for(listener: NMMinerListener, count: int) -> None:
    """Wait until ``count`` datagrams arrived (loopback delivers in order)."""
    async with asyncio.timeout(5):
        while listener.datagrams_received < count:
            await asyncio.sleep(0.005)


async def test_listener_keeps_latest_and_notifies(socket_enabled: None) -> None:
    listener = NMMinerListener()
    await listener.start("127.0.0.1", 0)
    assert listener.port
    received: list[MinerSnapshot] = []
    try:
        unsubscribe = listener.subscribe("192.168.1.88", received.append)
        await _send(listener.port, as_bytes(NMMINER_UDP))
        await _send(listener.port, b"not json")
        no_ip = {k: v for k, v in NMMINER_UDP.items() if k != "ip"}
        await _send(listener.port, as_bytes(no_ip))
        await _wait_for(listener, 3)
        assert listener.datagrams_received == 3
        assert listener.datagrams_rejected == 1
        assert len(received) == 1
        latest = listener.latest("192.168.1.88")
        assert latest is not None
        assert latest[0].hashrate == 1004.31
        # No ip field: keyed by the sender's address.
        assert listener.latest("127.0.0.1") is not None

        driver = NMMinerDriver("192.168.1.88", listener=listener, http=False)
        assert (await driver.fetch()).model == "NM-TV-154"
        assert driver.modes == ()
        with pytest.raises(MinerUnsupportedError):
            await driver.set_mode("eco")
        with pytest.raises(MinerUnsupportedError):
            await driver.restart()
        with pytest.raises(MinerUnsupportedError):
            await driver.switch_pool(
                PoolTarget(url="pool.example", port=3333, user="u")
            )
        stale = NMMinerDriver(
            "192.168.1.88", listener=listener, max_age=-1.0, http=False
        )
        with pytest.raises(MinerConnectionError):
            await stale.fetch()
        with pytest.raises(MinerConnectionError):
            await NMMinerDriver("192.168.1.99", listener=listener, http=False).fetch()
        unsubscribe()
        await _send(listener.port, as_bytes(NMMINER_UDP))
        await _wait_for(listener, 4)
        assert len(received) == 1
    finally:
        listener.stop()
    assert not listener.running
