"""AxeOS / NerdQAxe ``/api/system/info`` normalization, firmware by firmware."""

from __future__ import annotations

import json

import pytest

from custom_components.home_miner_manager.devices.axeos_info import (
    firmware_has_pool_list,
    parse_axeos_body,
    parse_axeos_info,
    primary_pool_index,
)
from custom_components.home_miner_manager.devices.exceptions import MinerResponseError
from custom_components.home_miner_manager.devices.factory import classify_axeos_info
from custom_components.home_miner_manager.devices.modes import (
    fallback_table,
    table_from_asic_info,
)
from custom_components.home_miner_manager.devices.types import MinerType

from .parse_fixtures import (
    BITAXE_ASIC_GAMMA,
    BITAXE_V29,
    BITAXE_V215,
    NERDAXE_OLD,
    NERDQAXE_PP,
    NERDQAXE_PP_ASIC,
    NMMINER_HTTP,
    as_bytes,
)


def test_bitaxe_v29_string_difficulties() -> None:
    snap = parse_axeos_body(
        as_bytes(BITAXE_V29), MinerType.BITAXE, table_from_asic_info(BITAXE_ASIC_GAMMA)
    )
    assert snap.miner_type == "bitaxe"
    assert snap.model == "Bitaxe Gamma"
    assert snap.hashrate == 1098.6
    assert snap.hashrate_unit == "GH/s"
    assert snap.hashrate_ghs == 1098.6
    assert snap.best_difficulty == pytest.approx(4.29e9)
    assert snap.session_best_difficulty == pytest.approx(36.07e6)
    assert snap.temperature == 57.9
    assert snap.power_watts == 17.42
    assert (snap.shares_accepted, snap.shares_rejected) == (15432, 21)
    assert snap.pool_in_use == "public-pool.io:21496"
    assert snap.uptime_seconds == 262144
    assert snap.firmware_version == "v2.9.0"
    assert snap.mac == "2C:54:91:88:C9:E3"
    assert snap.identity == "mac:2c:54:91:88:c9:e3"
    assert snap.hostname == "bitaxe"
    assert snap.asic_model == "BM1370"
    assert snap.mode == "standard"
    assert snap.extras["frequency_mhz"] == 525
    assert snap.extras["core_voltage_mv"] == 1150
    assert snap.extras["fan_percent"] == 58
    assert snap.extras["vr_temp"] == 49.0
    assert snap.extras["pool_difficulty"] == 4096
    assert snap.extras["wifi_rssi"] == -58
    assert snap.extras["input_voltage_mv"] == 5125.0
    assert "temp2" not in snap.extras
    # JSON-serializable and free of the Wi-Fi name/credentials.
    text = json.dumps(dict(snap.extras))
    assert "HomeWiFi" not in text


def test_bitaxe_v215_numbers_and_missing_sensor() -> None:
    snap = parse_axeos_info(BITAXE_V215, MinerType.BITAXE, fallback_table("BM1370"))
    assert snap.best_difficulty == 4291826174.0
    assert snap.session_best_difficulty == 36071194.0
    assert "temp2" not in snap.extras  # temp2 == -1 → no second sensor
    assert snap.extras["network_difficulty"] == 126271255279307.0
    assert snap.extras["hashrate_1m_ghs"] == 1102.3
    assert snap.extras["mining_paused"] is False
    assert snap.extras["ip"] == "192.168.1.57"
    assert firmware_has_pool_list(BITAXE_V215)
    assert not firmware_has_pool_list(BITAXE_V29)
    assert firmware_has_pool_list({"version": "v2.15.1"})
    assert not firmware_has_pool_list({"version": "v1.0.37.1"})
    assert not firmware_has_pool_list({"version": "garbage"})
    assert primary_pool_index({**BITAXE_V215, "primaryPoolIndex": 1}) == 1
    assert primary_pool_index({"primaryPoolIndex": 99}) == 0


def test_bitaxe_v28_stratum_diff() -> None:
    old = {
        **{k: v for k, v in BITAXE_V29.items() if k != "poolDifficulty"},
        "stratumDiff": 2048,
        "version": "v2.8.1",
    }
    snap = parse_axeos_info(old, MinerType.BITAXE)
    assert snap.extras["pool_difficulty"] == 2048
    assert snap.mode is None  # no table given


def test_bitaxe_fallback_pool_in_use() -> None:
    snap = parse_axeos_info(
        {**BITAXE_V29, "isUsingFallbackStratum": 1}, MinerType.BITAXE
    )
    assert snap.pool_in_use == "solo.ckpool.org:3333"
    assert snap.extras["using_fallback_pool"] is True


def test_bitaxe_second_sensor_and_uninitialised_asic() -> None:
    snap = parse_axeos_info(
        {**BITAXE_V215, "temp2": 55.5, "temp": -1}, MinerType.BITAXE
    )
    assert snap.extras["temp2"] == 55.5
    assert snap.temperature is None


