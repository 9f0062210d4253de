"""``hysteresis_slots`` counts half-hours whatever the source's slot length."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.home_miner_manager.prices.slots import PriceSlot
from custom_components.home_miner_manager.strategy.decide import (
    StrategyState,
    decide,
)

from .support import BANDS, BTC, DGB_ECO, DGB_STD, OFF, T0

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _slots(prices: list[float], minutes: int, start: datetime = T0) -> list[PriceSlot]:
    step = timedelta(minutes=minutes)
    return [
        PriceSlot(start + i * step, start + (i + 1) * step, p)
        for i, p in enumerate(prices)
    ]


def _replay(prices: list[float], minutes: int, n: int = 2) -> list[int | None]:
    slots = _slots(prices, minutes)
    state: StrategyState | None = None
    bands = []
    for slot in slots:
        # Only the slots up to now are published: the counter must do the work.
        known = [s for s in slots if s.start <= slot.start]
        decision = decide(
            known, BANDS, state, slot.start + timedelta(seconds=1), hysteresis_slots=n
        )
        state = decision.state
        bands.append(decision.band_id)
    return bands


@pytest.mark.parametrize(
    ("minutes", "n", "needed"),
    [
        (15, 2, 4),
        (15, 1, 4),
        (15, 3, 6),
        (30, 2, 2),
        (30, 3, 3),
        (60, 2, 1),
        (60, 3, 2),
        (60, 1, 1),
    ],
)
def test_leaving_off_needs_half_hours_of_time(
    minutes: int, n: int, needed: int
) -> None:
    bands = _replay([30.0] + [3.0] * 8, minutes, n)
    assert bands[:needed] == [OFF] * needed
    assert bands[needed] == BTC


@pytest.mark.parametrize(("minutes", "needed"), [(15, 6), (30, 3), (60, 2)])
def test_cheaper_band_after_n_half_hours(minutes: int, needed: int) -> None:
    # DGB eco, then 10 p (DGB std) with nothing published ahead: n = 3 is 90 min.
    state = StrategyState(band_id=DGB_ECO)
    slots = _slots([10.0] * 8, minutes)
    bands = []
    for i, slot in enumerate(slots):
        decision = decide(slots[: i + 1], BANDS, state, slot.start, hysteresis_slots=3)
        state = decision.state
        bands.append(decision.band_id)
    assert bands[needed - 2] == DGB_ECO
    assert bands[needed - 1] == DGB_STD


@pytest.mark.parametrize(
    ("day", "quarters"),
    [(datetime(2026, 3, 29), 92), (datetime(2026, 10, 25), 100)],  # noqa: DTZ001
)
def test_quarter_hours_on_dst_days(day: datetime, quarters: int) -> None:
    """A Stockholm day of 92 or 100 quarter-hours, dear 17:00-19:00 local."""
    start = day.replace(tzinfo=STOCKHOLM).astimezone(UTC)
    end = (day + timedelta(days=1)).replace(tzinfo=STOCKHOLM).astimezone(UTC)
    quarter = timedelta(minutes=15)
    assert (end - start) / quarter == quarters
    hours = [(start + i * quarter).astimezone(STOCKHOLM).hour for i in range(quarters)]
    slots = _slots([25.0 if 17 <= h < 19 else 3.0 for h in hours], 15, start)
    state: StrategyState | None = StrategyState(band_id=BTC)
    bands = []
    for slot in slots:
        decision = decide(slots, BANDS, state, slot.start + timedelta(minutes=5))
        state = decision.state
        bands.append(decision.band_id)
    off_hours = [h for h, b in zip(hours, bands, strict=True) if b == OFF]
    assert off_hours == [17] * 4 + [18] * 4
    assert bands.count(BTC) == quarters - 8
