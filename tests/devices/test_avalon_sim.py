"""The Avalon Nano driver against the cgminer simulator (Nano 3S and Nano 3)."""

from __future__ import annotations

import re

import pytest

from custom_components.home_miner_manager.devices.cgminer import AvalonNanoDriver
from custom_components.home_miner_manager.devices.exceptions import (
    InvalidCommandValueError,
    MinerAuthError,
    MinerConnectionError,
    MinerError,
    MinerRefusedError,
    MinerResponseError,
    MinerTimeoutError,
)
from custom_components.home_miner_manager.devices.factory import create_driver
from custom_components.home_miner_manager.devices.snapshot import PoolTarget
from custom_components.home_miner_manager.devices.types import AVALON_MODES
from hmm_sim import CgminerSimulator, Fault, nano3_password_token
from tests.plugins.simulators import AVALON_WEB_PASSWORD, assert_sane, wait_until

POOL = PoolTarget(
    url="pool.example.org", port=3334, user="bc1qtest.nano", password="s3cret"
)
BOTH = ["nano3s", "nano3"]


def _driver(
    sim: CgminerSimulator,
    *,
    web_password: str | None = AVALON_WEB_PASSWORD,
    timeout: float = 2.0,
) -> AvalonNanoDriver:
    driver = create_driver(
        "avalon_nano",
        sim.host,
        sim.port,
        session=None,  # type: ignore[arg-type]
        web_password=web_password,
        timeout=timeout,
    )
    assert isinstance(driver, AvalonNanoDriver)
    return driver


def _mm(sim: CgminerSimulator) -> dict[str, str]:
    mm = sim.served["estats"]["STATS"][0]["MM ID0"]
    return dict(re.findall(r"(\w+)\[([^\]]*)\]", mm))


@pytest.mark.parametrize("avalon_sim", BOTH, indirect=True)
async def test_read_matches_served(avalon_sim: CgminerSimulator) -> None:
    snap = await _driver(avalon_sim).fetch()
    mm = _mm(avalon_sim)
    summary = avalon_sim.served["summary"]["SUMMARY"][0]
    version = avalon_sim.served["version"]["VERSION"][0]
    assert snap.miner_type == "avalon_nano"
    assert snap.hashrate_ghs == pytest.approx(float(mm["GHSspd"]))
    assert snap.temperature == pytest.approx(float(mm["TAvg"]))
    if avalon_sim.profile.name == "nano3s":
        assert snap.power_watts == float(mm["PS"].split()[6])  # PS[6] = wall watts
        assert snap.mode == "high"  # WORKMODE[2]
        assert snap.model == "Avalon Nano 3S"
    else:
        assert snap.power_watts is None  # Nano 3 PS[] layout holds no reliable watts
        assert snap.mode == "med"  # WORKLEVEL[1]
        assert snap.model == "Avalon Nano 3"
    assert snap.shares_accepted == summary["Accepted"]
    assert snap.shares_rejected == summary["Rejected"]
    assert snap.session_best_difficulty == summary["Best Share"]
    assert snap.uptime_seconds == summary["Elapsed"]
    assert snap.firmware_version == version["LVERSION"]
    assert snap.asic_model == mm["Core"]
    assert snap.pool_in_use == "public-pool.io:21496"
    assert snap.mac is not None
    assert snap.mac.replace(":", "").lower() == version["MAC"]
    asked = {part for cmd, _ in avalon_sim.commands for part in cmd.split("+")}
    assert {"version", "summary", "estats", "pools"} <= asked  # separate or joined


@pytest.mark.parametrize("avalon_sim", BOTH, indirect=True)
async def test_every_mode(avalon_sim: CgminerSimulator) -> None:
    driver = _driver(avalon_sim)
    await driver.fetch()
    rates: list[float] = []
    for index, mode in enumerate(AVALON_MODES):
        await driver.set_mode(mode)
        key = avalon_sim.profile.mode_key  # workmode on 3S, worklevel on Nano 3
        assert avalon_sim.commands_named("ascset")[-1] == f"0,{key},set,{index}"
        assert avalon_sim.mode == index
        snap = await driver.fetch()
        assert snap.mode == mode
        rates.append(avalon_sim.profile.modes[index].ghs)
        if avalon_sim.profile.name == "nano3s":
            assert snap.power_watts == float(_mm(avalon_sim)["PS"].split()[6])
    assert rates == sorted(rates)


