"""AxeOS firmware profiles: which board, which firmware, which API quirks.

Facts from devices.md §1-§2 (ESP-Miner v2.1 ... v2.15, NerdQAxe++ v1.0.37.1).
The two oldest profiles are the MAC-less firmware (< v2.3) still on early
units, both still called "bitaxe": v2.1.8 (fan RPM as ``fanSpeedRpm``,
``fanspeed`` = the manual set-point) and v2.2 on the board "0.11", which
ESP-Miner's board table maps to the Ultra (BM1366).
"""

from __future__ import annotations

from dataclasses import dataclass

BM1370_FREQS = (400, 490, 525, 550, 600, 625)
BM1370_VOLTS = (1000, 1060, 1100, 1150, 1200, 1250)
BM1397_FREQS = (400, 425, 450, 475, 485, 500, 525, 550, 575, 600)
BM1397_VOLTS = (1100, 1150, 1200, 1250, 1300, 1350, 1400, 1450, 1500)
BM1366_FREQS = (400, 425, 450, 475, 485, 500, 525, 550, 575)
BM1366_VOLTS = (1100, 1150, 1200, 1250, 1300)
BM1368_FREQS = (400, 425, 450, 475, 485, 490, 500, 525, 550, 575)
BM1368_VOLTS = (1100, 1150, 1166, 1200, 1250, 1300)
NQPP_FREQS = (500, 515, 525, 550, 575, 590, 600)
NQPP_VOLTS = tuple(range(1120, 1201, 10))


@dataclass(frozen=True, slots=True)
class AxeOSProfile:
    """One board on one firmware version."""

    name: str
    firmware: str  # "version" in /api/system/info
    release: tuple[int, int]  # ESP-Miner (major, minor); NerdQAxe: its own numbering
    nerdqaxe: bool
    board_version: str
    asic_model: str
    device_model: str
    asic_count: int
    small_core_count: int
    default_frequency: int
    default_voltage: int
    frequency_options: tuple[int, ...]
    voltage_options: tuple[int, ...]
    input_mv: float  # input voltage in mV
    max_power: int
    power_at_default: float  # W at default frequency/voltage
    temp_at_default: float  # °C at default frequency/voltage
    hostname: str
    mac: str
    swarm_color: str = "green"

    # Behaviour that follows from the firmware version (devices.md §1.2-§1.5).
    @property
    def version(self) -> tuple[int, ...]:
        """The firmware as numbers: "v2.1.8" → (2, 1, 8)."""
        parts = self.firmware.lstrip("v").split(".")
        return tuple(int(part) for part in parts if part.isdigit())

    @property
    def has_mac(self) -> bool:
        """``macAddr`` is published from v2.3.0."""
        return self.nerdqaxe or self.release >= (2, 3)

    @property
    def has_hostname(self) -> bool:
        """``hostname`` (and ``bestSessionDiff``) from v2.1.8."""
        return self.nerdqaxe or self.version >= (2, 1, 8)

    @property
    def fan_rpm_key(self) -> str:
        """RPM key: ``fanSpeed`` (≤ v2.1.3), ``fanSpeedRpm`` (v2.1.8), ``fanrpm``."""
        if self.nerdqaxe or self.version >= (2, 1, 10):
            return "fanrpm"
        return "fanSpeedRpm" if self.version >= (2, 1, 4) else "fanSpeed"

    @property
    def string_difficulties(self) -> bool:
        """bestDiff is a suffixed string up to v2.10 (NerdQAxe: up to v1.0.34)."""
        return not self.nerdqaxe and self.release < (2, 11)

    @property
    def pool_difficulty_key(self) -> str:
        """``stratumDiff`` (v2.4.2-v2.8) was renamed ``poolDifficulty`` in v2.9."""
        return (
            "stratumDiff"
            if not self.nerdqaxe and self.release < (2, 9)
            else "poolDifficulty"
        )

    @property
    def has_asic_endpoint(self) -> bool:
        """GET /api/system/asic exists from v2.7 (NerdQAxe: v1.0.32)."""
        return self.nerdqaxe or self.release >= (2, 7)

    @property
    def full_asic_endpoint(self) -> bool:
        """deviceModel, asicCount, defaults in /api/system/asic from v2.9."""
        return self.nerdqaxe or self.release >= (2, 9)

    @property
    def strict_patch(self) -> bool:
        """v2.11+ validates every known key and answers 400 ``Wrong API input``."""
        return not self.nerdqaxe and self.release >= (2, 11)

    @property
    def multi_pool(self) -> bool:
        """v2.15: ``pools`` array; flat pool keys ignored on PATCH."""
        return not self.nerdqaxe and self.release >= (2, 15)

    @property
    def json_restart_reply(self) -> bool:
        """Restart replies JSON from v2.13, plain text before (and on NerdQAxe)."""
        return not self.nerdqaxe and self.release >= (2, 13)

    @property
    def api_catch_all(self) -> bool:
        """v2.9+ answers unknown /api paths with 404 ``{"error":"unknown route"}``."""
        return self.nerdqaxe or self.release >= (2, 9)

    @property
    def fan_key(self) -> str:
        """Manual fan key: ``fanspeed`` up to v2.10, ``manualFanSpeed`` from v2.11."""
        return (
            "manualFanSpeed" if self.nerdqaxe or self.release >= (2, 11) else "fanspeed"
        )

    @property
    def live_pool_change(self) -> bool:
        """NerdQAxe applies everything live; ESP-Miner needs a restart for pools."""
        return self.nerdqaxe


