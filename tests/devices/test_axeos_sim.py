"""The AxeOS driver against the AxeOS/NerdQAxe simulator, firmware by firmware."""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.home_miner_manager.devices.exceptions import (
    MinerConnectionError,
    MinerError,
    MinerNetworkRangeError,
    MinerOTPRequiredError,
    MinerResponseError,
    MinerTimeoutError,
)
from custom_components.home_miner_manager.devices.factory import create_driver
from custom_components.home_miner_manager.devices.parsing import parse_difficulty
from custom_components.home_miner_manager.devices.snapshot import PoolTarget
from custom_components.home_miner_manager.devices.types import AXEOS_MODES
from hmm_sim import AXEOS_PROFILES, AxeOSSimulator, Fault
from tests.plugins.simulators import assert_sane, wait_until

ALL = list(AXEOS_PROFILES)
POOL = PoolTarget(
    url="pool.example.org", port=3334, user="bc1qtest.worker", password="s3cret"
)


def _driver(sim: AxeOSSimulator, session: aiohttp.ClientSession, timeout: float = 2.0):  # type: ignore[no-untyped-def]
    return create_driver(
        sim.miner_type, sim.host, sim.port, session=session, timeout=timeout
    )


@pytest.mark.parametrize("axeos_sim", ALL, indirect=True)
async def test_read_matches_served(
    axeos_sim: AxeOSSimulator, sim_session: aiohttp.ClientSession
) -> None:
    snap = await _driver(axeos_sim, sim_session).fetch()
    info = axeos_sim.served["/api/system/info"]
    assert snap.miner_type == axeos_sim.miner_type
    assert snap.hashrate_ghs == pytest.approx(info["hashRate"])
    assert snap.hashrate_unit == "GH/s"
    assert snap.power_watts == pytest.approx(info["power"])
    assert snap.temperature == pytest.approx(info["temp"])
    assert snap.shares_accepted == info["sharesAccepted"]
    assert snap.shares_rejected == info["sharesRejected"]
    assert snap.best_difficulty == pytest.approx(parse_difficulty(info["bestDiff"]))
    assert snap.session_best_difficulty == pytest.approx(
        parse_difficulty(info.get("bestSessionDiff"))  # from v2.2
    )
    if isinstance(info["bestDiff"], str):  # "4.29G" on <= v2.10
        assert snap.best_difficulty == pytest.approx(float(info["bestDiff"][:-1]) * 1e9)
    else:
        assert snap.best_difficulty == info["bestDiff"]
    assert snap.uptime_seconds == info["uptimeSeconds"]
    assert snap.firmware_version == axeos_sim.profile.firmware
    assert snap.asic_model == axeos_sim.profile.asic_model
    profile = axeos_sim.profile
    if profile.has_mac:
        assert snap.mac is not None
        assert snap.mac.lower() == profile.mac.lower()
        assert snap.identity == f"mac:{profile.mac.lower()}"
    else:  # < v2.3, still called "bitaxe" (or no hostname at all): no identity
        assert snap.mac is None
        assert snap.identity is None
    assert snap.hostname == (profile.hostname if profile.has_hostname else None)
    assert snap.model == (
        profile.device_model if profile.nerdqaxe else f"Bitaxe {profile.device_model}"
    )
    assert snap.extras["fan_rpm"] == info[profile.fan_rpm_key]
    if profile.fan_rpm_key == "fanrpm":
        assert snap.extras["fan_percent"] == info["fanspeed"]
    else:  # "fanspeed" is the manual set-point there, and the fan is on auto
        assert info["autofanspeed"] == 1
        assert "fan_percent" not in snap.extras
    assert snap.pool_in_use == f"{info['stratumURL']}:{info['stratumPort']}"
    pool_diff = info.get("poolDifficulty", info.get("stratumDiff"))  # v2.4.2+
    assert snap.extras.get("pool_difficulty") == pool_diff
    assert snap.mode == "standard"  # factory default frequency


@pytest.mark.parametrize("axeos_sim", ALL, indirect=True)
async def test_counters_grow_between_polls(
    axeos_sim: AxeOSSimulator, sim_session: aiohttp.ClientSession
) -> None:
    driver = _driver(axeos_sim, sim_session)
    first = await driver.fetch()
    second = await driver.fetch()
    assert first.shares_accepted is not None
    assert second.shares_accepted is not None
    assert second.shares_accepted > first.shares_accepted
    assert first.session_best_difficulty is not None
    assert second.session_best_difficulty is not None
    assert second.session_best_difficulty >= first.session_best_difficulty


