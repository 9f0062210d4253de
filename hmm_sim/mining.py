"""Counters every simulated miner keeps: uptime, shares, best difficulty.

Counters advance once per status read (not with wall time) so a seeded
simulator serves the same sequence of values on every run; only uptime follows
the clock, as it does on a device.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import random


@dataclass(slots=True)
class MiningCounters:
    """Session and all-time counters of one miner."""

    rng: random.Random
    uptime_offset: float = 0.0  # uptime already elapsed when the simulator starts
    accepted: int = 0
    rejected: int = 0
    best_session: float = 0.0
    best_ever: float = 0.0
    pool_difficulty: float = 4096.0
    # A lambda, so a frozen clock (tests' freezer) is read when a device boots.
    boot_monotonic: float = field(default_factory=lambda: time.monotonic())  # noqa: PLW0108

    @property
    def uptime(self) -> int:
        """Whole seconds since boot."""
        return int(time.monotonic() - self.boot_monotonic + self.uptime_offset)

    def tick(self, hashrate_ghs: float) -> None:
        """Advance the counters as if a poll interval of mining went by."""
        # Roughly proportional to hashrate, never zero while hashing.
        rate = max(hashrate_ghs, 0.0)
        found = self.rng.randint(1, 3) + int(rate / 2000.0)
        if rate <= 0.0:
            found = 0
        self.accepted += found
        if found and self.rng.random() < 0.05:
            self.rejected += 1
        for _ in range(found):
            # Share difficulties follow pool_diff / U, a heavy tail like real shares.
            diff = self.pool_difficulty / max(self.rng.random(), 1e-9)
            self.best_session = max(self.best_session, diff)
        self.best_ever = max(self.best_ever, self.best_session)

    def reboot(self) -> None:
        """Session counters start over; all-time best is persisted (NVS)."""
        self.boot_monotonic = time.monotonic()
        self.uptime_offset = 0.0
        self.accepted = 0
        self.rejected = 0
        self.best_session = 0.0


def suffix_string(value: float) -> str:
    """Format a difficulty the way ESP-Miner <= v2.10 does (``_suffix_string``).

    ``%.2f`` plus k/M/G/T/P/E (lowercase k), a bare integer below 1000.
    """
    if value < 1000:
        return str(int(value))
    for power, suffix in (
        (18, "E"),
        (15, "P"),
        (12, "T"),
        (9, "G"),
        (6, "M"),
        (3, "k"),
    ):
        scale = 10.0**power
        if value >= scale:
            return f"{value / scale:.2f}{suffix}"
    return str(int(value))  # pragma: no cover - unreachable


def si_string(value: float, unit: str = "") -> str:
    """Format like NMMiner: two decimals and an upper-case SI suffix (``1004.31K``)."""
    for power, suffix in (
        (18, "E"),
        (15, "P"),
        (12, "T"),
        (9, "G"),
        (6, "M"),
        (3, "K"),
    ):
        scale = 10.0**power
        if value >= scale:
            return f"{value / scale:.2f}{suffix}{unit}"
    return f"{value:.4f}".rstrip("0").rstrip(".") + unit if value else "0" + unit
