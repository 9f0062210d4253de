"""PriceSlot, merging and lookup (prices/slots.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import math
from zoneinfo import ZoneInfo

import pytest

from custom_components.home_miner_manager.prices.slots import (
    PriceSlot,
    make_slot,
    merge_slots,
    slot_at,
    slot_index_at,
)

T0 = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
HALF = timedelta(minutes=30)


def _slot(i: int, price: float, length: timedelta = HALF) -> PriceSlot:
    return PriceSlot(T0 + i * HALF, T0 + i * HALF + length, price)


@pytest.mark.parametrize(
    ("start", "end", "price"),
    [
        (datetime(2026, 1, 1), datetime(2026, 1, 1, 0, 30), 1.0),  # noqa: DTZ001
        (T0, T0, 1.0),
        (T0 + HALF, T0, 1.0),
        (T0, T0 + HALF, math.nan),
        (T0, T0 + HALF, math.inf),
    ],
)
def test_slot_refuses_unusable(start: datetime, end: datetime, price: float) -> None:
    with pytest.raises(ValueError, match="slot"):
        PriceSlot(start, end, price)


def test_make_slot_converts_to_utc() -> None:
    london = ZoneInfo("Europe/London")
    slot = make_slot(
        datetime(2026, 7, 1, 12, 0, tzinfo=london),
        datetime(2026, 7, 1, 12, 30, tzinfo=london),
        -2.5,
    )
    assert slot.start == datetime(2026, 7, 1, 11, 0, tzinfo=UTC)
    assert slot.start.tzinfo is UTC
    assert slot.price_pence == -2.5


def test_merge_first_source_wins_and_sorts() -> None:
    entity = [_slot(2, 10.0), _slot(1, 11.0)]
    api = [_slot(1, 99.0), _slot(0, 12.0), _slot(3, 13.0)]
    merged = merge_slots(entity, api)
    assert [s.price_pence for s in merged] == [12.0, 11.0, 10.0, 13.0]


def test_merge_drops_overlapping_slot() -> None:
    hour = _slot(0, 5.0, length=2 * HALF)
    merged = merge_slots([hour], [_slot(1, 7.0), _slot(2, 8.0)])
    assert merged == [hour, _slot(2, 8.0)]


def test_lookup_inside_edges_and_gaps() -> None:
    slots = [_slot(0, 1.0), _slot(1, 2.0), _slot(3, 4.0)]
    assert slot_at(slots, T0) == slots[0]
    assert slot_at(slots, T0 + HALF - timedelta(microseconds=1)) == slots[0]
    assert slot_at(slots, T0 + HALF) == slots[1]
    assert slot_at(slots, T0 + 2 * HALF) is None  # the gap
    assert slot_index_at(slots, T0 + 3 * HALF + timedelta(minutes=5)) == 2
    assert slot_at(slots, T0 - timedelta(seconds=1)) is None
    assert slot_at(slots, T0 + 4 * HALF) is None
    assert slot_at([], T0) is None
    assert slots[1].contains(T0 + HALF)
    assert not slots[1].contains(T0 + 2 * HALF)