@pytest.mark.parametrize("avalon_sim", BOTH, indirect=True)
async def test_calibration_lock(avalon_sim: CgminerSimulator) -> None:
    avalon_sim.calibrating = True
    driver = _driver(avalon_sim)
    snap = await driver.fetch()
    assert snap.extras.get("calibrating") is True
    before = avalon_sim.mode
    with pytest.raises(MinerRefusedError) as err:
        await driver.set_mode("low")
    assert err.value.reason == "calibrating"
    assert avalon_sim.mode == before


async def test_switch_pool_nano3s(avalon_sim: CgminerSimulator) -> None:
    driver = _driver(avalon_sim)
    await driver.switch_pool(POOL)
    param = avalon_sim.commands_named("setpool")[-1]
    assert param is not None
    assert param.split(",")[:2] == ["admin", AVALON_WEB_PASSWORD]
    assert avalon_sim.commands_named("ascset")[-1].startswith("0,reboot,")  # type: ignore[union-attr]
    await wait_until(lambda: avalon_sim.boots == 2)
    await avalon_sim.wait_up()
    assert avalon_sim.active_pool == f"stratum+tcp://{POOL.url}:{POOL.port}"
    snap = await driver.fetch()
    assert snap.pool_in_use == f"{POOL.url}:{POOL.port}"
    assert snap.extras["pool_user"] == POOL.user


@pytest.mark.parametrize("avalon_sim", ["nano3"], indirect=True)
async def test_switch_pool_nano3(avalon_sim: CgminerSimulator) -> None:
    await _driver(avalon_sim).switch_pool(POOL)
    param = avalon_sim.commands_named("setpool")[-1]
    assert param is not None
    assert param.split(",")[:2] == ["root", nano3_password_token(AVALON_WEB_PASSWORD)]
    await wait_until(lambda: avalon_sim.boots == 2)
    assert avalon_sim.active_pool == f"stratum+tcp://{POOL.url}:{POOL.port}"


async def test_switch_pool_wrong_password(avalon_sim: CgminerSimulator) -> None:
    with pytest.raises(MinerAuthError):
        await _driver(avalon_sim, web_password="wrong").switch_pool(POOL)
    assert not [p for p in avalon_sim.commands_named("ascset") if p and "reboot" in p]
    assert avalon_sim.boots == 1
    assert (
        avalon_sim.device.pending_pools[0]["url"]
        != f"stratum+tcp://{POOL.url}:{POOL.port}"
    )


async def test_switch_pool_without_password_sends_nothing(
    avalon_sim: CgminerSimulator,
) -> None:
    with pytest.raises(MinerAuthError):
        await _driver(avalon_sim, web_password=None).switch_pool(POOL)
    assert avalon_sim.connections == 0


@pytest.mark.parametrize(
    ("pool", "web_password"),
    [
        (
            PoolTarget(
                url="pool.example.org", port=3334, user="bc1q,evil", password="x"
            ),
            AVALON_WEB_PASSWORD,
        ),
        (
            PoolTarget(
                url="pool.example.org", port=3334, user="bc1q|ascset", password="x"
            ),
            AVALON_WEB_PASSWORD,
        ),
        (
            PoolTarget(url="pool.example.org", port=3334, user="bc1q", password="a,b"),
            AVALON_WEB_PASSWORD,
        ),
        (
            PoolTarget(url="pool.example.org", port=3334, user="bc1q", password="a|b"),
            AVALON_WEB_PASSWORD,
        ),
        (
            PoolTarget(
                url="pool.example.org", port=3334, user="bc1q", password="a\x00b"
            ),
            AVALON_WEB_PASSWORD,
        ),
        (
            PoolTarget(url="pool,example.org", port=3334, user="bc1q", password="x"),
            AVALON_WEB_PASSWORD,
        ),
        (POOL, "pass,word"),
        (POOL, "pass|word"),
        (POOL, "pass\x00word"),
    ],
)
async def test_delimiters_refused_before_sending(
    avalon_sim: CgminerSimulator, pool: PoolTarget, web_password: str
) -> None:
    with pytest.raises(InvalidCommandValueError):
        await _driver(avalon_sim, web_password=web_password).switch_pool(pool)
    assert avalon_sim.connections == 0
    assert not avalon_sim.commands


