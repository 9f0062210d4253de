"""Shared helpers for the strategy tests: slots from price lists, replay loops."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
import json

from custom_components.home_miner_manager.prices.slots import PriceSlot
from custom_components.home_miner_manager.strategy.bands import Band, default_bands
from custom_components.home_miner_manager.strategy.decide import (
    Decision,
    StrategyState,
    decide,
)

T0 = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
HALF = timedelta(minutes=30)
# Upstream's bands (Bitaxes at oc when cheap): the logic tests were worked
# out on them; the shipped defaults differ only in modes (test_bands).
BANDS = [
    replace(band, bitaxe_mode="oc") if band.target_coin in {"BCH", "BTC"} else band
    for band in default_bands()
]
OFF, DGB_ECO, DGB_STD, BCH, BTC = (band.id for band in BANDS)  # ids 1..5


def at(i: int, minutes: float = 1) -> datetime:
    """A moment inside slot ``i``."""
    return T0 + i * HALF + timedelta(minutes=minutes)


def make_slots(prices: Sequence[float | None], start: datetime = T0) -> list[PriceSlot]:
    """Consecutive half-hour slots; None leaves a gap (no price for that slot)."""
    return [
        PriceSlot(start + i * HALF, start + (i + 1) * HALF, price)
        for i, price in enumerate(prices)
        if price is not None
    ]


def state(band_id: int | None, **kwargs: object) -> StrategyState:
    """A previous state in band ``band_id``."""
    return StrategyState(band_id=band_id, **kwargs)  # type: ignore[arg-type]


def replay(
    prices: Sequence[float | None],
    *,
    start: StrategyState | None = None,
    ahead: int | None = None,
    bands: Sequence[Band] = BANDS,
    restart: bool = False,
    **kwargs: object,
) -> list[Decision]:
    """Decide at every slot; ``ahead`` limits how many future slots are published.

    ``restart`` passes the state through JSON between calls, as a restart would.
    """
    slots = make_slots(prices)
    current = start
    decisions = []
    for i in range(len(prices)):
        limit = T0 + (i + 1 + ahead) * HALF if ahead is not None else None
        known = [s for s in slots if limit is None or s.start < limit]
        decision = decide(known, bands, current, at(i), **kwargs)  # type: ignore[arg-type]
        decisions.append(decision)
        current = decision.state
        if restart:
            current = StrategyState.from_dict(json.loads(json.dumps(current.to_dict())))
    return decisions


def band_ids(decisions: Sequence[Decision]) -> list[int | None]:
    """The band in effect after each decision."""
    return [d.band_id for d in decisions]
