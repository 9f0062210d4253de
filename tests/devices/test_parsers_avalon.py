"""Avalon Nano 3 / 3S cgminer reply normalization and ascset reply mapping."""

from __future__ import annotations

import json

import pytest

from custom_components.home_miner_manager.devices.avalon_stats import (
    decode_cgminer_reply,
    find_mm,
    parse_avalon,
    parse_mm_string,
    reply_status,
)
from custom_components.home_miner_manager.devices.cgminer import check_ascset_reply
from custom_components.home_miner_manager.devices.exceptions import (
    MinerRefusedError,
    MinerResponseError,
    MinerUnsupportedError,
)

from .parse_fixtures import (
    NANO3_ESTATS,
    NANO3_MM,
    NANO3_VERSION,
    NANO3S_ESTATS,
    NANO3S_MM,
    NANO3S_POOLS,
    NANO3S_SUMMARY,
    NANO3S_VERSION,
    cgminer_reply,
    estats_reply,
)

d = decode_cgminer_reply


def test_mm_string_tokens() -> None:
    mm = parse_mm_string(NANO3S_MM)
    assert mm["PS"] == "0 0 27541 4 0 3756 133"
    assert mm["SYSTEMSTATU"] == "Work: In Work, Hash Board: 1"
    assert mm["ITemp"] == "-273"
    assert mm["WORKMODE"] == "2"
    assert mm["GHSspd"] == "6598.84"
    assert find_mm(d(NANO3S_ESTATS)) == mm


def test_nano3s_snapshot() -> None:
    state = parse_avalon(
        d(NANO3S_VERSION), d(NANO3S_SUMMARY), d(NANO3S_ESTATS), d(NANO3S_POOLS)
    )
    snap = state.snapshot
    assert state.mode_command == "workmode"
    assert snap.miner_type == "avalon_nano"
    assert snap.model == "Avalon Nano 3S"
    assert (snap.hashrate, snap.hashrate_unit, snap.hashrate_ghs) == (
        6598.84,
        "GH/s",
        6598.84,
    )
    assert snap.temperature == 90.0  # TAvg
    assert snap.power_watts == 133.0  # PS[6]
    assert snap.mode == "high"
    assert (snap.shares_accepted, snap.shares_rejected) == (2612, 2)
    assert snap.session_best_difficulty == 224199508.0
    assert snap.best_difficulty is None
    assert snap.uptime_seconds == 133923
    assert snap.firmware_version == "25021401_56abae7"
    assert snap.mac == "E0:E1:A9:3F:30:53"
    assert snap.serial == "020100003cbe4d15"
    assert snap.pool_in_use == "public-pool.io:21496"
    assert snap.asic_model == "A3197S"
    extras = snap.extras
    assert extras["power_source"] == "ps6"
    assert extras["power_limit_watts"] == 133.0
    assert extras["temp_max"] == 95.0
    assert extras["temp_outlet"] == 65.0
    assert "temp_inlet" not in extras  # ITemp -273: no sensor
    assert extras["fan_percent"] == 33.0
    assert extras["pool_difficulty"] == 40000.0
    json.dumps(dict(extras))


def test_nano3_power_is_not_guessed() -> None:
    state = parse_avalon(d(NANO3_VERSION), d(NANO3S_SUMMARY), d(NANO3_ESTATS), None)
    snap = state.snapshot
    assert state.mode_command == "worklevel"
    assert snap.model == "Avalon Nano 3"
    assert snap.power_watts is None  # PS[6] == 314 is not watts on a Nano 3
    assert snap.extras["power_source"] == "not_reported"
    assert snap.extras["power_limit_watts"] == 90.0
    assert snap.extras["temp_ambient"] == 52.0
    assert snap.mode == "med"
    assert snap.serial == "02010000d89ada98"
    assert snap.pool_in_use is None


def test_nano3_without_version_reply_uses_mm_string() -> None:
    snap = parse_avalon(None, None, d(NANO3_ESTATS), None).snapshot
    assert snap.model == "Avalon Nano 3"
    assert snap.serial == "02010000d89ada98"  # DNA is all zeros, HDNA is used
    assert snap.firmware_version == "nano3-24071801_42c628d"
    assert snap.uptime_seconds == 101793


def test_hashrate_falls_back_to_mhs_1m() -> None:
    mm = NANO3S_MM.replace("GHSspd[6598.84] ", "")
    snap = parse_avalon(None, d(NANO3S_SUMMARY), d(estats_reply(mm)), None).snapshot
    assert snap.hashrate == 6649033.64
    assert snap.hashrate_unit == "MH/s"
    assert snap.hashrate_ghs == pytest.approx(6649.03364)


def test_calibrating_is_flagged() -> None:
    mm = NANO3S_MM.replace("ADJ[1]", "ADJ[0] BAR[35]")
    snap = parse_avalon(None, None, d(estats_reply(mm)), None).snapshot
    assert snap.extras["calibrating"] is True


def _pools(*rows: dict[str, object]) -> bytes:
    return cgminer_reply("POOLS", list(rows), 7, "pools")