@pytest.mark.parametrize("avalon_sim", BOTH, indirect=True)
async def test_restart_drops_then_returns(avalon_sim: CgminerSimulator) -> None:
    driver = _driver(avalon_sim)
    before = await driver.fetch()
    await driver.restart()
    assert avalon_sim.commands_named("ascset")[-1] == "0,reboot,0"
    await wait_until(lambda: not avalon_sim.is_up)
    with pytest.raises(MinerConnectionError):
        await driver.fetch()
    await avalon_sim.wait_up()
    after = await driver.fetch()
    assert avalon_sim.boots == 2
    assert after.uptime_seconds is not None
    assert before.uptime_seconds is not None
    assert after.uptime_seconds < before.uptime_seconds
    assert after.shares_accepted is not None
    assert before.shares_accepted is not None
    assert after.shares_accepted < before.shares_accepted


FAULTS = [
    (Fault.TIMEOUT, MinerTimeoutError),
    (Fault.REFUSED, MinerConnectionError),
    (Fault.CLOSE, MinerConnectionError),
    (Fault.GARBAGE, MinerResponseError),
    (Fault.TRUNCATED, MinerResponseError),
    (Fault.MALFORMED, MinerResponseError),
]


@pytest.mark.parametrize(("fault", "expected"), FAULTS)
async def test_fault_on_read(
    avalon_sim: CgminerSimulator, fault: Fault, expected: type[MinerError]
) -> None:
    driver = _driver(avalon_sim, timeout=0.3)
    await avalon_sim.set_fault(fault)
    with pytest.raises(MinerError) as err:
        await driver.fetch()
    assert isinstance(err.value, expected), repr(err.value)
    if expected is MinerConnectionError:
        assert not isinstance(err.value, MinerTimeoutError)
    await avalon_sim.clear_fault()
    assert (await driver.fetch()).hashrate_ghs is not None


@pytest.mark.parametrize(("fault", "expected"), FAULTS)
async def test_fault_on_write(
    avalon_sim: CgminerSimulator, fault: Fault, expected: type[MinerError]
) -> None:
    driver = _driver(avalon_sim, timeout=0.3)
    await driver.fetch()
    await avalon_sim.set_fault(fault)
    with pytest.raises(MinerError) as err:
        await driver.set_mode("low")
    assert isinstance(err.value, expected), repr(err.value)


async def test_missing_nul_is_accepted(avalon_sim: CgminerSimulator) -> None:
    # cgminer closes after the reply, so a reply without the NUL is still whole.
    await avalon_sim.set_fault(Fault.NO_NUL)
    snap = await _driver(avalon_sim).fetch()
    assert snap.hashrate_ghs == pytest.approx(float(_mm(avalon_sim)["GHSspd"]))


async def test_slow_reply(avalon_sim: CgminerSimulator) -> None:
    await avalon_sim.set_fault(Fault.SLOW, delay=0.02)
    assert (await _driver(avalon_sim).fetch()).hashrate_ghs is not None
    await avalon_sim.set_fault(Fault.SLOW, delay=1.0)
    with pytest.raises(MinerTimeoutError):
        await _driver(avalon_sim, timeout=0.2).fetch()


@pytest.mark.parametrize("avalon_sim", BOTH, indirect=True)
async def test_absurd_values_are_dropped(avalon_sim: CgminerSimulator) -> None:
    await avalon_sim.set_fault(Fault.ABSURD)
    try:
        snap = await _driver(avalon_sim).fetch()
    except MinerResponseError:
        return
    assert_sane(snap)
