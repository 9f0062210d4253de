"""The overall health score of one miner over a window (normally 24 h)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .components import (
    clamp,
    reject_to_score,
    stability_score,
    temperature_score,
)
from .samples import Sample, share_deltas
from .uptime import DEFAULT_RESUME_GRACE_S, Timeline, uptime_score

if TYPE_CHECKING:
    from collections.abc import Iterable

WEIGHTS = {"uptime": 0.30, "temperature": 0.25, "hashrate": 0.25, "reject": 0.20}
# Without temperature data (NMMiner CYD boards) its weight is spread out.
WEIGHTS_NO_TEMPERATURE = {"uptime": 0.40, "hashrate": 0.35, "reject": 0.25}
WINDOW = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class HealthResult:
    """Scores 0-100 (two decimals), one field per HealthScore column."""

    overall: float
    uptime: float
    temperature: float | None
    hashrate_stability: float
    reject_rate: float
    details: dict[str, Any]  # JSON-safe: numbers, strings, bools, None

    def as_row(self) -> dict[str, Any]:
        """Keyword arguments for a ``HealthScore`` row (without miner and time)."""
        return {
            "overall_score": self.overall,
            "uptime_score": self.uptime,
            "temperature_score": self.temperature,
            "hashrate_score": self.hashrate_stability,
            "reject_rate_score": self.reject_rate,
            "details": self.details,
        }


def score(
    samples: Iterable[Sample],
    window_start: datetime,
    window_end: datetime,
    miner_type: str,
    expected_interval_s: float,
    *,
    strategy_off_intervals: Iterable[tuple[datetime, datetime]] = (),
    resume_grace_s: float = DEFAULT_RESUME_GRACE_S,
) -> HealthResult:
    """Score one miner over [window_start, window_end].

    ``samples``: that miner's telemetry (any order; outside the window ignored).
    ``expected_interval_s``: how often that miner's rows are written.
    ``strategy_off_intervals``: (start, end) spans the strategy had the miner
    off on purpose; they, plus ``resume_grace_s`` after each, are not downtime
    and do not count towards the other sub-scores either.
    """
    timeline = Timeline.build(
        window_start,
        window_end,
        ((a, b + timedelta(seconds=resume_grace_s)) for a, b in strategy_off_intervals),
    )
    ordered = sorted(
        (s for s in samples if window_start <= s.timestamp <= window_end),
        key=lambda s: s.timestamp,
    )
    running = [s for s in ordered if not _is_off(s.timestamp, timeline)]

    uptime, uptime_details = uptime_score(
        [s.timestamp for s in ordered], timeline, expected_interval_s
    )
    temperature, temp_details = temperature_score(
        [s.temperature for s in running if s.temperature is not None], miner_type
    )
    stability, stability_details = stability_score(
        [(s.hashrate, s.mode) for s in running]
    )
    # Counters run on while the miner is off (or restart at boot), so the
    # off intervals need no special care here: a drop starts a new segment.
    deltas = share_deltas(ordered)
    reject_percent = deltas.reject_percent
    reject = 100.0 if reject_percent is None else clamp(reject_to_score(reject_percent))

    if temperature is None:
        weights = WEIGHTS_NO_TEMPERATURE
        overall = (
            weights["uptime"] * uptime
            + weights["hashrate"] * stability
            + weights["reject"] * reject
        )
    else:
        weights = WEIGHTS
        overall = (
            weights["uptime"] * uptime
            + weights["temperature"] * temperature
            + weights["hashrate"] * stability
            + weights["reject"] * reject
        )
    details: dict[str, Any] = {
        "window_start": window_start.isoformat(),
        "window_end": window_end.isoformat(),
        "miner_type": str(miner_type),
        "interval_s": float(expected_interval_s),
        "weights": dict(weights),
        **uptime_details,
        **temp_details,
        **stability_details,
        "shares_accepted": deltas.accepted,
        "shares_rejected": deltas.rejected,
        "counter_resets": deltas.resets,
        "reject_percent": None if reject_percent is None else round(reject_percent, 3),
    }
    return HealthResult(
        overall=_r(clamp(overall)),
        uptime=_r(uptime),
        temperature=None if temperature is None else _r(temperature),
        hashrate_stability=_r(stability),
        reject_rate=_r(reject),
        details=details,
    )


def _r(value: float) -> float:
    return round(value, 2)


def _is_off(when: datetime, timeline: Timeline) -> bool:
    # Few intervals per day: a linear scan is cheaper than being clever.
    return any(a <= when < b for a, b in timeline.offs)
