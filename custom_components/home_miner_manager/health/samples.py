"""Plain telemetry samples and share-counter arithmetic shared by health and alerts."""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Sample:
    """One telemetry reading (a Telemetry row, converted by the caller).

    ``timestamp`` must use the same convention as every other datetime passed
    to this package (the database's naive UTC). ``mode`` is optional: when
    given, hashrate stability is judged within each mode, so a strategy that
    switches eco/turbo does not look like an unstable miner.
    """

    timestamp: datetime
    hashrate: float | None = None
    temperature: float | None = None
    shares_accepted: int | None = None
    shares_rejected: int | None = None
    mode: str | None = None


@dataclass(frozen=True, slots=True)
class ShareDeltas:
    """Shares counted between samples, summed over counter segments."""

    accepted: int
    rejected: int
    resets: int  # counter drops seen (reboots, pool switches)

    @property
    def total(self) -> int:
        """Accepted plus rejected."""
        return self.accepted + self.rejected

    @property
    def reject_percent(self) -> float | None:
        """Rejected share of all shares, in percent; None without shares."""
        total = self.total
        return None if total <= 0 else self.rejected / total * 100.0


def is_number(value: float | None) -> bool:
    """Return True for a finite number (devices report NaN/inf now and then)."""
    return value is not None and math.isfinite(value)


def _growing(values: list[int | None]) -> list[int] | None:
    """Return ``values`` if all are present, non-negative and non-decreasing."""
    if not values or None in values:
        return None
    ints = cast("list[int]", values)
    return ints if ints[0] >= 0 and ints == sorted(ints) else None


def share_deltas(samples: Iterable[Sample]) -> ShareDeltas:
    """Sum share-counter increases over time-ordered ``samples``.

    Device counters are lifetime-since-boot: a drop of either counter means a
    reboot (or pool switch) and starts a new segment. The step across a drop
    adds nothing for either counter, because we cannot tell how much of the
    new value was counted before the drop was noticed; so deltas never go
    negative and a stale lifetime total is never counted as new shares.
    Samples missing either counter are skipped.
    """
    samples = list(samples)
    accs = _growing([s.shares_accepted for s in samples])
    rejs = _growing([s.shares_rejected for s in samples]) if accs else None
    if accs and rejs:
        # Common case, checked in C: both counters only grew (no reboot).
        return ShareDeltas(accs[-1] - accs[0], rejs[-1] - rejs[0], 0)
    accepted = rejected = resets = 0
    prev_a: int | None = None
    prev_r: int | None = None
    for sample in samples:
        acc, rej = sample.shares_accepted, sample.shares_rejected
        if acc is None or rej is None or acc < 0 or rej < 0:
            continue
        if prev_a is not None and prev_r is not None:
            if acc < prev_a or rej < prev_r:
                resets += 1
            else:
                accepted += acc - prev_a
                rejected += rej - prev_r
        prev_a, prev_r = acc, rej
    return ShareDeltas(accepted, rejected, resets)
