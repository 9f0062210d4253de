"""The simulators follow the firmware facts in devices.md (checked with raw clients)."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from typing import Any

import aiohttp
import pytest

from hmm_sim import AxeOSSimulator, CgminerSimulator, Fault, Fleet, fleet_spec
from hmm_sim.mining import suffix_string


async def _cg(sim: CgminerSimulator, request: str) -> bytes:
    reader, writer = await asyncio.open_connection(sim.host, sim.port)
    writer.write(request.encode())
    await writer.drain()
    data = await reader.read()
    writer.close()
    return data


def _cg_json(data: bytes) -> dict[str, Any]:
    assert data.endswith(b"\x00")
    result: dict[str, Any] = json.loads(data[:-1])
    return result


def test_suffix_string_matches_esp_miner() -> None:
    assert suffix_string(4291826174) == "4.29G"
    assert suffix_string(36071194) == "36.07M"
    assert suffix_string(1500) == "1.50k"
    assert suffix_string(512) == "512"


@pytest.mark.parametrize("axeos_sim", ["bitaxe_v2_12"], indirect=True)
async def test_strict_patch_rejects_whole_request(
    axeos_sim: AxeOSSimulator, sim_session: aiohttp.ClientSession
) -> None:
    url = f"http://{axeos_sim.address}/api/system"
    async with sim_session.patch(
        url, json={"frequency": 600, "temptarget": 99}
    ) as resp:
        assert resp.status == 400
        assert await resp.text() == "Wrong API input"
    assert axeos_sim.frequency == 525  # nothing applied
    async with sim_session.patch(url, json={"frequency": 600, "bogus": 1}) as resp:
        assert resp.status == 200
    assert axeos_sim.frequency == 600


@pytest.mark.parametrize("axeos_sim", ["bitaxe_v2_15"], indirect=True)
async def test_v2_15_pools(
    axeos_sim: AxeOSSimulator, sim_session: aiohttp.ClientSession
) -> None:
    base = f"http://{axeos_sim.address}/api/system"
    async with sim_session.patch(
        base, json={"stratumURL": "flat.example", "stratumPort": 1}
    ) as resp:
        assert resp.status == 200
    assert axeos_sim.device.pools[0]["URL"] == "public-pool.io"  # flat keys ignored
    pool = {
        "stratumURL": "a.example",
        "stratumPort": 3333,
        "stratumUser": "u",
        "stratumPassword": "*****",
    }
    async with sim_session.put(f"{base}/pools/0", json=pool) as resp:
        assert await resp.json() == {"message": "Pool updated successfully"}
    assert axeos_sim.device.pools[0]["Password"] == "x"  # "*****" kept the stored one
    async with sim_session.put(f"{base}/pools/9", json=pool) as resp:
        assert resp.status == 400
    async with sim_session.delete(f"{base}/pools/0") as resp:
        assert resp.status == 400  # primary slot
    async with sim_session.get(f"{base}/info") as resp:
        info = await resp.json()
    assert info["pools"][0]["stratumPassword"] == "*****"
    assert info["stratumURL"] == "a.example"  # NVS value, mined only after a reboot
    assert axeos_sim.active_pool == "public-pool.io:21496"
    async with sim_session.post(f"{base}/restart") as resp:
        assert await resp.json() == {"message": "System will restart shortly."}
    await axeos_sim.wait_restarted()
    assert axeos_sim.active_pool == "a.example:3333"


@pytest.mark.parametrize(
    ("axeos_sim", "status", "body"),
    [
        ("bitaxe_v2_6", 404, "Nothing matches the given URI"),
        ("bitaxe_v2_9", 404, '{"error":"unknown route"}'),
    ],
    indirect=["axeos_sim"],
)
async def test_unknown_routes(
    axeos_sim: AxeOSSimulator,
    sim_session: aiohttp.ClientSession,
    status: int,
    body: str,
) -> None:
    async with sim_session.get(f"http://{axeos_sim.address}/api/nope") as resp:
        assert (resp.status, await resp.text()) == (status, body)
    async with sim_session.get(f"http://{axeos_sim.address}/api/system/asic") as resp:
        assert resp.status == (404 if axeos_sim.profile.name == "bitaxe_v2_6" else 200)


@pytest.mark.parametrize("axeos_sim", ["nerdqaxe_pp"], indirect=True)
async def test_nerdqaxe_otp(
    axeos_sim: AxeOSSimulator, sim_session: aiohttp.ClientSession
) -> None:
    axeos_sim.otp_enabled = True
    base = f"http://{axeos_sim.address}"
    async with sim_session.patch(f"{base}/api/system", json={"frequency": 550}) as resp:
        assert (resp.status, await resp.text()) == (401, "OTP/Session required")
    headers = {"X-TOTP": axeos_sim.otp_code}
    async with sim_session.post(f"{base}/api/otp/session", headers=headers) as resp:
        token = (await resp.json())["token"]
    async with sim_session.patch(
        f"{base}/api/system", json={"frequency": 550}, headers={"X-OTP-Session": token}
    ) as resp:
        assert resp.status == 200
    assert axeos_sim.frequency == 550
    async with sim_session.get(f"{base}/api/system/info") as resp:
        assert (await resp.json())["otp"] is True


async def test_axeos_faults_raw(
    axeos_sim: AxeOSSimulator, sim_session: aiohttp.ClientSession
) -> None:
    url = f"http://{axeos_sim.address}/api/system/info"
    await axeos_sim.set_fault(Fault.TRUNCATED, count=1)
    async with sim_session.get(url) as resp:
        with pytest.raises(json.JSONDecodeError):
            json.loads(await resp.read())
    async with sim_session.get(url) as resp:  # count=1: back to normal
        assert "hashRate" in await resp.json()
    await axeos_sim.set_fault(Fault.ABSURD)
    async with sim_session.get(url) as resp:
        info = json.loads(await resp.read())
    assert info["power"] < 0 or info["power"] != info["power"] or info["power"] > 1e100


async def test_cgminer_forms(avalon_sim: CgminerSimulator) -> None:
    plain = await _cg(avalon_sim, "ascset|0,workmode,set,1")
    assert plain.startswith(b"STATUS=S,")
    assert b"Code=119,Msg=ASC 0 set OK" in plain
    assert plain.endswith(b"|\x00")
    reply = _cg_json(
        await _cg(avalon_sim, '{"command":"ascset","parameter":"0,workmode,get"}')
    )
    assert reply["STATUS"][0]["Code"] == 118
    assert reply["STATUS"][0]["Msg"] == "ASC 0 set info: workmode 1"
    reply = _cg_json(await _cg(avalon_sim, '{"command":"restart"}'))
    assert (reply["STATUS"][0]["STATUS"], reply["STATUS"][0]["Code"]) == ("E", 14)
    joined = _cg_json(await _cg(avalon_sim, '{"command":"summary+estats"}'))
    assert set(joined) == {"summary", "estats", "id"}
    assert "MM ID0" in joined["estats"][0]["STATS"][0]
    assert avalon_sim.connections == 4  # one command per connection


@pytest.mark.parametrize("avalon_sim", ["nano3"], indirect=True)
async def test_nano3_uses_worklevel(avalon_sim: CgminerSimulator) -> None:
    reply = _cg_json(
        await _cg(avalon_sim, '{"command":"ascset","parameter":"0,workmode,set,0"}')
    )
    assert reply["STATUS"][0]["Code"] == 120
    reply = _cg_json(
        await _cg(avalon_sim, '{"command":"ascset","parameter":"0,worklevel,set,0"}')
    )
    assert reply["STATUS"][0]["Code"] == 119
    assert avalon_sim.mode == 0
    estats = _cg_json(await _cg(avalon_sim, '{"command":"estats"}'))
    mm = estats["STATS"][0]["MM ID0"]
    assert "WORKLEVEL[0]" in mm
    assert "WORKMODE" not in mm
    assert estats["STATS"][0]["ID"] == "AVANANO0"


async def test_setpool_needs_reboot(avalon_sim: CgminerSimulator) -> None:
    from tests.plugins.simulators import AVALON_WEB_PASSWORD  # noqa: PLC0415

    reply = _cg_json(
        await _cg(
            avalon_sim,
            json.dumps(
                {
                    "command": "setpool",
                    "parameter": f"admin,{AVALON_WEB_PASSWORD},0,stratum+tcp://b.example:3333,w,p",
                }
            ),
        )
    )
    status = reply["STATUS"][0]
    assert status["Code"] == 133
    assert "Please reboot miner to make config work." in status["Msg"]
    assert avalon_sim.active_pool == "stratum+tcp://public-pool.io:21496"
    bad = _cg_json(
        await _cg(avalon_sim, '{"command":"setpool","parameter":"admin,nope,0,u,w"}')
    )
    assert bad["STATUS"][0]["Code"] == 132
    await avalon_sim.restart()
    assert avalon_sim.active_pool == "stratum+tcp://b.example:3333"


async def test_same_seed_same_values(socket_enabled: None) -> None:
    async with CgminerSimulator(seed=7) as one, CgminerSimulator(seed=7) as two:
        first = [
            _cg_json(await _cg(one, '{"command":"summary"}'))["SUMMARY"][0]["Accepted"]
            for _ in range(3)
        ]
        second = [
            _cg_json(await _cg(two, '{"command":"summary"}'))["SUMMARY"][0]["Accepted"]
            for _ in range(3)
        ]
    assert first == second
    assert first == sorted(first)
    assert first[0] < first[-1]


async def test_fleet_and_control(
    sim_fleet: Any, sim_session: aiohttp.ClientSession
) -> None:
    fleet: Fleet = await sim_fleet(
        bitaxe=2, nerdqaxe=1, avalon=2, nmminer=1, control_port=0
    )
    listing = fleet.describe()
    names = [d["name"] for d in listing["devices"]]
    assert names == [
        "bitaxe-1",
        "bitaxe-2",
        "nerdqaxe-1",
        "avalon-1",
        "avalon-2",
        "nmminer-1",
    ]
    assert [d["profile"] for d in listing["devices"][:2]] == [
        "bitaxe_v2_9",
        "bitaxe_v2_15",
    ]
    assert len({d["port"] for d in listing["devices"]}) == 6
    control = f"http://{listing['control']}"
    async with sim_session.post(
        f"{control}/devices/bitaxe-1/fault", json={"kind": "http_500"}
    ) as resp:
        assert resp.status == 200
    port = fleet["bitaxe-1"].port
    async with sim_session.get(f"http://127.0.0.1:{port}/api/system/info") as resp:
        assert resp.status == 500
    async with sim_session.post(
        f"{control}/devices/avalon-1/calibrating", json={"on": True}
    ) as resp:
        assert (await resp.json())["calibrating"] is True
    async with sim_session.delete(f"{control}/devices/bitaxe-1/fault") as resp:
        assert resp.status == 200
    async with sim_session.get(f"http://127.0.0.1:{port}/api/system/info") as resp:
        assert resp.status == 200


async def _identities(fleet: Fleet, session: aiohttp.ClientSession) -> list[str]:
    """What each device reports as its identity (MAC, or NMMiner hostname)."""
    found: list[str] = []
    for sim in fleet.devices:
        base = f"http://{sim.host}:{sim.port}"
        if isinstance(sim, CgminerSimulator):
            version = _cg_json(await _cg(sim, '{"command":"version"}'))
            found.append(
                version["VERSION"][0]["MAC"] + "/" + version["VERSION"][0]["DNA"]
            )
            continue
        async with session.get(f"{base}/api/system/info") as resp:
            info = await resp.json()
        found.append(info.get("macAddr") or info["identity"]["hostName"])
    return found


async def test_fleet_devices_have_their_own_identity(
    sim_fleet: Any, sim_session: aiohttp.ClientSession
) -> None:
    """Repeated profiles get index-derived MACs/hostnames, the same every run."""
    counts = {"bitaxe": 3, "nerdqaxe": 2, "avalon": 3, "nmminer": 2}
    first = await _identities(await sim_fleet(**counts), sim_session)
    again = await _identities(await sim_fleet(**counts), sim_session)
    assert first == again  # deterministic
    assert len(set(first)) == len(first)  # no two devices alike
    # The first device of each profile keeps the profile's own identity.
    assert first[0] == "2C:54:91:88:C9:E3"  # bitaxe_v2_9
    assert first[1] == "2C:54:91:88:C9:E5"  # bitaxe_v2_15
    assert first[2] == "02:48:4D:00:00:02"  # bitaxe_v2_9 again: index 2
    assert first[5:8] == [  # avalon nano3s, nano3, nano3s again
        "e0e1a93f3053/020100003cbe4d15",
        "e0e1a93f10aa/02010000d89ada98",
        "02484d000007/0201000000000007",
    ]
    assert first[-2:] == ["nm-cyd-a1b2c3", "nm-cyd-000009"]


def test_fleet_spec_cycles_profiles() -> None:
    specs = fleet_spec(
        bitaxe=3, avalon=1, bitaxe_profiles=("bitaxe_v2_6", "bitaxe_v2_15")
    )
    assert [s.profile for s in specs] == [
        "bitaxe_v2_6",
        "bitaxe_v2_15",
        "bitaxe_v2_6",
        "nano3s",
    ]


async def test_cli_json_line_and_sigterm(socket_enabled: None) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hmm_sim",
        "--bitaxe",
        "1",
        "--avalon",
        "1",
        "--nmminer",
        "1",
        "--udp-port",
        "0",
        "--json",
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 30)
    listing = json.loads(line)
    assert [d["miner_type"] for d in listing["devices"]] == [
        "bitaxe",
        "avalon_nano",
        "nmminer",
    ]
    assert all(d["host"] == "127.0.0.1" and d["port"] > 0 for d in listing["devices"])
    proc.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(proc.wait(), 30) == 0
