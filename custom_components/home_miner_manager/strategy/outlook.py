"""The strategy's plan ahead: which band each known slot will run, as periods.

Every known slot from now on is decided by :func:`.decide.decide_at` (the
function the live strategy runs), carrying the state from slot to slot, so
hysteresis is included: this is what will happen with the prices known now,
not the raw price bands. The replay stops at the first gap in the prices
(nothing can be promised after it). Consecutive slots of the same band form
one period.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..prices.slots import slot_index_at
from .decide import (
    DEFAULT_HYSTERESIS_SLOTS,
    Market,
    StrategyState,
    WhenPriceUnknown,
    decide_at,
)

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from ..prices.slots import PriceSlot
    from .bands import Band


@dataclass(frozen=True, slots=True)
class PlannedPeriod:
    """Consecutive slots that run the same band (``band`` None: off, no band)."""

    start: datetime
    end: datetime
    band: Band | None
    prices: tuple[float, ...]  # pence/kWh of each slot, in order

    @property
    def min_price(self) -> float:
        """Cheapest slot of the period."""
        return min(self.prices)

    @property
    def max_price(self) -> float:
        """Dearest slot of the period."""
        return max(self.prices)

    @property
    def mean_price(self) -> float:
        """Mean slot price (every slot is equally long)."""
        return sum(self.prices) / len(self.prices)


def plan_periods(
    slots: Iterable[PriceSlot],
    bands: Iterable[Band],
    state: StrategyState | None,
    now: datetime,
    *,
    hysteresis_slots: int = DEFAULT_HYSTERESIS_SLOTS,
    when_price_unknown: WhenPriceUnknown | str = WhenPriceUnknown.OFF,
    until: datetime | None = None,
) -> list[PlannedPeriod]:
    """Replay the known slots from the one holding ``now`` (until ``until``).

    ``state`` is the strategy's stored state (None: a first start). The first
    period starts at the current slot's start. No price for the current slot
    gives no periods.
    """
    market = Market.prepare(
        slots,
        bands,
        hysteresis_slots=hysteresis_slots,
        when_price_unknown=when_price_unknown,
    )
    index = slot_index_at(market.slots, now)
    if index is None:
        return []
    periods: list[PlannedPeriod] = []
    current = state or StrategyState()
    moment = now
    for j in range(index, len(market.slots)):
        slot = market.slots[j]
        if j > index and slot.start != market.slots[j - 1].end:
            break  # a gap: the price there is unknown
        if until is not None and slot.start >= until:
            break
        decision = decide_at(market, j, current, moment)
        current, moment = decision.state, market.slots[j].end
        band = decision.band
        last = periods[-1] if periods else None
        if last is not None and _same(last.band, band):
            periods[-1] = PlannedPeriod(
                last.start, slot.end, last.band, (*last.prices, slot.price_pence)
            )
        else:
            periods.append(
                PlannedPeriod(slot.start, slot.end, band, (slot.price_pence,))
            )
    return periods


def _same(first: Band | None, second: Band | None) -> bool:
    if first is None or second is None:
        return first is second
    return first.id == second.id