def _gamma(
    name: str, firmware: str, release: tuple[int, int], mac: str
) -> AxeOSProfile:
    return AxeOSProfile(
        name=name,
        firmware=firmware,
        release=release,
        nerdqaxe=False,
        board_version="601",
        asic_model="BM1370",
        device_model="Gamma",
        asic_count=1,
        small_core_count=2040,
        default_frequency=525,
        default_voltage=1150,
        frequency_options=BM1370_FREQS,
        voltage_options=BM1370_VOLTS,
        input_mv=5125.0,
        max_power=40,
        power_at_default=17.42,
        temp_at_default=57.9,
        hostname="bitaxe",
        mac=mac,
    )


def _supra(
    name: str, firmware: str, release: tuple[int, int], mac: str
) -> AxeOSProfile:
    return AxeOSProfile(
        name=name,
        firmware=firmware,
        release=release,
        nerdqaxe=False,
        board_version="401",
        asic_model="BM1368",
        device_model="Supra",
        asic_count=1,
        small_core_count=1276,
        default_frequency=490,
        default_voltage=1166,
        frequency_options=BM1368_FREQS,
        voltage_options=BM1368_VOLTS,
        input_mv=5080.0,
        max_power=40,
        power_at_default=13.1,
        temp_at_default=55.2,
        hostname="bitaxe-supra",
        mac=mac,
        swarm_color="blue",
    )


def _ultra_011(name: str, firmware: str, release: tuple[int, int]) -> AxeOSProfile:
    return AxeOSProfile(
        name=name,
        firmware=firmware,
        release=release,
        nerdqaxe=False,
        board_version="0.11",
        asic_model="BM1366",
        device_model="Ultra",
        asic_count=1,
        small_core_count=894,
        default_frequency=485,
        default_voltage=1200,
        frequency_options=BM1366_FREQS,
        voltage_options=BM1366_VOLTS,
        input_mv=5090.0,
        max_power=25,
        power_at_default=11.6,
        temp_at_default=54.1,
        hostname="bitaxe",  # the factory default, as on most such units
        mac="",  # not published before v2.3
        swarm_color="purple",
    )


def _max_102(name: str, firmware: str, release: tuple[int, int]) -> AxeOSProfile:
    return AxeOSProfile(
        name=name,
        firmware=firmware,
        release=release,
        nerdqaxe=False,
        board_version="102",
        asic_model="BM1397",
        device_model="Max",
        asic_count=1,
        small_core_count=672,
        default_frequency=425,
        default_voltage=1400,
        frequency_options=BM1397_FREQS,
        voltage_options=BM1397_VOLTS,
        input_mv=5060.0,
        max_power=25,
        power_at_default=12.4,
        temp_at_default=58.3,
        hostname="bitaxe",
        mac="",
        swarm_color="red",
    )


PROFILES: dict[str, AxeOSProfile] = {
    p.name: p
    for p in (
        # v2.1.8: no MAC, no fallback pool, fan RPM as "fanSpeedRpm".
        _max_102("bitaxe_v2_1", "v2.1.8", (2, 1)),
        # v2.2: hostname (factory "bitaxe") but still no MAC; board "0.11" = Ultra.
        _ultra_011("bitaxe_v2_2", "v2.2.2", (2, 2)),
        # v2.6: no /api/system/asic yet (added in v2.7), stratumDiff, string diffs.
        _supra("bitaxe_v2_6", "v2.6.5", (2, 6), "2C:54:91:88:A0:01"),
        # v2.8: reduced /api/system/asic (ASICModel + option lists only), stratumDiff.
        _supra("bitaxe_v2_8", "v2.8.1", (2, 8), "2C:54:91:88:A0:02"),
        _gamma("bitaxe_v2_9", "v2.9.0", (2, 9), "2C:54:91:88:C9:E3"),
        # v2.12: numeric diffs, strict PATCH validation, flat pool keys still work.
        _gamma("bitaxe_v2_12", "v2.12.2", (2, 12), "2C:54:91:88:C9:E4"),
        _gamma("bitaxe_v2_15", "v2.15.0", (2, 15), "2C:54:91:88:C9:E5"),
        AxeOSProfile(
            name="nerdqaxe_pp",
            firmware="v1.0.37.1",
            release=(1, 37),
            nerdqaxe=True,
            board_version="",
            asic_model="BM1370",
            device_model="NerdQAxe++",
            asic_count=4,
            small_core_count=2040,
            default_frequency=600,
            default_voltage=1150,
            frequency_options=NQPP_FREQS,
            voltage_options=NQPP_VOLTS,
            input_mv=12050.0,
            max_power=100,
            power_at_default=75.8,
            temp_at_default=61.5,
            hostname="nerdqaxe",
            mac="B4:3A:45:A2:3E:44",
            swarm_color="#e700d8",
        ),
    )
}
BITAXE_PROFILES = tuple(name for name, p in PROFILES.items() if not p.nerdqaxe)
NERDQAXE_PROFILES = tuple(name for name, p in PROFILES.items() if p.nerdqaxe)
