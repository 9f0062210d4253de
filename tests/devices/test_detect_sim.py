"""``detect_miner`` tells every simulated device type apart."""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.home_miner_manager.devices.exceptions import MinerConnectionError
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
    assert snap.mac is not None
    assert snap.mac.lower() == axeos_sim.profile.mac.lower()
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
