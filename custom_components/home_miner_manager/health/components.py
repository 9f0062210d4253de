"""The temperature, hashrate-stability and reject-rate sub-scores (0-100 each).

The piecewise mappings are upstream HMM's (``core/health.py``), kept so that
scores stay comparable with an upstream database.
"""

from __future__ import annotations

from dataclasses import dataclass
import math
import statistics
from typing import TYPE_CHECKING

from ..devices.types import MinerType
from .samples import is_number

if TYPE_CHECKING:
    from collections.abc import Sequence


@dataclass(frozen=True, slots=True)
class TemperatureCurve:
    """Average temperature → score, as (start °C, score at start, slope/°C) pieces.

    Below the first piece's start the score is 100. ``spike_limit``: if the
    hottest sample exceeds it the score is multiplied by ``SPIKE_PENALTY``.
    """

    pieces: tuple[tuple[float, float, float], ...]
    spike_limit: float

    def score(self, average: float, maximum: float) -> float:
        """Score an average temperature, penalised for a spike above the limit."""
        value = 100.0
        for start, at_start, slope in self.pieces:
            if average >= start:
                value = at_start - slope * (average - start)
        if maximum > self.spike_limit:
            value *= SPIKE_PENALTY
        return clamp(value)


SPIKE_PENALTY = 0.8
# Upstream's table. The Avalon and ASIC curves drop by 20 at their last
# boundary (60 → 40): past that point the chip is throttling.
AVALON_CURVE = TemperatureCurve(
    ((70, 100, 1.0), (80, 90, 1.5), (90, 75, 3.0), (95, 40, 2.0)), 100
)
BITAXE_CURVE = TemperatureCurve(((55, 100, 1.5), (65, 85, 5.0), (70, 40, 2.0)), 75)
NERDQAXE_CURVE = TemperatureCurve(((60, 100, 1.5), (70, 85, 5.0), (75, 40, 2.0)), 80)
GENERIC_CURVE = TemperatureCurve(((60, 100, 2.0), (70, 80, 2.0), (80, 40, 1.0)), 85)

TEMPERATURE_CURVES: dict[str, TemperatureCurve] = {
    MinerType.AVALON_NANO: AVALON_CURVE,
    MinerType.BITAXE: BITAXE_CURVE,
    MinerType.NERDQAXE: NERDQAXE_CURVE,
}


def clamp(value: float, low: float = 0.0, high: float = 100.0) -> float:
    """Keep a score inside [low, high]."""
    return max(low, min(high, value))


def mean(values: Sequence[float]) -> float:
    """Mean of finite values that cannot overflow, however large they are.

    ``statistics.fmean`` sums first and raises OverflowError for readings near
    the float limit, which a garbled device reply can produce.
    """
    count = len(values)
    return math.fsum(v / count for v in values)


def curve_for(miner_type: str) -> TemperatureCurve:
    """Return the temperature curve of a miner type (NMMiner, unknown: generic)."""
    return TEMPERATURE_CURVES.get(str(miner_type), GENERIC_CURVE)


def temperature_score(
    temperatures: Sequence[float], miner_type: str
) -> tuple[float | None, dict[str, float | bool]]:
    """Score finite positive temperatures; (None, {}) when there are none.

    0 °C is what sensor-less NMMiner boards report, so it counts as no data.
    """
    temps = [t for t in temperatures if is_number(t) and t > 0]
    if not temps:
        return None, {}
    curve = curve_for(miner_type)
    average, maximum = mean(temps), max(temps)
    return curve.score(average, maximum), {
        "avg_temperature": round(average, 2),
        "max_temperature": round(maximum, 2),
        "spike": maximum > curve.spike_limit,
    }


def cv_to_score(cv_percent: float) -> float:
    """Coefficient of variation (%) → stability score."""
    if cv_percent < 5:
        return 100.0
    if cv_percent < 10:
        return 100.0 - 4.0 * (cv_percent - 5)
    if cv_percent <= 20:
        return 80.0 - 2.0 * (cv_percent - 10)
    return max(60.0 - (cv_percent - 20), 20.0)


MIN_STABILITY_SAMPLES = 5
NEUTRAL_SCORE = 50.0


def stability_score(
    hashrates: Sequence[tuple[float | None, str | None]],
) -> tuple[float, dict[str, float | int | None]]:
    """Score hashrate stability from (hashrate, mode) pairs.

    Only positive hashrates count (0 is "not hashing", an uptime matter).
    Each value is divided by its mode's mean, and the CV is taken over those
    ratios: within one mode this is the plain CV, and a strategy switching
    modes is not mistaken for instability. Fewer than 5 values → 50.
    """
    by_mode: dict[str | None, list[float]] = {}
    for rate, mode in hashrates:
        if rate is not None and is_number(rate) and rate > 0:
            by_mode.setdefault(mode, []).append(rate)
    count = sum(len(values) for values in by_mode.values())
    if count < MIN_STABILITY_SAMPLES:
        return NEUTRAL_SCORE, {"hashrate_samples": count, "cv_percent": None}
    ratios: list[float] = []
    for values in by_mode.values():
        average = mean(values)
        ratios.extend(v / average for v in values)
    cv = statistics.pstdev(ratios) * 100.0
    return clamp(cv_to_score(cv)), {
        "hashrate_samples": count,
        "cv_percent": round(cv, 3),
        "modes": len(by_mode),
    }


def reject_to_score(reject_percent: float) -> float:
    """Reject rate (%) → score."""
    if reject_percent < 1:
        return 100.0
    if reject_percent < 3:
        return 100.0 - 7.5 * (reject_percent - 1)
    if reject_percent < 5:
        return 85.0 - 7.5 * (reject_percent - 3)
    if reject_percent <= 10:
        return 70.0 - 4.0 * (reject_percent - 5)
    return clamp(50.0 - 2.0 * (reject_percent - 10))
