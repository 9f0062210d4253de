"""Roll raw telemetry up into hourly and daily rows.

Energy is integrated over the real gaps between samples: each sample's power
is taken to hold until the next sample, for at most ``MAX_SAMPLE_SPAN``
(10 minutes, twice the longest poll interval allowed).  A longer gap means the
miner or Home Assistant was down, so only its first 10 minutes count.  Spans
crossing a period boundary are split between the periods.  A sample without
``power_watts`` falls back to ``Miner.manual_power_watts``.

Shares are deltas of the device's lifetime counters between consecutive
samples; when either counter goes down the miner rebooted, and the new values
are the delta.  Hourly and daily rows are both computed from raw samples (so
daily averages are exact) and every call rewrites the periods it covers
(delete + insert): running it twice counts nothing twice.  Plain Core SQL only,
so SQLite, PostgreSQL and MySQL behave the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, cast

from sqlalchemy import delete, insert, select

from ..devices.units import hashrate_factor
from .models import Miner, Telemetry
from .rollup_models import TelemetryDaily, TelemetryHourly

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Sequence

    from sqlalchemy import Connection, Table

MAX_SAMPLE_SPAN: Final = timedelta(minutes=10)
HOUR: Final = timedelta(hours=1)
DAY: Final = timedelta(days=1)
_T: Final = cast("Table", Telemetry.__table__)
HOURLY_TABLE: Final = cast("Table", TelemetryHourly.__table__)
DAILY_TABLE: Final = cast("Table", TelemetryDaily.__table__)
_SAMPLE_COLUMNS: Final = (
    _T.c.timestamp,
    _T.c.hashrate,
    _T.c.hashrate_unit,
    _T.c.temperature,
    _T.c.power_watts,
    _T.c.shares_accepted,
    _T.c.shares_rejected,
)


def hashrate_ghs(value: float | None, unit: str | None) -> float | None:
    """Normalize a hashrate to GH/s (no unit means GH/s, as upstream assumed)."""
    if value is None:
        return None
    factor = _unit_factor(unit)
    return None if factor is None else value * factor


def _unit_factor(unit: str | None) -> float | None:
    """GH/s per ``unit``, from the one table in ``devices/units.py`` (H/s … EH/s)."""
    return hashrate_factor(unit or "GH/s")


def floor_hour(value: datetime) -> datetime:
    """Start of the hour holding ``value``."""
    return value.replace(minute=0, second=0, microsecond=0)


def floor_day(value: datetime) -> datetime:
    """Start of the (UTC) day holding ``value``."""
    return value.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class Period:
    """A rollup granularity: its table, how to find a period start, its length."""

    table: Table
    floor: Callable[[datetime], datetime]
    length: timedelta


HOURLY: Final = Period(HOURLY_TABLE, floor_hour, HOUR)
DAILY: Final = Period(DAILY_TABLE, floor_day, DAY)


@dataclass(slots=True)
class _Bucket:
    samples: int = 0
    online_s: float = 0.0
    energy_ws: float = 0.0
    hash_sum: float = 0.0
    hash_n: int = 0
    hash_min: float | None = None
    hash_max: float | None = None
    temp_sum: float = 0.0
    temp_n: int = 0
    temp_max: float | None = None
    accepted: int = 0
    rejected: int = 0

    def add_sample(self, ghs: float | None, temp: float | None) -> None:
        self.samples += 1
        if ghs is not None:
            self.hash_sum += ghs
            self.hash_n += 1
            self.hash_min = ghs if self.hash_min is None else min(self.hash_min, ghs)
            self.hash_max = ghs if self.hash_max is None else max(self.hash_max, ghs)
        if temp is not None:
            self.temp_sum += temp
            self.temp_n += 1
            self.temp_max = temp if self.temp_max is None else max(self.temp_max, temp)

    def row(self, miner_id: int, period_start: datetime) -> dict[str, Any]:
        total = self.accepted + self.rejected
        return {
            "miner_id": miner_id,
            "period_start": period_start,
            "sample_count": self.samples,
            "online_seconds": self.online_s,
            "hashrate_avg_ghs": self.hash_sum / self.hash_n if self.hash_n else None,
            "hashrate_min_ghs": self.hash_min,
            "hashrate_max_ghs": self.hash_max,
            "temperature_avg": self.temp_sum / self.temp_n if self.temp_n else None,
            "temperature_max": self.temp_max,
            "energy_kwh": self.energy_ws / 3_600_000.0,
            "shares_accepted": self.accepted,
            "shares_rejected": self.rejected,
            "reject_pct": self.rejected / total * 100.0 if total else None,
        }


# What one sample contributes: (time, GH/s, °C, accepted delta, rejected delta).
type _Sample = tuple[datetime, float | None, float | None, int, int]
# Power held over a time span: (begin, finish, watts or None).
type _Span = tuple[datetime, datetime, float | None]


def _samples_and_spans(
    rows: Sequence[Any], previous: Any | None, end: datetime, manual: float | None
) -> tuple[list[_Sample], list[_Span]]:
    """One pass over a miner's raw rows (in time order), shared by every period."""
    samples: list[_Sample] = []
    spans: list[_Span] = []
    prev_ts: datetime | None = None
    prev_watts: float | None = None
    last_acc = last_rej = None
    if previous is not None:
        prev_ts = previous.timestamp
        prev_watts = manual if previous.power_watts is None else previous.power_watts
        last_acc, last_rej = previous.shares_accepted, previous.shares_rejected
    trailing = False
    for ts, rate, unit, temp, watts, acc, rej in rows:
        if prev_ts is not None:
            spans.append((prev_ts, min(ts, prev_ts + MAX_SAMPLE_SPAN), prev_watts))
        if ts >= end:
            trailing = False  # only fetched to bound the previous sample's span
            break
        d_acc = d_rej = 0
        if acc is not None and rej is not None:
            if last_acc is not None and last_rej is not None:
                if acc < last_acc or rej < last_rej:  # counters restarted: reboot
                    d_acc, d_rej = acc, rej
                else:
                    d_acc, d_rej = acc - last_acc, rej - last_rej
            last_acc, last_rej = acc, rej
        samples.append((ts, hashrate_ghs(rate, unit), temp, d_acc, d_rej))
        prev_ts, prev_watts = ts, manual if watts is None else watts
        trailing = True
    if trailing and prev_ts is not None:
        # Newest sample with nothing after it (yet): held for the full span.
        spans.append((prev_ts, prev_ts + MAX_SAMPLE_SPAN, prev_watts))
    return samples, spans


