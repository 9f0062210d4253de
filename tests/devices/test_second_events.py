"""The second event, one past a limit, and secrets where they change.

Tests that only ever look at the first datagram, the first call or the first
password let bugs through; these look at what comes next.
"""

from __future__ import annotations

import pytest

from custom_components.home_miner_manager.devices.avalon_stats import (
    decode_cgminer_reply,
    parse_avalon,
)
from custom_components.home_miner_manager.devices.axeos import AxeOSDriver
from custom_components.home_miner_manager.devices.axeos_info import parse_axeos_info
from custom_components.home_miner_manager.devices.cgminer import AvalonNanoDriver
from custom_components.home_miner_manager.devices.exceptions import (
    MinerAuthError,
    MinerError,
    MinerTimeoutError,
)
from custom_components.home_miner_manager.devices.factory import create_driver
from custom_components.home_miner_manager.devices.nmminer_listener import (
    NMMinerListener,
)
from custom_components.home_miner_manager.devices.nmminer_telemetry import (
    parse_datagram,
)
from custom_components.home_miner_manager.devices.snapshot import (
    MinerSnapshot,
    PoolTarget,
)
from custom_components.home_miner_manager.devices.types import MinerType
from hmm_sim import AxeOSSimulator, CgminerSimulator, Fault
from tests.plugins.simulators import AVALON_WEB_PASSWORD

from .parse_fixtures import (
    BITAXE_V215,
    NANO3S_ESTATS,
    NANO3S_POOLS,
    NANO3S_SUMMARY,
    NANO3S_VERSION,
    NMMINER_UDP,
    as_bytes,
    cgminer_reply,
)

POOL = PoolTarget(
    url="pool.example.org", port=3334, user="bc1qtest.nano", password="s3cret"
)
NEW_WEB_PASSWORD = "n3w-Web-Pass"


def _datagram(listener: NMMinerListener, ip: str, **changes: object) -> None:
    payload = as_bytes({**NMMINER_UDP, "ip": ip, **changes})
    listener.datagram_received(payload, (ip, 12345))


# -- NMMiner listener: second datagram, one past the device limit -------------


def test_second_datagram_replaces_the_first_and_is_forwarded() -> None:
    listener = NMMinerListener()
    received: list[MinerSnapshot] = []
    listener.subscribe("10.0.0.5", received.append)
    _datagram(listener, "10.0.0.5", HashRate="990.00KH/s")
    first = listener.latest("10.0.0.5")
    _datagram(listener, "10.0.0.5", HashRate="1010.00KH/s")
    second = listener.latest("10.0.0.5")
    assert [snap.hashrate for snap in received] == [990.0, 1010.0]
    assert first is not None
    assert second is not None
    assert second[0].hashrate == 1010.0
    assert second[1] >= first[1]
    assert listener.datagrams_received == 2


def test_device_limit_forgets_the_longest_silent() -> None:
    listener = NMMinerListener(max_devices=2)
    _datagram(listener, "10.0.0.1")
    _datagram(listener, "10.0.0.2")
    # At the limit: nothing forgotten, and a device heard again takes no slot.
    _datagram(listener, "10.0.0.1")
    assert listener.latest("10.0.0.1") is not None
    assert listener.latest("10.0.0.2") is not None
    # One past the limit: .2 has been silent longest (.1 spoke after it).
    _datagram(listener, "10.0.0.3")
    assert listener.latest("10.0.0.2") is None
    assert listener.latest("10.0.0.1") is not None
    assert listener.latest("10.0.0.3") is not None


def test_a_failing_subscriber_does_not_stop_the_others() -> None:
    listener = NMMinerListener()
    received: list[str] = []

    def broken(_: MinerSnapshot) -> None:
        raise RuntimeError

    listener.subscribe("10.0.0.5", broken)
    listener.subscribe("10.0.0.5", lambda _: received.append("ip"))
    listener.subscribe_all(lambda ip, _: received.append(ip))
    _datagram(listener, "10.0.0.5")
    _datagram(listener, "10.0.0.5")
    assert received == ["ip", "10.0.0.5", "ip", "10.0.0.5"]


