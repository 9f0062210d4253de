"""AxeOS before v2.3: fan RPM under old keys, no MAC, factory hostnames.

Payloads in :mod:`.parse_fixtures` follow ESP-Miner's ``GET_system_info()`` of
each release (v2.0.x, v2.1.3, v2.1.8, v2.2).
"""

from __future__ import annotations

import json

import pytest

from custom_components.home_miner_manager.devices.axeos_info import parse_axeos_info
from custom_components.home_miner_manager.devices.factory import classify_axeos_info
from custom_components.home_miner_manager.devices.modes import fallback_table
from custom_components.home_miner_manager.devices.snapshot import (
    MinerSnapshot,
    is_factory_hostname,
)
from custom_components.home_miner_manager.devices.types import MinerType

from .parse_fixtures import (
    BITAXE_V20_MAX,
    BITAXE_V22_ULTRA,
    BITAXE_V29,
    BITAXE_V213_ULTRA,
    BITAXE_V218_ULTRA,
    NERDQAXE_PP,
)


def test_v20_fan_speed_is_rpm_not_percent() -> None:
    snap = parse_axeos_info(BITAXE_V20_MAX, MinerType.BITAXE, fallback_table("BM1397"))
    assert snap.extras["fan_rpm"] == 4431
    assert "fan_percent" not in snap.extras  # v2.0 publishes no percentage
    assert snap.model == "Bitaxe Max"  # no boardVersion yet: from the ASIC
    assert snap.best_difficulty == pytest.approx(1.21e6)
    assert snap.mode == "standard"
    assert snap.mac is None
    assert snap.hostname is None
    assert snap.identity is None
    # v2.0 returned the Wi-Fi password in clear text: it goes nowhere.
    assert "wifi-secret-42" not in repr(snap)
    assert "wifi-secret-42" not in json.dumps(dict(snap.extras))


def test_v213_fan_rpm_and_manual_set_point() -> None:
    """``fanSpeed`` is the RPM; ``fanspeed`` the stored manual set-point."""
    snap = parse_axeos_info(BITAXE_V213_ULTRA, MinerType.BITAXE)
    assert snap.model == "Bitaxe Ultra"  # board "0.11" + BM1366
    assert snap.extras["fan_rpm"] == 3720
    # autofanspeed 1: the fan is not at the 100 % set-point; no percentage.
    assert "fan_percent" not in snap.extras
    manual = parse_axeos_info(
        {**BITAXE_V213_ULTRA, "autofanspeed": 0, "fanspeed": 65}, MinerType.BITAXE
    )
    assert manual.extras["fan_percent"] == 65
    assert manual.extras["fan_rpm"] == 3720


def test_v218_fan_speed_rpm() -> None:
    snap = parse_axeos_info(BITAXE_V218_ULTRA, MinerType.BITAXE)
    assert snap.extras["fan_rpm"] == 3810
    assert "fan_percent" not in snap.extras
    assert snap.model == "Bitaxe Ultra"
    assert snap.session_best_difficulty == pytest.approx(212.4e3)
    assert snap.hostname == "bitaxe"
    assert snap.identity is None  # no MAC, factory hostname


def test_v22_fanrpm_and_current_percent() -> None:
    snap = parse_axeos_info(
        BITAXE_V22_ULTRA, MinerType.BITAXE, fallback_table("BM1366")
    )
    assert snap.extras["fan_rpm"] == 3790
    assert snap.extras["fan_percent"] == 47  # v2.1.10+: the current %
    assert snap.extras["vr_temp"] == 45.2
    assert snap.extras["board_version"] == "0.11"
    assert snap.model == "Bitaxe Ultra"  # was "Bitaxe Max"
    assert snap.mode == "standard"
    assert snap.identity is None
    assert classify_axeos_info(BITAXE_V22_ULTRA) is MinerType.BITAXE


