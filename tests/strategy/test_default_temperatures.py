"""The default bands never run a miner over the default temperature alert.

Measured: the default BTC band ran Bitaxes at ``oc``, which fired our own
high-temperature alert (73 °C, limit 70 °C) within a minute. Each default
band's mode is applied to every simulated board (the simulators' temperature
model per mode) and compared with the default limit of its family.
"""

from __future__ import annotations

import random

import pytest

from custom_components.home_miner_manager.alerts.config import (
    AlertType,
    default_settings,
)
from custom_components.home_miner_manager.devices.modes import fallback_table
from custom_components.home_miner_manager.devices.types import (
    AVALON_MODES,
    MinerType,
)
from custom_components.home_miner_manager.strategy.bands import default_bands
from hmm_sim.avalon_device import AvalonDevice
from hmm_sim.avalon_profiles import PROFILES as AVALON_PROFILES
from hmm_sim.axeos_device import AxeOSDevice
from hmm_sim.axeos_profiles import PROFILES as AXEOS_PROFILES

LIMITS = default_settings(AlertType.HIGH_TEMPERATURE)


def _axeos_temperature(profile_name: str, mode: str) -> float:
    profile = AXEOS_PROFILES[profile_name]
    table = fallback_table(
        profile.asic_model, profile.device_model, profile.board_version
    )
    assert table is not None
    device = AxeOSDevice(profile, random.Random(0))
    setting = table.settings[mode]
    device.frequency = setting.frequency
    device.core_voltage = setting.core_voltage
    return device.temperature


def _avalon_temperature(profile_name: str, mode: str) -> float:
    device = AvalonDevice(AVALON_PROFILES[profile_name], random.Random(0), "x")
    device.mode = AVALON_MODES.index(mode)
    return float(device.chip_temp)


@pytest.mark.parametrize("profile_name", sorted(AXEOS_PROFILES))
def test_axeos_default_modes_stay_under_the_limit(profile_name: str) -> None:
    profile = AXEOS_PROFILES[profile_name]
    family = MinerType.NERDQAXE if profile.nerdqaxe else MinerType.BITAXE
    limit = LIMITS.temperature_limit(family)
    for band in default_bands():
        mode = band.mode_for(family)
        assert mode is not None
        temperature = _axeos_temperature(profile_name, mode)
        assert temperature <= limit, (band.target_coin, mode, temperature, limit)


@pytest.mark.parametrize("profile_name", sorted(AVALON_PROFILES))
def test_avalon_default_modes_stay_under_the_limit(profile_name: str) -> None:
    limit = LIMITS.temperature_limit(MinerType.AVALON_NANO)
    for band in default_bands():
        mode = band.mode_for(MinerType.AVALON_NANO)
        assert mode is not None
        temperature = _avalon_temperature(profile_name, mode)
        assert temperature <= limit, (band.target_coin, mode, temperature, limit)


def test_the_measured_case_would_fire() -> None:
    """Upstream's ``oc`` on a Gamma: 73 °C, over the 70 °C Bitaxe limit."""
    assert _axeos_temperature("bitaxe_v2_15", "oc") > LIMITS.temperature_limit(
        MinerType.BITAXE
    )