def test_pool_in_use_prefers_stratum_active() -> None:
    pools = _pools(
        {"POOL": 0, "URL": "stratum+tcp://a:1", "Status": "Dead", "Priority": 0},
        {
            "POOL": 1,
            "URL": "stratum+tcp://b:2",
            "Status": "Alive",
            "Priority": 1,
            "Stratum Active": True,
        },
        {"POOL": 2, "URL": "stratum+tcp://c:3", "Status": "Alive", "Priority": 0},
    )
    assert parse_avalon(None, None, None, d(pools)).snapshot.pool_in_use == "b:2"
    no_active = _pools(
        {"POOL": 0, "URL": "stratum+tcp://a:1", "Status": "Alive", "Priority": 1},
        {"POOL": 1, "URL": "stratum+tcp://c:3", "Status": "Alive", "Priority": 0},
    )
    assert parse_avalon(None, None, None, d(no_active)).snapshot.pool_in_use == "c:3"
    all_dead = _pools(
        {"POOL": 0, "URL": "stratum+tcp://a:1", "Status": "Dead", "Priority": 0}
    )
    assert parse_avalon(None, None, None, d(all_dead)).snapshot.pool_in_use is None


def test_absurd_mm_values_become_none() -> None:
    mm = "GHSspd[-5] TAvg[nan] TMax[9999] PS[0 0 0 0 0 0 -133] WORKMODE[7] MPO[inf]"
    version = {"VERSION": [{"PROD": "Avalon Nano3s"}]}
    snap = parse_avalon(version, None, {"STATS": [{"MM ID0": mm}]}, None).snapshot
    assert snap.hashrate is None
    assert snap.temperature is None
    assert snap.power_watts is None
    assert snap.mode is None
    assert "power_limit_watts" not in snap.extras


def test_decode_reply_strips_nul_and_tail() -> None:
    assert decode_cgminer_reply(b'{"STATUS":[{"STATUS":"S"}]}\x00junk') == {
        "STATUS": [{"STATUS": "S"}]
    }
    with pytest.raises(MinerResponseError):
        decode_cgminer_reply(b"\x8f\xfe\x01garbage<<>>\xff\x00")
    with pytest.raises(MinerResponseError):
        reply_status({"SUMMARY": []})


def _ascset(letter: str, code: int, msg: str) -> dict[str, object]:
    return {"STATUS": [{"STATUS": letter, "Code": code, "Msg": msg}], "id": 1}


def test_ascset_success_and_info() -> None:
    assert check_ascset_reply(_ascset("S", 119, "ASC 0 set OK")) == "ASC 0 set OK"
    assert check_ascset_reply(_ascset("I", 118, "ASC 0 set info: workmode 2"))


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (
            _ascset("E", 120, "ASC 0 set failed: workmode is caling, please wait"),
            "calibrating",
        ),
        (_ascset("E", 120, "ASC 0 set failed: Calibrating"), "calibrating"),
        (_ascset("I", 118, "ASC 0 set info: don't permit switch mode"), "calibrating"),
        (
            _ascset(
                "E",
                120,
                "ASC 0 set failed: error:1 not support set workmode max_mode[2]",
            ),
            "unsupported_mode",
        ),
        (_ascset("E", 120, "ASC 0 set failed: something else"), "refused"),
    ],
)
def test_ascset_refusals(reply: dict[str, object], reason: str) -> None:
    with pytest.raises(MinerRefusedError) as info:
        check_ascset_reply(reply)
    assert info.value.reason == reason


def test_ascset_unknown_command() -> None:
    with pytest.raises(MinerUnsupportedError):
        check_ascset_reply(_ascset("E", 14, "Invalid command"))


def test_nano3_mm_has_no_workmode() -> None:
    assert "WORKMODE" not in parse_mm_string(NANO3_MM)


# Fixtures move two conditions together: every Nano 3 reports WORKLEVEL and no
# wall power, every Nano 3S WORKMODE and PS[6] watts. Decoupled, each reading
# must follow its own evidence (devices.md §7: a newer Nano 3 firmware may use
# workmode).


def test_nano3_with_workmode_still_has_no_measured_power() -> None:
    mm = NANO3_MM.replace("WORKLEVEL[1]", "WORKMODE[2]")
    state = parse_avalon(d(NANO3_VERSION), None, d(estats_reply(mm, "AVANANO0")), None)
    assert state.mode_command == "workmode"
    assert state.snapshot.mode == "high"
    assert state.snapshot.model == "Avalon Nano 3"
    assert state.snapshot.power_watts is None
    assert state.snapshot.extras["power_source"] == "not_reported"


def test_nano3s_with_worklevel_keeps_its_wall_power() -> None:
    mm = NANO3S_MM.replace("WORKMODE[2]", "WORKLEVEL[0]")
    assert "WORKMODE" not in parse_mm_string(mm)
    state = parse_avalon(d(NANO3S_VERSION), None, d(estats_reply(mm)), None)
    assert state.mode_command == "worklevel"
    assert state.snapshot.mode == "low"
    assert state.snapshot.model == "Avalon Nano 3S"
    assert state.snapshot.power_watts == 133.0
    assert state.snapshot.extras["power_source"] == "ps6"
