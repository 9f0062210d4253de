"""The normalized view of one poll, shared by every driver."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

# Hostnames firmware ships with, lower case without punctuation (so "NerdQAxe++",
# "nerdqaxe-plus" and "ESP32-S3" match): ESP-Miner "bitaxe", the NerdAxe /
# NerdQAxe forks, ESP-IDF and Arduino defaults, NMMiner and generic names.
# A MAC-derived default such as "esp32-a1b2c3" or "nm-cyd-a1b2c3" is unique per
# unit and stays an identity.
FACTORY_HOSTNAMES: Final = frozenset(
    {
        "bitaxe",
        "espminer",
        "nerdaxe",
        "nerdaxegamma",
        "nerdqaxe",
        "nerdqaxeplus",
        "nerdqaxeplusplus",
        "nerdoctaxe",
        "nerdoctaxegamma",
        "qaxe",
        "qaxeplus",
        "luckyminer",
        "nmminer",
        "nerdminer",
        "espressif",
        "esp32",
        "esp32s2",
        "esp32s3",
        "esp32c3",
        "esp32c6",
        "esp",
        "localhost",
        "miner",
        "avalon",
        "avalonnano",
    }
)


def is_factory_hostname(hostname: str) -> bool:
    """Tell whether ``hostname`` is a firmware default shared by many units."""
    key = "".join(char for char in hostname.lower() if char.isalnum())
    return not key or key in FACTORY_HOSTNAMES


@dataclass(frozen=True, slots=True, kw_only=True)
class MinerSnapshot:
    """What a miner reported in one poll.

    Fields a device does not report are ``None`` (never 0). ``hashrate`` and
    ``hashrate_unit`` are as the device reports them (what Telemetry stores);
    ``hashrate_ghs`` is the same value converted to GH/s.
    """

    miner_type: str
    model: str | None = None
    hashrate: float | None = None
    hashrate_unit: str | None = None
    hashrate_ghs: float | None = None
    temperature: float | None = None
    power_watts: float | None = None
    shares_accepted: int | None = None
    shares_rejected: int | None = None
    pool_in_use: str | None = None
    best_difficulty: float | None = None
    session_best_difficulty: float | None = None
    uptime_seconds: int | None = None
    firmware_version: str | None = None
    mode: str | None = None
    asic_model: str | None = None
    mac: str | None = None
    hostname: str | None = None
    serial: str | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)

    @property
    def identity(self) -> str | None:
        """Return what tells this unit from every other one, or None.

        The rule: the MAC, else the serial (Avalon DNA), else a hostname the
        user gave the device, else None. A factory hostname ("bitaxe",
        "nerdqaxe", "esp32" ...; see :func:`is_factory_hostname`) is shared by
        every unit that was never renamed: AxeOS before v2.3 reports no MAC,
        and identifying two such miners by "host:bitaxe" refused the second
        one as already configured. With None the caller uses the config
        subentry id, which cannot collide.
        """
        if self.mac:
            return f"mac:{self.mac.lower()}"
        if self.serial:
            return f"serial:{self.serial}"
        if self.hostname and not is_factory_hostname(self.hostname):
            return f"host:{self.hostname.lower()}"
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class PoolTarget:
    """Where to point a miner: stratum host (no scheme), port and credentials."""

    url: str
    port: int
    user: str
    password: str = "x"  # noqa: S105 (stratum's conventional "no password")

    def __repr__(self) -> str:
        """Keep the password out of logs and tracebacks."""
        return f"PoolTarget(url={self.url!r}, port={self.port}, user={self.user!r})"
