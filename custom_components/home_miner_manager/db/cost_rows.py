"""Electricity cost of miners over any period: energy per price slot x its price.

Hours the nightly job has rolled up come from the hourly rollups, priced at
the mean of the hour's slots; days older than the hourly rows kept, from the
daily rollups at the day's mean price. After the newest rolled-up hour (since
last night), raw telemetry is integrated exactly as the rollups do it (each
sample's power holds until the next one, at most 10 minutes; no power reading
falls back to the miner's manual estimate), split into quarter hours (which
divide 15-, 30- and 60-minute price slots alike) and priced from
``energy_prices``. Energy without a stored price is returned
apart (``unpriced_kwh``), never priced at a guess. Run through
``Database.run`` / ``async_run`` (blocking).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from sqlalchemy import func, select

from .base import to_naive_utc
from .models import Miner, Telemetry
from .prices_rows import load_energy_prices
from .rollup import (
    HOURLY_TABLE,
    MAX_SAMPLE_SPAN,
    Period,
    _period_rows,
    _samples_and_spans,
    floor_hour,
)
from .rollup_models import TelemetryDaily, TelemetryHourly

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session

    from ..prices.slots import PriceSlot

# The finest price slot (Nord Pool's quarter hours): every part of a split
# lies in one slot of any source.
SLOT: Final = timedelta(minutes=15)
HOUR: Final = timedelta(hours=1)
DAY: Final = timedelta(days=1)
_T: Final = Telemetry.__table__.c
_COLUMNS: Final = (
    _T.timestamp,
    _T.hashrate,
    _T.hashrate_unit,
    _T.temperature,
    _T.power_watts,
    _T.shares_accepted,
    _T.shares_rejected,
)


def floor_slot(value: datetime) -> datetime:
    """Start of the quarter hour holding ``value``."""
    return value.replace(minute=value.minute // 15 * 15, second=0, microsecond=0)


QUARTER_HOURLY: Final = Period(HOURLY_TABLE, floor_slot, SLOT)


@dataclass(slots=True)
class MinerCost:
    """One miner's energy and cost over the period."""

    kwh: float = 0.0
    cost: float = 0.0  # major unit of the prices' currency (GBP for pence)
    unpriced_kwh: float = 0.0  # energy in slots without a known price
    minor_per_major: int = 100


class _Prices:
    """Stored slot prices, looked up by time (naive UTC)."""

    def __init__(self, slots: Sequence[PriceSlot]) -> None:
        self.starts = [to_naive_utc(slot.start) for slot in slots]
        self.ends = [to_naive_utc(slot.end) for slot in slots]
        self.prices = [slot.price_pence for slot in slots]

    def at(self, moment: datetime) -> float | None:
        index = bisect_right(self.starts, moment) - 1
        if index >= 0 and moment < self.ends[index]:
            return self.prices[index]
        return None

    def mean(self, start: datetime, end: datetime) -> float | None:
        found = [
            p for s, p in zip(self.starts, self.prices, strict=True) if start <= s < end
        ]
        return sum(found) / len(found) if found else None


def _add(cost: MinerCost, kwh: float, pence: float | None) -> None:
    cost.kwh += kwh
    if pence is None:
        cost.unpriced_kwh += kwh
    else:
        cost.cost += kwh * pence / cost.minor_per_major


def energy_cost(
    session: Session,
    miner_ids: Sequence[int],
    start: datetime,
    end: datetime,
    region: str | None,
    *,
    minor_per_major: int = 100,
) -> dict[int, MinerCost]:
    """Return each miner's energy (kWh) and cost in [start, end).

    Prices are minor units per kWh; the cost is ``/ minor_per_major`` of them
    (100 for pence or cents, 1 for yen).
    """
    start, end = to_naive_utc(start), to_naive_utc(end)
    prices = _Prices(load_energy_prices(session, region, start - HOUR, end))
    manual: dict[int, int | None] = dict(
        session.execute(
            select(Miner.id, Miner.manual_power_watts).where(Miner.id.in_(miner_ids))
        )
        .tuples()
        .all()
    )
    result: dict[int, MinerCost] = {}
    # A start inside an hour: that first part from raw samples, then whole hours.
    hour = floor_hour(start)
    aligned = start if hour == start else min(hour + HOUR, end)
    for miner_id in miner_ids:
        cost = result[miner_id] = MinerCost(minor_per_major=minor_per_major)
        if aligned > start:
            _raw_part(
                session,
                miner_id,
                start=start,
                end=aligned,
                manual=manual.get(miner_id),
                prices=prices,
                cost=cost,
            )
        first_hour, last_hour = (
            session.execute(
                select(
                    func.min(TelemetryHourly.period_start),
                    func.max(TelemetryHourly.period_start),
                ).where(
                    TelemetryHourly.miner_id == miner_id,
                    TelemetryHourly.period_start < end,
                )
            )
            .tuples()
            .one()
        )
        # Raw samples only after the newest rolled-up hour (the nightly job
        # rolls up complete hours): a month of 30 s polls is not re-read.
        raw_from = aligned if last_hour is None else max(aligned, last_hour + HOUR)
        hourly_from = aligned if first_hour is None else max(aligned, first_hour)
        # Days older than the hourly rows kept: the daily rollups.
        _rollup_part(
            session, TelemetryDaily, miner_id, aligned, hourly_from, prices, cost
        )
        _rollup_part(
            session, TelemetryHourly, miner_id, hourly_from, raw_from, prices, cost
        )
        if raw_from < end:
            _raw_part(
                session,
                miner_id,
                start=raw_from,
                end=end,
                manual=manual.get(miner_id),
                prices=prices,
                cost=cost,
            )
    return result


def _rollup_part(  # noqa: PLR0917  (private, called twice just above)
    session: Session,
    model: type[TelemetryHourly | TelemetryDaily],
    miner_id: int,
    start: datetime,
    end: datetime,
    prices: _Prices,
    cost: MinerCost,
) -> None:
    """Add whole rollup periods inside [start, end), priced at their slots' mean."""
    if start >= end:
        return
    length = HOUR if model is TelemetryHourly else DAY
    rows = session.execute(
        select(model.period_start, model.energy_kwh).where(
            model.miner_id == miner_id,
            model.period_start >= start,
            model.period_start < end,
        )
    ).tuples()
    for period_start, kwh in rows:
        if period_start + length <= end:
            _add(
                cost,
                float(kwh or 0.0),
                prices.mean(period_start, period_start + length),
            )


def _raw_part(
    session: Session,
    miner_id: int,
    *,
    start: datetime,
    end: datetime,
    manual: int | None,
    prices: _Prices,
    cost: MinerCost,
) -> None:
    aligned = floor_slot(start)
    previous = session.execute(
        select(*_COLUMNS)
        .where(_T.miner_id == miner_id, _T.timestamp < start)
        .order_by(_T.timestamp.desc())
        .limit(1)
    ).first()
    samples = session.execute(
        select(*_COLUMNS)
        .where(
            _T.miner_id == miner_id,
            _T.timestamp >= start,
            _T.timestamp < end + MAX_SAMPLE_SPAN,
        )
        .order_by(_T.timestamp)
    ).all()
    watts = None if manual is None else float(manual)
    parts = _samples_and_spans(samples, previous, end, watts)
    _, spans = parts
    # Spans before ``start`` (the previous sample's) are cut by the window.
    clipped = [(max(b, start), f, w) for b, f, w in spans if f > start]
    for row in _period_rows(
        QUARTER_HOURLY, miner_id, [], clipped, start=aligned, end=end
    ):
        _add(cost, float(row["energy_kwh"]), prices.at(row["period_start"]))
