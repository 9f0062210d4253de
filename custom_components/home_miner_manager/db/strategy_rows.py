"""``agile_strategy``, ``agile_strategy_bands`` and ``miner_strategy`` rows.

One strategy row (the first), its bands (``Band`` objects of the pure
package, champion flags live in ``state_data``) and per-miner enrolment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from ..strategy.bands import (
    Band,
    default_bands,
    with_champions,
)
from ..strategy.state_data import (
    unpack_state_data,
)
from .base import to_naive_utc
from .models import AgileStrategy, AgileStrategyBand, MinerStrategy, Telemetry

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from sqlalchemy.orm import Session


@dataclass(slots=True)
class StrategyRecord:
    """What the runner loads at start-up."""

    strategy_id: int
    enabled: bool
    bands: list[Band]
    state_data: dict[str, Any] | None
    enrolled: set[int] = field(default_factory=set)


def _band(row: AgileStrategyBand) -> Band:
    return Band(
        id=row.id,
        sort_order=row.sort_order,
        min_price=row.min_price,
        max_price=row.max_price,
        target_coin=row.target_coin,
        bitaxe_mode=row.bitaxe_mode,
        nerdqaxe_mode=row.nerdqaxe_mode,
        avalon_nano_mode=row.avalon_nano_mode,
    )


def _load_bands(session: Session, strategy_id: int) -> list[Band]:
    rows = session.scalars(
        select(AgileStrategyBand)
        .where(AgileStrategyBand.strategy_id == strategy_id)
        .order_by(AgileStrategyBand.sort_order)
    )
    return [_band(row) for row in rows]


def load_or_create_strategy(session: Session) -> StrategyRecord:
    """Return the strategy; on first start create it (off) with default bands."""
    row = session.scalars(select(AgileStrategy).order_by(AgileStrategy.id)).first()
    if row is None:
        # Off until the user turns it on: it powers miners down.
        row = AgileStrategy(enabled=False, hysteresis_counter=0)
        session.add(row)
        session.flush()
    bands = _load_bands(session, row.id)
    if not bands:
        _write_bands(session, row.id, default_bands())
        bands = _load_bands(session, row.id)
    stored = unpack_state_data(row.state_data)
    enrolled = set(
        session.scalars(
            select(MinerStrategy.miner_id).where(MinerStrategy.strategy_enabled)
        )
    )
    return StrategyRecord(
        strategy_id=row.id,
        enabled=bool(row.enabled),
        bands=with_champions(bands, stored.champion_band_ids),
        state_data=row.state_data,
        enrolled=enrolled,
    )


def _write_bands(session: Session, strategy_id: int, bands: Sequence[Band]) -> None:
    for band in bands:
        session.add(
            AgileStrategyBand(
                strategy_id=strategy_id,
                min_price=band.min_price,
                max_price=band.max_price,
                target_coin=band.target_coin,
                bitaxe_mode=band.bitaxe_mode,
                nerdqaxe_mode=band.nerdqaxe_mode,
                avalon_nano_mode=band.avalon_nano_mode,
                sort_order=band.sort_order,
            )
        )
    session.flush()


def save_bands(session: Session, strategy_id: int, bands: Sequence[Band]) -> list[Band]:
    """Replace the bands: rows of known ids are updated in place (ids kept).

    Bands with an id not in the table (new ones: pass id ≤ 0) are inserted.
    Sort orders are parked on negative values first, so the unique
    (strategy_id, sort_order) index never sees two rows on one value.
    """
    rows = {
        row.id: row
        for row in session.scalars(
            select(AgileStrategyBand).where(
                AgileStrategyBand.strategy_id == strategy_id
            )
        )
    }
    keep = {band.id for band in bands if band.id in rows}
    for band_id, old in rows.items():
        if band_id not in keep:
            session.delete(old)
    for band_id in keep:
        rows[band_id].sort_order = -1 - band_id
    session.flush()
    for band in bands:
        row = rows.get(band.id)
        if row is None:
            continue
        row.min_price = band.min_price
        row.max_price = band.max_price
        row.target_coin = band.target_coin
        row.bitaxe_mode = band.bitaxe_mode
        row.nerdqaxe_mode = band.nerdqaxe_mode
        row.avalon_nano_mode = band.avalon_nano_mode
        row.sort_order = band.sort_order
    session.flush()
    _write_bands(session, strategy_id, [b for b in bands if b.id not in rows])
    saved = _load_bands(session, strategy_id)
    # New rows got their ids now; champion flags follow by sort order.
    champions = {b.sort_order for b in bands if b.champion}
    return [
        Band(**{**b.to_dict(), "champion": b.sort_order in champions}) for b in saved
    ]


def reset_bands(session: Session, strategy_id: int) -> list[Band]:
    """Drop every band and write the defaults again."""
    session.execute(
        delete(AgileStrategyBand).where(AgileStrategyBand.strategy_id == strategy_id)
    )
    session.flush()
    _write_bands(session, strategy_id, default_bands())
    return _load_bands(session, strategy_id)


def save_strategy_state(
    session: Session,
    strategy_id: int,
    *,
    enabled: bool,
    band_label: str | None,
    hysteresis_counter: int,
    price_pence: float | None,
    action_time: datetime | None,
    state_data: dict[str, Any],
) -> None:
    """Store the decision (columns for upstream readers, the rest in state_data)."""
    row = session.get(AgileStrategy, strategy_id)
    if row is None:
        return
    row.enabled = enabled
    row.current_price_band = band_label[:20] if band_label else None
    row.hysteresis_counter = hysteresis_counter
    row.last_price_checked = price_pence
    if action_time is not None:
        row.last_action_time = to_naive_utc(action_time)
    row.state_data = state_data


def set_strategy_enabled(session: Session, strategy_id: int, enabled: bool) -> None:
    """Turn the strategy on or off."""
    row = session.get(AgileStrategy, strategy_id)
    if row is not None:
        row.enabled = enabled


def set_enrolled(session: Session, miner_id: int, enrolled: bool) -> None:
    """Create or update the miner's ``miner_strategy`` row."""
    row = session.scalars(
        select(MinerStrategy).where(MinerStrategy.miner_id == miner_id)
    ).first()
    if row is None:
        session.add(MinerStrategy(miner_id=miner_id, strategy_enabled=enrolled))
    else:
        row.strategy_enabled = enrolled


