"""Miner health scores (0-100), computed from plain samples — no HA, no database.

API (all datetimes in one convention, the database's naive UTC):

* :class:`Sample` — one telemetry reading: timestamp, hashrate, temperature,
  shares_accepted/rejected, optional mode.
* :func:`score` ``(samples, window_start, window_end, miner_type,
  expected_interval_s, *, strategy_off_intervals=(), resume_grace_s=180)``
  → :class:`HealthResult` ``(overall, uptime, temperature | None,
  hashrate_stability, reject_rate, details)``; ``HealthResult.as_row()`` gives
  the ``HealthScore`` columns. ``details`` is JSON-safe.
* :func:`share_deltas` ``(samples)`` → :class:`ShareDeltas` — share counts from
  counter deltas, reboot-safe (also used by the alerts package).
* :data:`WINDOW` — the 24 h scoring window.

overall = 0.30 uptime + 0.25 temperature + 0.25 stability + 0.20 rejects;
without temperature data 0.40 / 0.35 / 0.25 and ``temperature`` is None.

* uptime: share of the *expected* time covered by samples (window minus the
  strategy's off intervals and a boot grace after each), gaps measured in
  seconds; a gap over 2.5 poll intervals is an outage costing 2 points
  (at most 30).
* temperature: upstream's per-type curves on the average, times 0.8 if the hottest
  sample passes the type's spike limit.
* stability: coefficient of variation within each mode, upstream's mapping;
  fewer than 5 positive hashrates → 50.
* rejects: share-counter deltas, a drop of either counter starting a new
  segment; no shares in the window → 100.
"""

from __future__ import annotations

from .components import TEMPERATURE_CURVES, TemperatureCurve, curve_for
from .samples import Sample, ShareDeltas, share_deltas
from .score import WINDOW, HealthResult, score

__all__ = [
    "TEMPERATURE_CURVES",
    "WINDOW",
    "HealthResult",
    "Sample",
    "ShareDeltas",
    "TemperatureCurve",
    "curve_for",
    "score",
    "share_deltas",
]