def _period_rows(
    period: Period,
    miner_id: int,
    samples: list[_Sample],
    spans: list[_Span],
    *,
    start: datetime,
    end: datetime,
) -> list[dict[str, Any]]:
    """Aggregate one miner's samples and power spans into ``period`` rows."""
    buckets: dict[datetime, _Bucket] = {}
    floor, length = period.floor, period.length
    # Samples come in time order: remember the current bucket instead of
    # flooring every timestamp.
    key = key_end = start
    bucket = _Bucket()
    for ts, ghs, temp, d_acc, d_rej in samples:
        if not key <= ts < key_end:
            key = floor(ts)
            key_end = key + length
            bucket = buckets.get(key) or buckets.setdefault(key, _Bucket())
        bucket.add_sample(ghs, temp)
        bucket.accepted += d_acc
        bucket.rejected += d_rej
    key = key_end = start
    for span_begin, span_end, watts in spans:
        begin = max(span_begin, start)
        finish = min(span_end, end)
        while begin < finish:
            if not key <= begin < key_end:
                key = floor(begin)
                key_end = key + length
                bucket = buckets.get(key) or buckets.setdefault(key, _Bucket())
            seg_end = min(finish, key_end)
            seconds = (seg_end - begin).total_seconds()
            bucket.online_s += seconds
            if watts is not None:
                bucket.energy_ws += watts * seconds
            begin = seg_end
    return [
        bucket.row(miner_id, key)
        for key, bucket in sorted(buckets.items())
        if start <= key < end
    ]


def rollup(
    conn: Connection,
    start: datetime,
    end: datetime,
    periods: Sequence[Period],
    *,
    only_miners: Collection[int] | None = None,
) -> dict[str, int]:
    """Rewrite the rows of each period starting in [start, end).

    ``start`` must be aligned to every period.  ``end`` may cut a period short
    (the current day): that period then covers data up to ``end`` only, and is
    rewritten complete by a later call.  One read of the raw rows feeds every
    period.  ``only_miners`` limits the rewrite to those miners (an import
    must not drop other miners' rollups whose raw rows are purged already).
    Returns rows written per table.
    """
    query = select(_T.c.miner_id).where(_T.c.timestamp >= start, _T.c.timestamp < end)
    if only_miners is not None:
        query = query.where(_T.c.miner_id.in_(list(only_miners)))
    miner_ids = conn.scalars(query.distinct()).all()
    # .all() first: dict() of a Result would treat it as a mapping.
    manual: dict[int, float | None] = dict(
        conn.execute(select(Miner.id, Miner.manual_power_watts)).tuples().all()
    )
    rows: dict[Period, list[dict[str, Any]]] = {period: [] for period in periods}
    for miner_id in miner_ids:
        previous = conn.execute(
            select(*_SAMPLE_COLUMNS)
            .where(_T.c.miner_id == miner_id, _T.c.timestamp < start)
            .order_by(_T.c.timestamp.desc())
            .limit(1)
        ).first()
        samples = conn.execute(
            select(*_SAMPLE_COLUMNS)
            .where(
                _T.c.miner_id == miner_id,
                _T.c.timestamp >= start,
                _T.c.timestamp < end + MAX_SAMPLE_SPAN,
            )
            .order_by(_T.c.timestamp)
        ).all()
        parts = _samples_and_spans(samples, previous, end, manual.get(miner_id))
        for period in periods:
            rows[period].extend(
                _period_rows(period, miner_id, *parts, start=start, end=end)
            )
    written: dict[str, int] = {}
    for period, period_rows in rows.items():
        table = period.table
        stale = delete(table).where(
            table.c.period_start >= start, table.c.period_start < end
        )
        if only_miners is not None:
            stale = stale.where(table.c.miner_id.in_(list(only_miners)))
        conn.execute(stale)
        if period_rows:
            conn.execute(insert(table), period_rows)
        written[table.name] = len(period_rows)
    return written