@pytest.mark.parametrize("axeos_sim", ALL, indirect=True)
async def test_every_mode(
    axeos_sim: AxeOSSimulator, sim_session: aiohttp.ClientSession
) -> None:
    driver = _driver(axeos_sim, sim_session)
    await driver.fetch()
    powers: list[float] = []
    for mode in AXEOS_MODES:
        await driver.set_mode(mode)
        body = axeos_sim.requests_to("PATCH", "/api/system")[-1]
        assert set(body) == {"frequency", "coreVoltage"}
        assert axeos_sim.frequency == body["frequency"]  # applied live, no restart
        assert axeos_sim.core_voltage == body["coreVoltage"]
        snap = await driver.fetch()
        assert snap.mode == mode
        assert snap.power_watts == pytest.approx(
            axeos_sim.served["/api/system/info"]["power"]
        )
        powers.append(axeos_sim.device.power)
    assert axeos_sim.boots == 1
    assert powers == sorted(powers)
    assert powers[0] < powers[-1]
    if axeos_sim.profile.has_asic_endpoint and axeos_sim.profile.full_asic_endpoint:
        await driver.set_mode("standard")
        assert axeos_sim.frequency == axeos_sim.profile.default_frequency
        assert axeos_sim.core_voltage == axeos_sim.profile.default_voltage


@pytest.mark.parametrize("axeos_sim", ALL, indirect=True)
async def test_switch_pool(
    axeos_sim: AxeOSSimulator, sim_session: aiohttp.ClientSession
) -> None:
    driver = _driver(axeos_sim, sim_session)
    old = axeos_sim.active_pool
    await driver.switch_pool(POOL)
    body = axeos_sim.requests_to("PATCH", "/api/system")[-1]
    if axeos_sim.profile.multi_pool:
        assert "stratumURL" not in body  # v2.15 ignores the flat keys
        assert body["pools"][0]["stratumURL"] == POOL.url
        assert body["pools"][0]["stratumPort"] == POOL.port
    else:
        assert body["stratumURL"] == POOL.url
        assert body["stratumPort"] == POOL.port
        assert body["stratumUser"] == POOL.user
    if axeos_sim.profile.live_pool_change:
        # NerdQAxe applies stratum settings live: no reboot needed.
        assert axeos_sim.active_pool == f"{POOL.url}:{POOL.port}"
        assert not axeos_sim.requests_to("POST", "/api/system/restart")
    else:
        assert axeos_sim.requests_to("POST", "/api/system/restart")
        assert axeos_sim.active_pool == old  # not before the reboot
        await wait_until(lambda: axeos_sim.boots == 2)
        await axeos_sim.wait_up()
        assert axeos_sim.active_pool == f"{POOL.url}:{POOL.port}"
    assert axeos_sim.device.pools[axeos_sim.device.primary]["Password"] == POOL.password
    snap = await driver.fetch()
    assert snap.pool_in_use == f"{POOL.url}:{POOL.port}"


@pytest.mark.parametrize("axeos_sim", ALL, indirect=True)
async def test_restart_drops_then_returns(
    axeos_sim: AxeOSSimulator, sim_session: aiohttp.ClientSession
) -> None:
    driver = _driver(axeos_sim, sim_session)
    before = await driver.fetch()
    await driver.restart()
    await wait_until(lambda: not axeos_sim.is_up)
    with pytest.raises(MinerConnectionError):
        await driver.fetch()
    await axeos_sim.wait_up()
    after = await driver.fetch()
    assert axeos_sim.boots == 2
    assert after.uptime_seconds is not None
    assert before.uptime_seconds is not None
    assert after.uptime_seconds < before.uptime_seconds
    assert after.best_difficulty == before.best_difficulty  # all-time best survives
    # Session counters start over: the second payload is read, not carried over.
    assert after.shares_accepted is not None
    assert before.shares_accepted is not None
    assert after.shares_accepted < before.shares_accepted
    if before.session_best_difficulty is not None:
        assert after.session_best_difficulty is not None
        assert after.session_best_difficulty < before.session_best_difficulty


