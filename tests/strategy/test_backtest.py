"""Backtest against a hand-worked example (strategy/backtest.py)."""

from __future__ import annotations

from dataclasses import replace
import random

import pytest

from custom_components.home_miner_manager.devices.types import MinerType
from custom_components.home_miner_manager.strategy.backtest import (
    BacktestMiner,
    run_backtest,
)
from custom_components.home_miner_manager.strategy.bands import MANAGED_EXTERNALLY

from .support import BANDS, BCH, BTC, DGB_STD, OFF, band_ids, make_slots, replay

BITAXE = BacktestMiner(
    "bitaxe",
    MinerType.BITAXE,
    {"eco": 10.0, "standard": 15.0, "turbo": 20.0, "oc": 25.0},
)
AVALON = BacktestMiner(
    "avalon",
    MinerType.AVALON_NANO,
    {"low": 40.0, "med": 60.0, "high": 80.0},
    has_power_switch=False,
)


def test_hand_worked_example() -> None:
    # OFF, OFF, BTC, BTC (two cheap slots published), DGB std (dearer: at once).
    prices = [25.0, 25.0, 3.0, 3.0, 10.0, 10.0]
    result = run_backtest(make_slots(prices), BANDS, [BITAXE, AVALON])
    assert result.slot_band_ids == [OFF, OFF, BTC, BTC, DGB_STD, DGB_STD]
    assert result.band_switches == 2
    bitaxe, avalon = result.miners
    # Bitaxe: off, 1 h at oc (25 W) at 3 p, 1 h at standard (15 W) at 10 p.
    assert bitaxe.kwh == pytest.approx(0.040)
    assert bitaxe.cost == pytest.approx(0.00225)
    assert bitaxe.always_on_kwh == pytest.approx(0.045)  # 15 W for 3 h
    assert bitaxe.always_on_cost == pytest.approx(0.0057)  # 76 p x 7.5 Wh
    assert bitaxe.saving == pytest.approx(0.00345)
    assert bitaxe.switches == 2
    assert bitaxe.hours_on == pytest.approx(2.0)
    # Avalon without a switch: low (40 W) in OFF, high (80 W), med (60 W).
    assert avalon.kwh == pytest.approx(0.18)
    assert avalon.cost == pytest.approx(0.0184)
    assert avalon.always_on_cost == pytest.approx(0.0228)
    assert avalon.switches == 2
    assert avalon.hours_on == pytest.approx(3.0)


def test_champion_band_and_managed_externally() -> None:
    bands = [replace(b, champion=True) if b.id == BCH else b for b in BANDS]
    good = replace(BITAXE, name="good", efficiency_j_th=15.0)
    poor = replace(BITAXE, name="poor", efficiency_j_th=22.0, off_w=1.0)
    result = run_backtest(make_slots([5.0, 5.0]), bands, [good, poor])
    assert result.slot_band_ids == [BCH, BCH]
    by_name = {m.name: m for m in result.miners}
    assert by_name["good"].kwh == pytest.approx(0.010)  # eco 10 W for 1 h
    assert by_name["poor"].kwh == pytest.approx(0.001)  # standby 1 W
    # A managed_externally mode leaves the miner as it was (running, baseline).
    external = [replace(b, bitaxe_mode=MANAGED_EXTERNALLY) for b in BANDS]
    hands_off = run_backtest(make_slots([5.0, 5.0]), external, [BITAXE]).miners[0]
    assert hands_off.kwh == pytest.approx(hands_off.always_on_kwh)
    assert hands_off.switches == 0


def test_missing_power_figure_is_named() -> None:
    partial = BacktestMiner("partial", MinerType.BITAXE, {"standard": 15.0})
    with pytest.raises(ValueError, match="partial: no power figure for mode oc"):
        run_backtest(make_slots([3.0, 3.0]), BANDS, [partial])


def test_nmminer_has_pool_and_power_only() -> None:
    nm = BacktestMiner("nm", MinerType.NMMINER, {"fixed": 1.2})
    result = run_backtest(make_slots([25.0, 3.0, 3.0, 8.0]), BANDS, [nm]).miners[0]
    assert result.kwh == pytest.approx(1.2 * 1.5 / 1000)
    assert result.switches == 2  # on with BTC pool, then DGB pool


def test_same_bands_as_the_live_decision() -> None:
    rng = random.Random(9)
    prices = [round(rng.uniform(-5, 35), 2) for _ in range(400)]
    for n in (1, 2, 3):
        backtest = run_backtest(make_slots(prices), BANDS, [], hysteresis_slots=n)
        assert backtest.slot_band_ids == band_ids(replay(prices, hysteresis_slots=n))