def _powered_rows(
    session: Session, miner_ids: Sequence[int], since: datetime
) -> list[tuple[int, float | None, Any]]:
    """(miner id, watts, data) of each telemetry row with power since ``since``."""
    if not miner_ids:
        return []
    query = select(Telemetry.miner_id, Telemetry.power_watts, Telemetry.data).where(
        Telemetry.miner_id.in_(list(miner_ids)),
        Telemetry.timestamp >= to_naive_utc(since),
        Telemetry.power_watts.is_not(None),
    )
    return [(row[0], row[1], row[2]) for row in session.execute(query)]


def mode_power(
    session: Session, miner_ids: Sequence[int], since: datetime
) -> dict[int, dict[str, float]]:
    """Mean recorded power per miner and mode (``Telemetry.data["mode"]``)."""
    sums: dict[int, dict[str, list[float]]] = {}
    for miner_id, watts, data in _powered_rows(session, miner_ids, since):
        mode = data.get("mode") if isinstance(data, dict) else None
        if isinstance(mode, str) and watts is not None and watts > 0:
            sums.setdefault(miner_id, {}).setdefault(mode, []).append(float(watts))
    return {
        miner_id: {mode: sum(v) / len(v) for mode, v in modes.items()}
        for miner_id, modes in sums.items()
    }


def efficiency_since(
    session: Session, miner_ids: Sequence[int], since: datetime
) -> dict[int, float]:
    """J/TH per miner from its recorded power and hashrate since ``since``."""
    watts: dict[int, list[float]] = {}
    ghs: dict[int, list[float]] = {}
    for miner_id, power, data in _powered_rows(session, miner_ids, since):
        rate = data.get("hashrate_ghs") if isinstance(data, dict) else None
        if isinstance(rate, int | float) and rate > 0 and power is not None:
            watts.setdefault(miner_id, []).append(float(power))
            ghs.setdefault(miner_id, []).append(float(rate))
    return {
        miner_id: (sum(w) / len(w)) / (sum(ghs[miner_id]) / len(w) / 1000.0)
        for miner_id, w in watts.items()
    }