def test_newest_rpm_key_wins_and_zero_rpm_is_kept() -> None:
    both = {**BITAXE_V22_ULTRA, "fanSpeedRpm": 1, "fanSpeed": 2}
    assert parse_axeos_info(both, MinerType.BITAXE).extras["fan_rpm"] == 3790
    stalled = {**BITAXE_V22_ULTRA, "fanrpm": 0}
    assert parse_axeos_info(stalled, MinerType.BITAXE).extras["fan_rpm"] == 0
    broken = {**BITAXE_V22_ULTRA, "fanrpm": -5}
    assert "fan_rpm" not in parse_axeos_info(broken, MinerType.BITAXE).extras


@pytest.mark.parametrize("fixture", [BITAXE_V29, NERDQAXE_PP])
def test_current_firmware_fan_unchanged(fixture: dict[str, object]) -> None:
    snap = parse_axeos_info(fixture, MinerType.BITAXE)
    assert snap.extras["fan_rpm"] == fixture["fanrpm"]
    assert snap.extras["fan_percent"] == fixture["fanspeed"]


# -- identity -----------------------------------------------------------------


def test_two_macless_units_with_the_factory_hostname_do_not_collide() -> None:
    """Before: both were "host:bitaxe" and the second was "already configured"."""
    first = parse_axeos_info(BITAXE_V22_ULTRA, MinerType.BITAXE)
    second = parse_axeos_info(
        {**BITAXE_V22_ULTRA, "hashRate": 400.0, "uptimeSeconds": 12}, MinerType.BITAXE
    )
    assert first.identity is None
    assert second.identity is None


@pytest.mark.parametrize(
    "hostname",
    [
        "bitaxe",
        "Bitaxe",
        "BITAXE",
        " bitaxe ",
        "nerdqaxe",
        "NerdQAxe",
        "NerdQAxe++",
        "nerdqaxe-plus",
        "nerdaxe",
        "NerdAxeGamma",
        "nerdoctaxe",
        "esp32",
        "ESP32-S3",
        "esp32c3",
        "espressif",
        "esp-miner",
        "NMMiner",
        "localhost",
        "-",
        "",
    ],
)
def test_factory_hostnames_are_no_identity(hostname: str) -> None:
    assert is_factory_hostname(hostname)
    snap = MinerSnapshot(miner_type="bitaxe", hostname=hostname)
    assert snap.identity is None


@pytest.mark.parametrize(
    ("hostname", "identity"),
    [
        ("bitaxe-garage", "host:bitaxe-garage"),
        ("Office-Gamma", "host:office-gamma"),
        ("esp32-a1b2c3", "host:esp32-a1b2c3"),  # MAC-derived default: unique
        ("nm-cyd-a1b2c3", "host:nm-cyd-a1b2c3"),
    ],
)
def test_given_hostnames_stay_an_identity(hostname: str, identity: str) -> None:
    assert not is_factory_hostname(hostname)
    assert MinerSnapshot(miner_type="bitaxe", hostname=hostname).identity == identity


def test_identity_rule_mac_then_serial_then_hostname() -> None:
    full = MinerSnapshot(
        miner_type="avalon_nano",
        mac="E0:E1:A9:3F:30:53",
        serial="020100003cbe4d15",
        hostname="garage",
    )
    assert full.identity == "mac:e0:e1:a9:3f:30:53"
    no_mac = MinerSnapshot(
        miner_type="avalon_nano", serial="020100003cbe4d15", hostname="garage"
    )
    assert no_mac.identity == "serial:020100003cbe4d15"
    assert MinerSnapshot(miner_type="bitaxe", hostname="garage").identity == (
        "host:garage"
    )
    # The MAC wins even over a factory hostname (every AxeOS from v2.3).
    v29 = parse_axeos_info(BITAXE_V29, MinerType.BITAXE)
    assert v29.hostname == "bitaxe"
    assert v29.identity == "mac:2c:54:91:88:c9:e3"
    assert MinerSnapshot(miner_type="bitaxe").identity is None
