"""Figures about the known prices at a given moment (for sensors and attributes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from .slots import merge_slots, slot_at

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .slots import PriceSlot

UK = ZoneInfo("Europe/London")


@dataclass(frozen=True, slots=True)
class DayStats:
    """Today's prices (the local day of ``now``) and the slots around ``now``."""

    day: date
    slot_count: int
    min_pence: float | None
    max_pence: float | None
    average_pence: float | None  # plain mean of the day's slots, like Octopus's
    current: PriceSlot | None
    next: PriceSlot | None


def day_stats(slots: Iterable[PriceSlot], now: datetime, tz: tzinfo = UK) -> DayStats:
    """Compute today's min / max / average and the current and next slot."""
    ordered = merge_slots(slots)  # sorted, without duplicates or overlaps
    day = now.astimezone(tz).date()
    day_start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    day_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(
        UTC
    )
    prices = [s.price_pence for s in ordered if day_start <= s.start < day_end]
    current = slot_at(ordered, now)
    after = current.end if current is not None else now
    upcoming = next((s for s in ordered if s.start >= after), None)
    return DayStats(
        day=day,
        slot_count=len(prices),
        min_pence=min(prices) if prices else None,
        max_pence=max(prices) if prices else None,
        average_pence=sum(prices) / len(prices) if prices else None,
        current=current,
        next=upcoming,
    )