FAULTS = [
    (Fault.TIMEOUT, MinerTimeoutError),
    (Fault.REFUSED, MinerConnectionError),
    (Fault.HTTP_500, MinerResponseError),
    (Fault.HTML, MinerResponseError),
    (Fault.TRUNCATED, MinerResponseError),
    (Fault.MALFORMED, MinerResponseError),
    (Fault.NETWORK_RANGE, MinerNetworkRangeError),
]


@pytest.mark.parametrize(
    "axeos_sim", ["bitaxe_v2_9", "bitaxe_v2_15", "nerdqaxe_pp"], indirect=True
)
@pytest.mark.parametrize(("fault", "expected"), FAULTS)
async def test_fault_on_read(
    axeos_sim: AxeOSSimulator,
    sim_session: aiohttp.ClientSession,
    fault: Fault,
    expected: type[MinerError],
) -> None:
    driver = _driver(axeos_sim, sim_session, timeout=0.3)
    await axeos_sim.set_fault(fault)
    with pytest.raises(MinerError) as err:
        await driver.fetch()
    assert isinstance(err.value, expected), repr(err.value)
    if expected is MinerConnectionError:
        assert not isinstance(err.value, MinerTimeoutError)
    await axeos_sim.clear_fault()
    assert (await driver.fetch()).hashrate_ghs is not None  # recovers


# A PATCH answers an empty 200, so body faults (HTML, truncated...) cannot show there.
WRITE_FAULTS = [
    f for f in FAULTS if f[0] not in (Fault.HTML, Fault.TRUNCATED, Fault.MALFORMED)
]


@pytest.mark.parametrize(("fault", "expected"), WRITE_FAULTS)
async def test_fault_on_write(
    axeos_sim: AxeOSSimulator,
    sim_session: aiohttp.ClientSession,
    fault: Fault,
    expected: type[MinerError],
) -> None:
    driver = _driver(axeos_sim, sim_session, timeout=0.3)
    await driver.fetch()
    await axeos_sim.set_fault(fault)
    with pytest.raises(MinerError) as err:
        await driver.set_mode("eco")
    # A write with an empty 200 body cannot be truncated or malformed: those pass.
    assert isinstance(err.value, expected) or fault in (
        Fault.TRUNCATED,
        Fault.MALFORMED,
    )


@pytest.mark.parametrize("axeos_sim", ["bitaxe_v2_9", "nerdqaxe_pp"], indirect=True)
async def test_slow_reply(
    axeos_sim: AxeOSSimulator, sim_session: aiohttp.ClientSession
) -> None:
    await axeos_sim.set_fault(Fault.SLOW, delay=0.05)
    assert (
        await _driver(axeos_sim, sim_session, timeout=2.0).fetch()
    ).hashrate_ghs is not None
    await axeos_sim.set_fault(Fault.SLOW, delay=1.0)
    with pytest.raises(MinerTimeoutError):
        await _driver(axeos_sim, sim_session, timeout=0.2).fetch()


@pytest.mark.parametrize(
    "axeos_sim", ["bitaxe_v2_9", "bitaxe_v2_15", "nerdqaxe_pp"], indirect=True
)
async def test_absurd_values_are_dropped(
    axeos_sim: AxeOSSimulator, sim_session: aiohttp.ClientSession
) -> None:
    await axeos_sim.set_fault(Fault.ABSURD)
    try:
        snap = await _driver(axeos_sim, sim_session).fetch()
    except MinerResponseError:
        return
    assert_sane(snap)


@pytest.mark.parametrize("axeos_sim", ["nerdqaxe_pp"], indirect=True)
async def test_nerdqaxe_otp_required(
    axeos_sim: AxeOSSimulator, sim_session: aiohttp.ClientSession
) -> None:
    axeos_sim.otp_enabled = True
    driver = _driver(axeos_sim, sim_session)
    snap = await driver.fetch()
    assert snap.extras["otp_enabled"] is True
    with pytest.raises(MinerOTPRequiredError):
        await driver.set_mode("eco")
    assert axeos_sim.frequency == axeos_sim.profile.default_frequency
    with pytest.raises(MinerOTPRequiredError):
        await driver.switch_pool(POOL)
    assert axeos_sim.device.pools[0]["URL"] != POOL.url
