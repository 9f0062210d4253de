"""The plan as calendar events (pure): what each miner does, the cost estimate."""

from __future__ import annotations

from dataclasses import replace

from custom_components.home_miner_manager.strategy.calendar_plan import (
    NO_BAND,
    PlannedMiner,
    plan_events,
)
from custom_components.home_miner_manager.strategy.outlook import plan_periods
from custom_components.home_miner_manager.strategy.view import MinerView

from .support import BANDS, DGB_ECO, T0, make_slots

POOLS = {"DGB": "Solo DGB", "BCH": "Solo BCH", "BTC": "Solo BTC"}


def _miner(
    miner_id: int, name: str, power: float | None, *, switch: bool = True
) -> PlannedMiner:
    view = MinerView(
        miner_id, "bitaxe", has_power_switch=switch, efficiency_j_th=float(miner_id)
    )
    return PlannedMiner(view, name, power)


def test_each_miner_and_the_cost_per_period() -> None:
    # OFF for an hour, then DGB eco (15p) for an hour (confirmed ahead).
    periods = plan_periods(make_slots([25.0, 25.0, 15.0, 15.0]), BANDS, None, T0)
    miners = [_miner(1, "Desk", 20.0), _miner(2, "Shelf", 10.0, switch=False)]
    off, eco = plan_events(periods, miners, POOLS, None, "p/kWh")
    assert off.summary == "OFF >=20p"
    assert "Desk: off" in off.description
    assert "Shelf: eco mode" in off.description  # no switch: its lowest mode
    # Only Shelf draws power: 10 W for an hour at 25p.
    assert off.cost == 10 / 1000 * 1 * 25.0
    assert eco.summary == "DGB 12-20p"
    assert eco.band_id == DGB_ECO
    assert "Desk: DGB on Solo DGB, eco mode" in eco.description
    assert eco.cost == 30 / 1000 * 1 * 15.0
    assert eco.description.splitlines()[0] == "Price 15.00-15.00 p/kWh (mean 15.00)"
    assert eco.description.splitlines()[-1] == "Estimated energy cost: 0.45 p"


def test_champion_band_unknown_power_and_no_miners() -> None:
    champion = [replace(b, champion=b.id == DGB_ECO) for b in BANDS]
    periods = plan_periods(make_slots([15.0, 15.0]), champion, None, T0)
    miners = [_miner(1, "Best", None), _miner(2, "Worse", 12.0)]
    (event,) = plan_events(periods, miners, POOLS, None, "p/kWh")
    assert "Best: DGB on Solo DGB, eco mode (champion)" in event.description
    assert "Worse: off (benched: the champion mines)" in event.description
    # The benched miner draws nothing; the champion's power is unknown.
    assert event.cost == 0.0
    assert event.description.endswith("0.00 p (without Best: no power reading)")
    (unknown,) = plan_events(periods, miners[:1], POOLS, None, "p/kWh")
    assert unknown.cost is None
    assert "Estimated energy cost: unknown" in unknown.description
    (alone,) = plan_events(periods, [], POOLS, None, "öre/kWh")
    assert "No miner is enrolled." in alone.description
    assert alone.cost == 0.0
    assert alone.description.endswith("0.00 öre")


def test_no_band_for_the_price() -> None:
    only_cheap = [b for b in BANDS if b.target_coin != "OFF"]
    periods = plan_periods(make_slots([25.0, 25.0]), only_cheap, None, T0)
    (event,) = plan_events(periods, [_miner(1, "Desk", 20.0)], POOLS, None, "p/kWh")
    assert event.summary == NO_BAND
    assert event.band_id is None
    assert "Desk: off" in event.description
