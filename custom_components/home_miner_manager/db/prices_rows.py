"""``energy_prices`` and ``crypto_prices`` rows (plain SQLAlchemy, one Session).

``energy_prices`` has no unique key in the fixed schema, so the upsert on
(region, valid_from) reads the slots of the window first and then updates or
inserts; one writer (the hub) means no race between the two.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from ..prices.slots import PriceSlot
from .base import to_naive_utc, utcnow
from .models import CryptoPrice, EnergyPrice

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from sqlalchemy.orm import Session


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def upsert_energy_prices(
    session: Session, region: str, slots: Sequence[PriceSlot]
) -> int:
    """Insert or update slots on (region, valid_from); return rows written."""
    if not slots:
        return 0
    starts = {to_naive_utc(slot.start): slot for slot in slots}
    existing = {
        row.valid_from: row
        for row in session.scalars(
            select(EnergyPrice).where(
                EnergyPrice.region == region,
                EnergyPrice.valid_from >= min(starts),
                EnergyPrice.valid_from <= max(starts),
            )
        )
    }
    written = 0
    for start, slot in starts.items():
        end = to_naive_utc(slot.end)
        row = existing.get(start)
        if row is None:
            session.add(
                EnergyPrice(
                    region=region,
                    valid_from=start,
                    valid_to=end,
                    price_pence=slot.price_pence,
                )
            )
            written += 1
        elif row.price_pence != slot.price_pence or row.valid_to != end:
            row.price_pence = slot.price_pence
            row.valid_to = end
            written += 1
    return written


def load_energy_prices(
    session: Session, region: str | None, start: datetime, end: datetime
) -> list[PriceSlot]:
    """Return stored slots starting in [start, end) (one region, or any when None)."""
    query = select(EnergyPrice).where(
        EnergyPrice.valid_from >= to_naive_utc(start),
        EnergyPrice.valid_from < to_naive_utc(end),
    )
    if region is not None:
        query = query.where(EnergyPrice.region == region)
    slots: list[PriceSlot] = []
    for row in session.scalars(query.order_by(EnergyPrice.valid_from)):
        try:
            slots.append(
                PriceSlot(_aware(row.valid_from), _aware(row.valid_to), row.price_pence)
            )
        except ValueError:
            continue  # a damaged row is skipped, never fatal
    return slots


def upsert_crypto_prices(
    session: Session, prices: Iterable[tuple[str, float, str]]
) -> None:
    """One row per coin (coin, GBP, source), updated in place."""
    rows = {row.coin_id: row for row in session.scalars(select(CryptoPrice))}
    for coin, price_gbp, source in prices:
        row = rows.get(coin)
        if row is None:
            session.add(
                CryptoPrice(
                    coin_id=coin,
                    price_gbp=price_gbp,
                    source=source,
                    updated_at=utcnow(),
                )
            )
        else:
            row.price_gbp = price_gbp
            row.source = source
            row.updated_at = utcnow()


def load_crypto_prices(session: Session) -> Mapping[str, tuple[float, str, datetime]]:
    """Coin → (GBP, source, aware updated_at)."""
    return {
        row.coin_id: (row.price_gbp, row.source, _aware(row.updated_at))
        for row in session.scalars(select(CryptoPrice))
    }