@pytest.mark.parametrize(
    ("board", "asic", "model"),
    [
        # ESP-Miner's board table (device_config.h default_configs[]).
        ("2.2", "BM1397", "Bitaxe Max"),
        ("102", "BM1397", "Bitaxe Max"),
        ("0.11", "BM1366", "Bitaxe Ultra"),  # was "Bitaxe Max": leading "0"
        ("0.11", None, "Bitaxe Ultra"),
        ("201", "BM1366", "Bitaxe Ultra"),
        ("204", "BM1366", "Bitaxe Ultra"),
        ("205", "BM1366", "Bitaxe Ultra"),
        ("207", "BM1366", "Bitaxe Ultra"),
        ("302", "BM1366", "Bitaxe Hex"),
        ("303", "BM1366", "Bitaxe Hex"),
        ("400", "BM1368", "Bitaxe Supra"),
        ("401", "BM1368", "Bitaxe Supra"),
        ("403", "BM1368", "Bitaxe Supra"),
        ("600", "BM1370", "Bitaxe Gamma"),
        ("601", "BM1370", "Bitaxe Gamma"),
        ("602", "BM1370", "Bitaxe Gamma"),
        ("603", "BM1370", "Bitaxe Gamma"),
        ("650", "BM1370", "Bitaxe GammaDuo"),
        ("701", "BM1368", "Bitaxe SupraHex"),
        ("702", "BM1368", "Bitaxe SupraHex"),
        ("801", "BM1370", "Bitaxe GammaTurbo"),
        ("1201", "BM1372/BM1373", "Bitaxe NajaDuo"),  # was "Bitaxe Max": "1"
        ("1300", "BM1370", "Bitaxe GammaHex"),  # was "Bitaxe Max": "1"
        # Boards missing from the table: by series when the ASIC agrees ...
        ("206", "BM1366", "Bitaxe Ultra"),
        ("304", "BM1366", "Bitaxe Hex"),
        ("604", "BM1370", "Bitaxe Gamma"),
        ("651", "BM1370", "Bitaxe GammaDuo"),
        ("802", None, "Bitaxe GammaTurbo"),
        # ... else by the ASIC, which also wins over a board that disagrees
        # (earlier firmware had "0.11" and "2.2" swapped in its table).
        ("0.11", "BM1397", "Bitaxe Max"),
        ("2.2", "BM1366", "Bitaxe Ultra"),
        ("601", "BM1368", "Bitaxe Supra"),
        ("999", "BM1370", "Bitaxe Gamma"),
        ("custom", "BM1366", "Bitaxe Ultra"),
        ("", "BM1368", "Bitaxe Supra"),
        (None, "BM1397", "Bitaxe Max"),
        (None, "BM1399", "Bitaxe"),
        ("999", None, "Bitaxe"),
        (None, None, "Bitaxe"),
    ],
)
def test_bitaxe_model_from_board_table(
    board: str | None, asic: str | None, model: str
) -> None:
    info = {"boardVersion": board, "ASICModel": asic}
    assert parse_axeos_info(info, MinerType.BITAXE).model == model


def test_nerdqaxe_pp() -> None:
    snap = parse_axeos_info(
        NERDQAXE_PP, MinerType.NERDQAXE, table_from_asic_info(NERDQAXE_PP_ASIC)
    )
    assert snap.miner_type == "nerdqaxe"
    assert snap.model == "NerdQAxe++"
    assert snap.hashrate_ghs == 4812.4
    assert snap.best_difficulty == 2718281828.0
    assert snap.session_best_difficulty == 91827364.0
    assert snap.mode == "standard"
    assert snap.extras["asic_count"] == 4
    assert snap.extras["otp_enabled"] is False
    assert snap.extras["shutdown"] is False
    assert snap.extras["using_fallback_pool"] is False
    assert snap.extras["ip"] == "192.168.1.71"
    assert snap.pool_in_use == "public-pool.io:21496"


def test_nerdqaxe_fallback_via_stratum_object() -> None:
    info = {**NERDQAXE_PP, "stratum": {**NERDQAXE_PP["stratum"], "usingFallback": True}}
    snap = parse_axeos_info(info, MinerType.NERDQAXE)
    assert snap.pool_in_use == "solo.ckpool.org:3333"


def test_nerdaxe_old_string_difficulties() -> None:
    snap = parse_axeos_info(NERDAXE_OLD, MinerType.NERDQAXE)
    assert snap.model == "NerdAxeGamma"
    assert snap.best_difficulty == pytest.approx(97.6e6)
    assert snap.session_best_difficulty == pytest.approx(14.5e6)


def test_absurd_values_become_none() -> None:
    info = {
        **BITAXE_V215,
        "hashRate": -5,
        "power": float("inf"),
        "temp": 1e9,
        "bestDiff": "nan",
        "sharesAccepted": -1,
        "uptimeSeconds": "a while",
        "frequency": -525,
        "fanspeed": 400,
        "macAddr": "not a mac",
        "hostname": "",
    }
    snap = parse_axeos_info(info, MinerType.BITAXE, fallback_table("BM1370"))
    assert snap.hashrate is None
    assert snap.hashrate_unit is None
    assert snap.power_watts is None
    assert snap.temperature is None
    assert snap.best_difficulty is None
    assert snap.shares_accepted is None
    assert snap.uptime_seconds is None
    assert snap.mode is None
    assert "fan_percent" not in snap.extras
    assert snap.mac is None
    assert snap.hostname is None


def test_wrong_types_everywhere_still_parse() -> None:
    info = {key: [value] for key, value in BITAXE_V215.items()}
    snap = parse_axeos_info(info, MinerType.BITAXE)
    assert snap.hashrate is None
    assert snap.pool_in_use is None
    assert snap.extras == {}


@pytest.mark.parametrize("body", [b"<html>Bad gateway</html>", b"[]", b"", b'{"a":'])
def test_bad_bodies_raise_response_error(body: bytes) -> None:
    with pytest.raises(MinerResponseError):
        parse_axeos_body(body, MinerType.BITAXE)


def test_classify_info_objects() -> None:
    assert classify_axeos_info(BITAXE_V29) is MinerType.BITAXE
    assert classify_axeos_info(BITAXE_V215) is MinerType.BITAXE
    assert classify_axeos_info(NERDQAXE_PP) is MinerType.NERDQAXE
    assert classify_axeos_info(NERDAXE_OLD) is MinerType.NERDQAXE
    assert classify_axeos_info(NMMINER_HTTP) is MinerType.NMMINER
    assert classify_axeos_info({"hello": "world"}) is None
