"""``detect_miner`` tells every simulated device type apart."""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.home_miner_manager.devices.axeos import AxeOSDriver
from custom_components.home_miner_manager.devices.exceptions import (
    MinerConnectionError,
    MinerNetworkRangeError,
    MinerOTPRequiredError,
)
from custom_components.home_miner_manager.devices.factory import detect_miner
from custom_components.home_miner_manager.devices.types import MinerType
from hmm_sim import (
    AXEOS_PROFILES,
    AxeOSSimulator,
    CgminerSimulator,
    Fault,
    NMMinerSimulator,
)


@pytest.mark.parametrize("axeos_sim", list(AXEOS_PROFILES), indirect=True)
async def test_detect_axeos(
    axeos_sim: AxeOSSimulator, sim_session: aiohttp.ClientSession
) -> None:
    kind, snap = await detect_miner(axeos_sim.host, axeos_sim.port, session=sim_session)
    expected = MinerType.NERDQAXE if axeos_sim.profile.nerdqaxe else MinerType.BITAXE
    assert kind is expected
    if axeos_sim.profile.has_mac:
        assert snap.mac is not None
        assert snap.mac.lower() == axeos_sim.profile.mac.lower()
    else:
        assert snap.identity is None  # < v2.3, factory hostname: no identity
    assert snap.firmware_version == axeos_sim.profile.firmware


@pytest.mark.parametrize("avalon_sim", ["nano3s", "nano3"], indirect=True)
async def test_detect_avalon(
    avalon_sim: CgminerSimulator, sim_session: aiohttp.ClientSession
) -> None:
    kind, snap = await detect_miner(
        avalon_sim.host, avalon_sim.port, session=sim_session
    )
    assert kind is MinerType.AVALON_NANO
    assert snap.mac is not None
    assert snap.mac.replace(":", "").lower() == avalon_sim.profile.mac


async def test_detect_nmminer(
    nmminer_sim: NMMinerSimulator, sim_session: aiohttp.ClientSession
) -> None:
    kind, snap = await detect_miner(
        nmminer_sim.host, nmminer_sim.port, session=sim_session
    )
    assert kind is MinerType.NMMINER
    assert snap.firmware_version == "v2.0.04"


async def test_detect_nothing_listening(
    axeos_sim: AxeOSSimulator, sim_session: aiohttp.ClientSession
) -> None:
    await axeos_sim.set_fault(Fault.REFUSED)
    with pytest.raises(MinerConnectionError):
        await detect_miner(
            axeos_sim.host, axeos_sim.port, session=sim_session, timeout=1.0
        )


async def test_detect_keeps_network_range_refusal(
    axeos_sim: AxeOSSimulator, sim_session: aiohttp.ClientSession
) -> None:
    """An AxeOS 401 wins over the cgminer probe's "not mine" on the same port."""
    await axeos_sim.set_fault(Fault.NETWORK_RANGE)
    with pytest.raises(MinerNetworkRangeError):
        await detect_miner(
            axeos_sim.host, axeos_sim.port, session=sim_session, timeout=1.0
        )


async def test_detect_and_driver_report_otp_read_refusal(
    socket_enabled: None, sim_session: aiohttp.ClientSession
) -> None:
    async with AxeOSSimulator(
        "nerdqaxe_pp", otp_enabled=True, otp_reads=True, latency=0.0
    ) as sim:
        with pytest.raises(MinerOTPRequiredError):
            await detect_miner(sim.host, sim.port, session=sim_session, timeout=1.0)
        driver = AxeOSDriver(sim.host, sim.port, session=sim_session)
        with pytest.raises(MinerOTPRequiredError):
            await driver.fetch()


async def test_detect_nerdqaxe_with_otp_on(
    socket_enabled: None, sim_session: aiohttp.ClientSession
) -> None:
    """OTP guards writes only: detection reads the miner and reports the flag."""
    async with AxeOSSimulator("nerdqaxe_pp", otp_enabled=True, latency=0.0) as sim:
        kind, snap = await detect_miner(sim.host, sim.port, session=sim_session)
    assert kind is MinerType.NERDQAXE
    assert snap.extras["otp_enabled"] is True
