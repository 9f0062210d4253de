"""Simulated home miners for tests, benchmarks and a development instance.

Not part of the integration (HACS ships only ``custom_components``). Every
simulator is a real server on 127.0.0.1 speaking the device's protocol for one
firmware profile; see devices.md for the facts they follow.
"""

from __future__ import annotations

from .avalon_device import PROFILES as AVALON_PROFILES, nano3_password_token
from .axeos import AxeOSSimulator
from .axeos_profiles import (
    BITAXE_PROFILES,
    NERDQAXE_PROFILES,
    PROFILES as AXEOS_PROFILES,
)
from .base import Simulator
from .cgminer import CgminerSimulator
from .faults import Fault
from .fleet import DeviceSpec, Fleet, fleet_spec
from .nmminer import NMMinerSimulator, UdpBroadcaster

AvalonSimulator = CgminerSimulator

__all__ = [
    "AVALON_PROFILES",
    "AXEOS_PROFILES",
    "BITAXE_PROFILES",
    "NERDQAXE_PROFILES",
    "AvalonSimulator",
    "AxeOSSimulator",
    "CgminerSimulator",
    "DeviceSpec",
    "Fault",
    "Fleet",
    "NMMinerSimulator",
    "Simulator",
    "UdpBroadcaster",
    "fleet_spec",
    "nano3_password_token",
]
