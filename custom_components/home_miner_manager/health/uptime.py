"""Uptime over a window, measured from real sample timestamps.

Upstream counted rows against a fixed one-row-per-30-s expectation and used
``timedelta.seconds`` for gaps, so a miner polled every 60 s topped out near
50 and gaps over a day wrapped. Here the window is measured in *expected*
time: hours the strategy switched the miner off on purpose are cut out of
the timeline first, then every gap between samples is measured in seconds on
what remains.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .components import clamp

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime

# A gap up to this many poll intervals is one missed poll plus jitter, not an
# outage (upstream: > 60 s at an assumed 30 s interval).
GAP_FACTOR = 2.5
# Points taken off per outage (upstream's figure), at most OUTAGE_PENALTY_MAX:
# ten 6-minute outages hurt more than one hour-long outage.
OUTAGE_PENALTY = 2.0
OUTAGE_PENALTY_MAX = 30.0
# After the strategy turns a miner back on it needs time to boot and reach
# its pool before the first poll succeeds; that is not downtime either.
DEFAULT_RESUME_GRACE_S = 180.0


@dataclass(frozen=True, slots=True)
class Timeline:
    """The window with strategy-off intervals removed ("expected" seconds)."""

    start: datetime
    end: datetime
    # Merged, clipped off intervals and the off seconds before each one.
    offs: tuple[tuple[datetime, datetime], ...]
    off_before: tuple[float, ...]

    @classmethod
    def build(
        cls,
        start: datetime,
        end: datetime,
        off_intervals: Iterable[tuple[datetime, datetime]],
    ) -> Timeline:
        """Merge and clip the off intervals to [start, end]."""
        clipped = sorted(
            (max(a, start), min(b, end))
            for a, b in off_intervals
            if b > start and a < end and b > a
        )
        merged: list[tuple[datetime, datetime]] = []
        for a, b in clipped:
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        before: list[float] = []
        total = 0.0
        for a, b in merged:
            before.append(total)
            total += (b - a).total_seconds()
        return cls(start, end, tuple(merged), tuple(before))

    @property
    def off_seconds(self) -> float:
        """Seconds of the window the strategy had the miner off."""
        if not self.offs:
            return 0.0
        last_a, last_b = self.offs[-1]
        return self.off_before[-1] + (last_b - last_a).total_seconds()

    @property
    def expected_seconds(self) -> float:
        """Seconds the miner was meant to be running."""
        return (self.end - self.start).total_seconds() - self.off_seconds

    def position(self, when: datetime) -> float:
        """Return the expected seconds from the window start to ``when`` (clipped)."""
        when = min(max(when, self.start), self.end)
        raw = (when - self.start).total_seconds()
        index = bisect_right(self.offs, (when, when)) - 1
        if index < 0:
            return raw
        a, b = self.offs[index]
        inside = (min(when, b) - a).total_seconds()
        return raw - self.off_before[index] - max(inside, 0.0)


def uptime_score(
    timestamps: Sequence[datetime],
    timeline: Timeline,
    interval_s: float,
) -> tuple[float, dict[str, float | int]]:
    """Score the share of expected time the miner was reporting (0-100).

    A sample vouches for the time up to the next one when the gap (in
    expected seconds) is at most ``GAP_FACTOR`` intervals; otherwise for one
    interval only, and the gap is an outage. The window start counts as a
    sample (the previous poll fell just before it). Timestamps must be sorted.
    """
    expected = timeline.expected_seconds
    interval_s = max(float(interval_s), 1.0)
    inside = [t for t in timestamps if timeline.start <= t <= timeline.end]
    if expected <= 0:
        # Off by strategy all window long: nothing was expected, nothing lost.
        return 100.0, {"expected_seconds": 0.0, "samples": len(inside)}
    max_gap = GAP_FACTOR * interval_s
    covered = 0.0
    outages = 0
    previous: float | None = None
    for when in inside:
        pos = timeline.position(when)
        if previous is None:
            gap = pos  # from the window start
            if gap <= max_gap:
                covered += gap
            else:
                outages += 1
        else:
            gap = pos - previous
            if gap <= max_gap:
                covered += gap
            else:
                covered += interval_s
                outages += 1
        previous = pos
    if previous is not None:
        tail = expected - previous
        covered += min(tail, interval_s)
        if tail > max_gap:
            outages += 1
    coverage = clamp(covered / expected * 100.0)
    penalty = min(OUTAGE_PENALTY * outages, OUTAGE_PENALTY_MAX)
    return clamp(coverage - penalty), {
        "expected_seconds": round(expected, 1),
        "off_by_strategy_seconds": round(timeline.off_seconds, 1),
        "covered_seconds": round(min(covered, expected), 1),
        "coverage_percent": round(coverage, 3),
        "samples": len(inside),
        "expected_samples": round(expected / interval_s, 1),
        "outages": outages,
    }
