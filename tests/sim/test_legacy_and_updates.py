"""Simulator: MAC-less AxeOS releases, firmware updates, a changed web password."""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

import aiohttp
import pytest

from hmm_sim import AxeOSSimulator, CgminerSimulator, Fault


async def _info(sim: AxeOSSimulator, session: aiohttp.ClientSession) -> dict[str, Any]:
    async with session.get(f"http://{sim.address}/api/system/info") as resp:
        body: dict[str, Any] = await resp.json()
    return body


@pytest.mark.parametrize("axeos_sim", ["bitaxe_v2_1"], indirect=True)
async def test_v2_1_8_fields(
    axeos_sim: AxeOSSimulator, sim_session: aiohttp.ClientSession
) -> None:
    info = await _info(axeos_sim, sim_session)
    assert info["version"] == "v2.1.8"
    assert info["boardVersion"] == "102"
    assert info["hostname"] == "bitaxe"
    assert isinstance(info["fanSpeedRpm"], int)
    assert info["fanspeed"] == 58  # the stored manual set-point, not the current %
    for absent in ("macAddr", "fanrpm", "fanSpeed", "vrTemp", "fallbackStratumURL"):
        assert absent not in info


@pytest.mark.parametrize("axeos_sim", ["bitaxe_v2_2"], indirect=True)
async def test_v2_2_fields(
    axeos_sim: AxeOSSimulator, sim_session: aiohttp.ClientSession
) -> None:
    info = await _info(axeos_sim, sim_session)
    assert info["boardVersion"] == "0.11"
    assert info["ASICModel"] == "BM1366"
    assert "fanrpm" in info
    assert "macAddr" not in info
    assert "stratumDiff" not in info  # from v2.4.2


@pytest.mark.parametrize("axeos_sim", ["bitaxe_v2_6"], indirect=True)
async def test_axeos_firmware_update_changes_routes(
    axeos_sim: AxeOSSimulator, sim_session: aiohttp.ClientSession
) -> None:
    url = f"http://{axeos_sim.address}/api/system/asic"
    async with sim_session.get(url) as resp:
        assert resp.status == 404  # before v2.7
    accepted = (await _info(axeos_sim, sim_session))["sharesAccepted"]
    await axeos_sim.flash_firmware("v2.9.0", (2, 9))
    assert axeos_sim.boots == 2
    async with sim_session.get(url) as resp:
        assert (await resp.json())["deviceModel"] == "Supra"
    info = await _info(axeos_sim, sim_session)
    assert info["version"] == "v2.9.0"
    assert "poolDifficulty" in info
    assert info["sharesAccepted"] < accepted  # rebooted


async def test_avalon_web_password_change(avalon_sim: CgminerSimulator) -> None:
    avalon_sim.set_web_password("n3w")
    assert avalon_sim.device.password_ok("admin", "n3w")
    assert not avalon_sim.device.password_ok("admin", "sim-web-pass")
    assert avalon_sim.device.web_password_hash == hashlib.sha256(b"n3w").hexdigest()


async def test_avalon_firmware_update(avalon_sim: CgminerSimulator) -> None:
    await avalon_sim.flash_firmware("25052901_1a2b3c4")
    assert avalon_sim.boots == 2
    reader, writer = await asyncio.open_connection(avalon_sim.host, avalon_sim.port)
    writer.write(b'{"command":"version"}')
    await writer.drain()
    data = await reader.read()
    writer.close()
    assert json.loads(data[:-1])["VERSION"][0]["LVERSION"] == "25052901_1a2b3c4"


async def test_fault_count_is_exact(
    axeos_sim: AxeOSSimulator, sim_session: aiohttp.ClientSession
) -> None:
    """``count=2``: exactly two faulty replies, the third is normal again."""
    url = f"http://{axeos_sim.address}/api/system/info"
    await axeos_sim.set_fault(Fault.HTTP_500, count=2)
    statuses = []
    for _ in range(3):
        async with sim_session.get(url) as resp:
            statuses.append(resp.status)
    assert statuses == [500, 500, 200]
