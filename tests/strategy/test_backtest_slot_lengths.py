"""Backtest over 15- and 60-minute slots: energy by duration, hysteresis in time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from custom_components.home_miner_manager.devices.types import MinerType
from custom_components.home_miner_manager.prices.slots import PriceSlot
from custom_components.home_miner_manager.strategy.backtest import (
    BacktestMiner,
    run_backtest,
)

from .support import BANDS, BTC, DGB_ECO, OFF, T0

NM = BacktestMiner("nm", MinerType.NMMINER, {"fixed": 10.0})


def _slots(hourly: list[float], minutes: int) -> list[PriceSlot]:
    """The same hourly price curve cut into ``minutes``-long slots."""
    length = timedelta(minutes=minutes)
    per_hour = 60 // minutes
    return [
        PriceSlot(
            T0 + (h * per_hour + i) * length, T0 + (h * per_hour + i + 1) * length, p
        )
        for h, p in enumerate(hourly)
        for i in range(per_hour)
    ]


@pytest.mark.parametrize("minutes", [15, 30, 60])
def test_same_hours_same_result(minutes: int) -> None:
    """An hour OFF (25), two at BTC (3): 2 h on, 10 W, whatever the slot length."""
    result = run_backtest(_slots([25.0, 3.0, 3.0], minutes), BANDS, [NM])
    per_hour = 60 // minutes
    assert result.slot_band_ids == [OFF] * per_hour + [BTC] * 2 * per_hour
    (nm,) = result.miners
    assert nm.hours_on == pytest.approx(2.0)
    assert nm.kwh == pytest.approx(0.02)  # 10 W x 2 h
    assert nm.cost == pytest.approx(10 * 3 * 2 / 1000 / 100)  # 3 c/kWh, in euros
    assert nm.always_on_kwh == pytest.approx(0.03)
    assert nm.always_on_cost == pytest.approx(10 * (25 + 3 + 3) / 1000 / 100)


def test_half_an_hour_cheap_is_not_enough_in_quarter_hours() -> None:
    """Two cheap quarter-hours are half an hour: hysteresis 2 needs an hour."""
    quarter = timedelta(minutes=15)
    prices = [15.0] * 4 + [3.0, 3.0] + [15.0] * 4
    slots = [
        PriceSlot(T0 + i * quarter, T0 + (i + 1) * quarter, p)
        for i, p in enumerate(prices)
    ]
    result = run_backtest(slots, BANDS, [NM], hysteresis_slots=2)
    assert result.slot_band_ids == [DGB_ECO] * 10
    # Four cheap quarter-hours are an hour: BTC.
    prices = [15.0] * 4 + [3.0] * 4 + [15.0] * 2
    slots = [
        PriceSlot(T0 + i * quarter, T0 + (i + 1) * quarter, p)
        for i, p in enumerate(prices)
    ]
    result = run_backtest(slots, BANDS, [NM], hysteresis_slots=2)
    assert result.slot_band_ids == [DGB_ECO] * 4 + [BTC] * 4 + [DGB_ECO] * 2


def test_hourly_slots_round_hysteresis_up() -> None:
    """Three half hours with hourly prices: two cheap hours are needed."""
    one_cheap = run_backtest(
        _slots([15.0, 3.0, 15.0], 60), BANDS, [NM], hysteresis_slots=3
    )
    assert one_cheap.slot_band_ids == [DGB_ECO] * 3
    two_cheap = run_backtest(
        _slots([15.0, 3.0, 3.0, 15.0], 60), BANDS, [NM], hysteresis_slots=3
    )
    assert two_cheap.slot_band_ids == [DGB_ECO, BTC, BTC, DGB_ECO]


def test_costs_in_the_major_unit_of_a_zero_decimal_currency() -> None:
    """Yen have no minor unit: 30 JPY/kWh x 10 W x 1 h = 0.3 JPY."""
    result = run_backtest(_slots([3.0], 60), BANDS, [NM], minor_per_major=1)
    assert result.miners[0].always_on_cost == pytest.approx(10 * 3 / 1000)
