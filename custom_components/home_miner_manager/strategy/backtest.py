"""Replay past prices through the same decision to compare with always-on.

Every slot is decided by :func:`.decide.decide_at` (the function the live
strategy runs), at the slot's start, with all replayed prices known. Miners
then follow the plan rules of :mod:`.plan` (switch off in OFF bands or drop
to the lowest mode without a switch; band mode otherwise; a
``managed_externally`` mode leaves the miner as it was; in a champion band
only the lowest-J/TH miner runs, at its lowest mode). Energy and cost are
summed per run of equal bands, so a year of slots for many miners is cheap.

Slots keep their own length (15, 30 or 60 minutes, mixed even): a slot's
energy is power x its duration, and ``hysteresis_slots`` counts half hours
of time as :func:`.decide.decide_at` does. Prices are minor units per kWh;
costs come out in the major unit (``minor_per_major``: 100 p in a pound).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from .bands import LOWEST_MODE, MANAGED_EXTERNALLY
from .decide import (
    DEFAULT_HYSTERESIS_SLOTS,
    Market,
    StrategyState,
    WhenPriceUnknown,
    decide_at,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from ..prices.slots import PriceSlot
    from .bands import Band

BASELINE_MODES: Final = ("standard", "med")  # what "always on" runs by default


@dataclass(frozen=True, slots=True)
class BacktestMiner:
    """A miner's measured draw per mode (W); NMMiner: one entry, any name."""

    name: str
    miner_type: str
    power_w: Mapping[str, float]
    always_on_mode: str | None = None  # None: standard / med / the only mode
    has_power_switch: bool = True
    off_w: float = 0.0  # standby draw when switched off
    efficiency_j_th: float | None = None  # picks the champion

    def baseline_mode(self) -> str:
        """Return the mode the always-on comparison runs."""
        if self.always_on_mode is not None:
            return self.always_on_mode
        for mode in BASELINE_MODES:
            if mode in self.power_w:
                return mode
        return next(iter(self.power_w))

    def watts(self, mode: str) -> float:
        """Return the draw in ``mode``; ValueError names a missing measurement."""
        try:
            return self.power_w[mode]
        except KeyError:
            raise ValueError(f"{self.name}: no power figure for mode {mode}") from None


@dataclass(frozen=True, slots=True)
class MinerResult:
    """One miner under the strategy vs always on."""

    name: str
    kwh: float
    cost: float  # major unit of the prices' currency (GBP for pence)
    always_on_kwh: float
    always_on_cost: float
    switches: int  # changes of power, pool or mode after the first slot's set-up
    hours_on: float

    @property
    def saving(self) -> float:
        """Return what the strategy saved against always-on."""
        return self.always_on_cost - self.cost


@dataclass(frozen=True, slots=True)
class BacktestResult:
    """Per-slot bands, band changes and per-miner figures."""

    slot_band_ids: list[int | None]
    band_switches: int
    miners: list[MinerResult]


# A miner's setting: (powered, coin, mode); None = left as it was.
_Setting = tuple[bool, str | None, str | None]


@dataclass(slots=True)
class _Runs:
    """Runs of equal bands, shared by every miner: (band id, hours, price x hours)."""

    runs: list[tuple[int | None, float, float]]
    hours: float = 0.0
    price_hours: float = 0.0

    def add(self, band_id: int | None, hours: float, price_pence: float) -> None:
        price_hours = price_pence * hours
        self.hours += hours
        self.price_hours += price_hours
        if self.runs and self.runs[-1][0] == band_id:
            _, run_hours, run_price_hours = self.runs[-1]
            self.runs[-1] = (band_id, run_hours + hours, run_price_hours + price_hours)
        else:
            self.runs.append((band_id, hours, price_hours))


def _next_setting(
    miner: BacktestMiner, band: Band | None, setting: _Setting, champion: str | None
) -> _Setting:
    """Where the plan rules take this miner when ``band`` starts."""
    _, coin, mode = setting
    lowest = LOWEST_MODE.get(miner.miner_type)
    benched = band is not None and band.champion and champion != miner.name
    if band is None or band.is_off or benched:
        if miner.has_power_switch:
            return (False, coin, mode)
        return (True, coin, lowest or mode)
    if band.champion:
        return (True, band.target_coin, lowest or mode)
    band_mode = band.mode_for(miner.miner_type)
    if band_mode == MANAGED_EXTERNALLY:
        return setting
    return (True, band.target_coin, band_mode or mode)


def run_backtest(
    slots: Iterable[PriceSlot],
    bands: Sequence[Band],
    miners: Sequence[BacktestMiner],
    *,
    hysteresis_slots: int = DEFAULT_HYSTERESIS_SLOTS,
    when_price_unknown: WhenPriceUnknown | str = WhenPriceUnknown.OFF,
    minor_per_major: int = 100,
) -> BacktestResult:
    """Replay ``slots`` and price each miner's energy against always-on."""
    market = Market.prepare(
        slots,
        bands,
        hysteresis_slots=hysteresis_slots,
        when_price_unknown=when_price_unknown,
    )
    state = StrategyState()
    band_ids: list[int | None] = []
    runs = _Runs([])
    for index, slot in enumerate(market.slots):
        state = decide_at(market, index, state, slot.start).state
        band_ids.append(state.band_id)
        hours = (slot.end - slot.start).total_seconds() / 3600.0
        runs.add(state.band_id, hours, slot.price_pence)
    champion = _champion(miners)
    results = [
        _replay_miner(miner, runs, market.table.by_id, champion, minor_per_major)
        for miner in miners
    ]
    return BacktestResult(band_ids, max(len(runs.runs) - 1, 0), results)


def _champion(miners: Sequence[BacktestMiner]) -> str | None:
    known = [m for m in miners if m.efficiency_j_th is not None]
    if known:
        return min(known, key=lambda m: m.efficiency_j_th or 0.0).name
    return miners[0].name if miners else None


def _replay_miner(
    miner: BacktestMiner,
    runs: _Runs,
    by_id: Mapping[int, Band],
    champion: str | None,
    minor_per_major: int,
) -> MinerResult:
    baseline_w = miner.watts(miner.baseline_mode())
    setting: _Setting = (True, None, miner.baseline_mode())  # running as found
    watt_hours = cost_minor_wh = hours_on = 0.0
    switches = 0
    for number, (band_id, hours, price_hours) in enumerate(runs.runs):
        band = by_id.get(band_id) if band_id is not None else None
        new = _next_setting(miner, band, setting, champion)
        if new != setting:
            switches += 1 if number else 0
            setting = new
        powered, _, mode = setting
        watts = miner.watts(mode or miner.baseline_mode()) if powered else miner.off_w
        watt_hours += watts * hours
        cost_minor_wh += watts * price_hours
        hours_on += hours if powered else 0.0
    per_major_wh = 1000.0 * minor_per_major  # W x c/kWh x h = c/1000; then /100
    return MinerResult(
        name=miner.name,
        kwh=watt_hours / 1000.0,
        cost=cost_minor_wh / per_major_wh,
        always_on_kwh=baseline_w * runs.hours / 1000.0,
        always_on_cost=baseline_w * runs.price_hours / per_major_wh,
        switches=switches,
        hours_on=hours_on,
    )
