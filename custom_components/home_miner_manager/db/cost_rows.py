"""Electricity cost of miners over any period: energy per price slot x its price.

Energy comes from raw telemetry, integrated exactly as the rollups do it (each
sample's power holds until the next one, at most 10 minutes; no power reading
falls back to the miner's manual estimate), split into half-hour price slots
and priced from ``energy_prices``. Where raw telemetry has been purged
(``telemetry_days``), the hourly rollups stand in, priced at the mean of the
hour's slots. Energy in a slot without a stored price is returned apart
(``unpriced_kwh``), never priced at a guess. Run through ``Database.run`` /
``async_run`` (blocking).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from sqlalchemy import func, select

from .models import Miner, Telemetry, to_naive_utc
from .prices_rows import load_energy_prices
from .rollup import (
    HOURLY_TABLE,
    MAX_SAMPLE_SPAN,
    Period,
    _period_rows,
    _samples_and_spans,
    floor_hour,
)
from .rollup_models import TelemetryHourly

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session

    from custom_components.home_miner_manager.prices.slots import PriceSlot

SLOT: Final = timedelta(minutes=30)
HOUR: Final = timedelta(hours=1)
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
    """Start of the half hour holding ``value``."""
    return value.replace(minute=value.minute // 30 * 30, second=0, microsecond=0)


HALF_HOURLY: Final = Period(HOURLY_TABLE, floor_slot, SLOT)


@dataclass(slots=True)
class MinerCost:
    """One miner's energy and cost over the period."""

    kwh: float = 0.0
    cost_gbp: float = 0.0
    unpriced_kwh: float = 0.0  # energy in slots without a known price


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
        cost.cost_gbp += kwh * pence / 100.0


def energy_cost(
    session: Session,
    miner_ids: Sequence[int],
    start: datetime,
    end: datetime,
    region: str | None,
) -> dict[int, MinerCost]:
    """Return each miner's energy (kWh) and cost (GBP) in [start, end)."""
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
    for miner_id in miner_ids:
        cost = result[miner_id] = MinerCost()
        oldest = session.scalar(
            select(func.min(_T.timestamp)).where(_T.miner_id == miner_id)
        )
        # Hours before the oldest raw sample: the hourly rollups (if any).
        raw_from = max(start, floor_hour(oldest)) if oldest is not None else end
        _rollup_part(
            session,
            miner_id,
            start=start,
            end=min(raw_from, end),
            prices=prices,
            cost=cost,
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


def _rollup_part(
    session: Session,
    miner_id: int,
    *,
    start: datetime,
    end: datetime,
    prices: _Prices,
    cost: MinerCost,
) -> None:
    if start >= end:
        return
    rows = session.execute(
        select(TelemetryHourly.period_start, TelemetryHourly.energy_kwh).where(
            TelemetryHourly.miner_id == miner_id,
            TelemetryHourly.period_start >= floor_hour(start),
            TelemetryHourly.period_start < end,
        )
    ).tuples()
    for hour, kwh in rows:
        _add(cost, float(kwh or 0.0), prices.mean(hour, hour + HOUR))


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
    for row in _period_rows(HALF_HOURLY, miner_id, [], clipped, start=aligned, end=end):
        _add(cost, float(row["energy_kwh"]), prices.at(row["period_start"]))
