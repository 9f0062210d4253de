"""The normalized view of one poll, shared by every driver."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping


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
        """Return a stable device identity: MAC, else serial, else hostname."""
        if self.mac:
            return f"mac:{self.mac.lower()}"
        if self.serial:
            return f"serial:{self.serial}"
        if self.hostname:
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