def test_unsubscribing_one_callback_keeps_the_other() -> None:
    listener = NMMinerListener()
    first: list[MinerSnapshot] = []
    second: list[MinerSnapshot] = []
    unsubscribe = listener.subscribe("10.0.0.5", first.append)
    listener.subscribe("10.0.0.5", second.append)
    _datagram(listener, "10.0.0.5")
    unsubscribe()
    unsubscribe()  # twice is harmless
    _datagram(listener, "10.0.0.5")
    assert (len(first), len(second)) == (1, 2)


# -- a second payload after a reboot: counters start over -----------------------


def test_axeos_payload_after_reboot() -> None:
    before = parse_axeos_info(BITAXE_V215, MinerType.BITAXE)
    after = parse_axeos_info(
        {
            **BITAXE_V215,
            "sharesAccepted": 2,
            "sharesRejected": 0,
            "uptimeSeconds": 41,
            "bestSessionDiff": 1210,
        },
        MinerType.BITAXE,
    )
    assert (after.shares_accepted, after.shares_rejected) == (2, 0)
    assert after.uptime_seconds == 41
    assert after.session_best_difficulty == 1210
    assert after.best_difficulty == before.best_difficulty  # all-time best (NVS)


def test_avalon_payload_after_reboot() -> None:
    version, estats, pools = (
        decode_cgminer_reply(raw)
        for raw in (NANO3S_VERSION, NANO3S_ESTATS, NANO3S_POOLS)
    )
    before = parse_avalon(version, decode_cgminer_reply(NANO3S_SUMMARY), estats, pools)
    rebooted = cgminer_reply(
        "SUMMARY",
        [{"Elapsed": 37, "Accepted": 1, "Rejected": 0, "Best Share": 5021}],
        11,
        "Summary",
    )
    after = parse_avalon(version, decode_cgminer_reply(rebooted), estats, pools)
    assert before.snapshot.shares_accepted is not None
    assert after.snapshot.shares_accepted == 1
    assert after.snapshot.uptime_seconds == 37
    assert after.snapshot.session_best_difficulty == 5021


def test_nmminer_datagram_after_reboot() -> None:
    _, before = parse_datagram(as_bytes(NMMINER_UDP))
    _, after = parse_datagram(
        as_bytes({**NMMINER_UDP, "Share": "0/3/0.0%", "Uptime": "000d 00:00:41"})
    )
    assert before.shares_accepted == 2231
    assert (after.shares_accepted, after.shares_rejected) == (3, 0)
    assert after.uptime_seconds == 41


# -- Avalon: the web password where it changes, the call after an error --------


def _avalon(sim: CgminerSimulator, web_password: str | None) -> AvalonNanoDriver:
    driver = create_driver(
        "avalon_nano",
        sim.host,
        sim.port,
        session=None,  # type: ignore[arg-type]
        web_password=web_password,
        timeout=0.5,
    )
    assert isinstance(driver, AvalonNanoDriver)
    return driver


def _leaks(secret: str, *texts: object) -> list[str]:
    return [str(text) for text in texts if secret in str(text)]


def _error_texts(err: BaseException) -> list[object]:
    texts: list[object] = []
    seen: BaseException | None = err
    while seen is not None:
        texts += [seen, repr(seen), *seen.args]
        seen = seen.__cause__ or seen.__context__
    return texts


async def test_changed_web_password_is_used_and_never_shown(
    avalon_sim: CgminerSimulator,
) -> None:
    old = _avalon(avalon_sim, AVALON_WEB_PASSWORD)
    await old.switch_pool(POOL)
    await avalon_sim.wait_restarted()
    await avalon_sim.wait_up()
    # The owner changes the password in the Avalon app.
    avalon_sim.set_web_password(NEW_WEB_PASSWORD)
    with pytest.raises(MinerAuthError) as info:
        await old.switch_pool(POOL)
    texts = _error_texts(info.value)
    assert not _leaks(AVALON_WEB_PASSWORD, *texts)
    assert not _leaks(POOL.password, *texts)
    # Home Assistant is given the new one (reconfigure builds a new driver).
    new = _avalon(avalon_sim, NEW_WEB_PASSWORD)
    await new.switch_pool(POOL)
    param = avalon_sim.commands_named("setpool")[-1] or ""
    assert param.split(",")[:2] == ["admin", NEW_WEB_PASSWORD]
    for driver in (old, new):
        assert not _leaks(AVALON_WEB_PASSWORD, str(driver), repr(driver))
        assert not _leaks(NEW_WEB_PASSWORD, str(driver), repr(driver))


