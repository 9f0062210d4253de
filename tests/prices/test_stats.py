"""Daily figures (prices/stats.py), including the DST days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.home_miner_manager.prices.slots import PriceSlot
from custom_components.home_miner_manager.prices.stats import day_stats

HALF = timedelta(minutes=30)


def _day(start: datetime, count: int, price: float = 10.0) -> list[PriceSlot]:
    return [
        PriceSlot(start + i * HALF, start + (i + 1) * HALF, price + i)
        for i in range(count)
    ]


def test_min_max_average_current_next() -> None:
    # 2026-11-20 (GMT): UK day = UTC day; plus yesterday's last and tomorrow's first.
    start = datetime(2026, 11, 20, tzinfo=UTC)
    slots = [
        PriceSlot(start - HALF, start, -50.0),
        *_day(start, 48),
        PriceSlot(start + 48 * HALF, start + 49 * HALF, 99.0),
    ]
    stats = day_stats(reversed(slots), start + timedelta(hours=3, minutes=10))
    assert stats.slot_count == 48
    assert stats.min_pence == 10.0
    assert stats.max_pence == 57.0
    assert stats.average_pence == pytest.approx(33.5)
    assert stats.current is not None
    assert stats.current.start == start + 6 * HALF
    assert stats.next is not None
    assert stats.next.start == start + 7 * HALF


@pytest.mark.parametrize(
    ("uk_midnight_utc", "slots_in_day", "now"),
    [
        # Spring forward: 00:00 GMT = 00:00 UTC, next midnight is 23:00 UTC.
        (
            datetime(2026, 3, 29, 0, 0, tzinfo=UTC),
            46,
            datetime(2026, 3, 29, 22, 45, tzinfo=UTC),
        ),
        # Fall back: 00:00 BST = 23:00 UTC the day before; 50 slots.
        (
            datetime(2026, 10, 24, 23, 0, tzinfo=UTC),
            50,
            datetime(2026, 10, 25, 23, 45, tzinfo=UTC),
        ),
    ],
)
def test_dst_days_count_their_slots(
    uk_midnight_utc: datetime, slots_in_day: int, now: datetime
) -> None:
    slots = _day(uk_midnight_utc - 4 * HALF, slots_in_day + 8)
    stats = day_stats(slots, now)
    assert stats.slot_count == slots_in_day
    assert stats.min_pence == 14.0  # the fifth slot is UK midnight
    assert stats.current is not None
    assert stats.current.contains(now)


def test_no_current_slot_gives_next_after_now() -> None:
    start = datetime(2026, 11, 20, 12, tzinfo=UTC)
    slots = _day(start, 4)
    stats = day_stats(slots, start - timedelta(hours=1))
    assert stats.current is None
    assert stats.next == slots[0]
    empty = day_stats([], start)
    assert (empty.slot_count, empty.min_pence, empty.average_pence) == (0, None, None)