async def test_switch_pool_again_after_a_failure(avalon_sim: CgminerSimulator) -> None:
    """The first attempt times out; the second one must not be blocked by it."""
    driver = _avalon(avalon_sim, AVALON_WEB_PASSWORD)
    await driver.fetch()
    await avalon_sim.set_fault(Fault.TIMEOUT, count=1)
    with pytest.raises(MinerTimeoutError) as info:
        await driver.switch_pool(POOL)
    assert not _leaks(AVALON_WEB_PASSWORD, *_error_texts(info.value))
    await driver.switch_pool(POOL)
    await avalon_sim.wait_restarted()
    await avalon_sim.wait_up()
    assert avalon_sim.active_pool == f"stratum+tcp://{POOL.url}:{POOL.port}"


async def test_wrong_password_twice_then_right(avalon_sim: CgminerSimulator) -> None:
    wrong = _avalon(avalon_sim, "wrong-pass")
    for _ in range(2):
        with pytest.raises(MinerAuthError):
            await wrong.switch_pool(POOL)
    assert avalon_sim.boots == 1
    await _avalon(avalon_sim, AVALON_WEB_PASSWORD).switch_pool(POOL)
    await avalon_sim.wait_restarted()
    assert avalon_sim.boots == 2


@pytest.mark.parametrize("avalon_sim", ["nano3s", "nano3"], indirect=True)
async def test_avalon_firmware_update_is_seen_after_its_reboot(
    avalon_sim: CgminerSimulator,
) -> None:
    """The version reply is cached for an hour; a reboot must refresh it."""
    driver = _avalon(avalon_sim, None)
    before = await driver.fetch()
    await driver.fetch()  # the cached version in use
    await avalon_sim.flash_firmware("25052901_1a2b3c4")
    await avalon_sim.wait_up()
    after = await driver.fetch()
    assert before.firmware_version != "25052901_1a2b3c4"
    assert after.firmware_version == "25052901_1a2b3c4"
    assert after.uptime_seconds is not None
    assert before.uptime_seconds is not None
    assert after.uptime_seconds < before.uptime_seconds
    # Next poll: no extra version read (the reboot is handled once).
    versions = len(avalon_sim.commands_named("version"))
    await driver.fetch()
    assert len(avalon_sim.commands_named("version")) == versions


@pytest.mark.parametrize("axeos_sim", ["bitaxe_v2_6"], indirect=True)
async def test_axeos_firmware_update_reloads_the_mode_table(
    axeos_sim: AxeOSSimulator, sim_session: object
) -> None:
    """v2.6 has no /api/system/asic (built-in table); after an update to v2.9 it has."""
    driver = create_driver(
        axeos_sim.miner_type,
        axeos_sim.host,
        axeos_sim.port,
        session=sim_session,  # type: ignore[arg-type]
    )
    assert isinstance(driver, AxeOSDriver)
    await driver.fetch()
    assert driver.mode_table is not None
    assert driver.mode_table.source == "fallback"
    asic_reads = len(axeos_sim.requests_to("GET", "/api/system/asic"))
    await driver.fetch()
    assert len(axeos_sim.requests_to("GET", "/api/system/asic")) == asic_reads
    await axeos_sim.flash_firmware("v2.9.0", (2, 9))
    await axeos_sim.wait_up()
    snap = await driver.fetch()
    assert snap.firmware_version == "v2.9.0"
    assert driver.mode_table.source == "device"
    assert snap.mode == "standard"


async def test_errors_never_quote_the_pool_password(
    avalon_sim: CgminerSimulator,
) -> None:
    """setpool's reply echoes the pool password; a refusal must not carry it."""
    driver = _avalon(avalon_sim, "wrong-pass")
    with pytest.raises(MinerError) as info:
        await driver.switch_pool(POOL)
    assert not _leaks(POOL.password, *_error_texts(info.value))
