"""Why the strategy has a miner on or off, from what it knows now (pure).

One answer per miner, the first that applies: the strategy off (or without a
price source), the miner not enrolled, no decision or no price yet, the miner
(or the band's mode) managed externally, benched by the champion, held back
by the rate limit, waiting for enough cheaper slots (hysteresis), off for the
price, else mining in the band. The values are the option keys of the
``strategy_reason`` sensor; Assist's "why" answer uses the same function.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from .decide import Reason
from .plan import PlanReason

if TYPE_CHECKING:
    from datetime import datetime

    from .bands import Band
    from .decide import Decision


class StrategyReason(StrEnum):
    """Why a miner is where the strategy put it."""

    MINING = "mining"  # mining in a band
    OFF_PRICE = "off_price"  # the price is in the OFF band (or no band)
    WAITING = "waiting_hysteresis"  # hysteresis: waiting for enough cheaper slots
    RATE_LIMITED = "rate_limited"
    BENCHED = "benched"  # a champion band, another miner is champion
    NOT_ENROLLED = "not_enrolled"
    PRICE_UNKNOWN = "price_unknown"
    MANAGED_EXTERNALLY = "managed_externally"
    STRATEGY_OFF = "strategy_off"


@dataclass(frozen=True, slots=True)
class ReasonInput:
    """What the strategy knows about one miner now (plain data)."""

    strategy_configured: bool  # a price source is set (the strategy exists)
    strategy_enabled: bool
    enrolled: bool
    decision: Decision | None
    # What the plan rules give this miner for the band in effect (None: the
    # caller did not plan it, e.g. strategy off or not enrolled).
    plan_reason: PlanReason | None = None
    hysteresis_slots: int = 2
    has_power_switch: bool = True


@dataclass(frozen=True, slots=True)
class MinerReason:
    """The reason, the band in effect, and the next change the prices lead to."""

    reason: StrategyReason
    band: Band | None = None
    target_band: Band | None = None
    changes_at: datetime | None = None
    slots_to_wait: int | None = None  # WAITING: cheaper slots still needed
    price_pence: float | None = None
    at_lowest_mode: bool = False  # OFF, but no power switch: lowest mode
    cannot_turn_off: bool = False  # OFF, but neither a switch nor modes


def slots_still_needed(decision: Decision, hysteresis_slots: int) -> int:
    """Cheaper slots still to come before the strategy moves (the counter's rule)."""
    band = decision.band
    needed = (
        max(hysteresis_slots, 2)
        if band is None or band.is_off
        else max(hysteresis_slots, 1)
    )
    return max(needed - decision.hysteresis_counter, 1)


def miner_reason(
    data: ReasonInput, bands_by_id: dict[int, Band] | None = None
) -> MinerReason:
    """Return why the strategy has this miner where it is."""
    if not data.strategy_configured or not data.strategy_enabled:
        return MinerReason(StrategyReason.STRATEGY_OFF)
    if not data.enrolled:
        return MinerReason(StrategyReason.NOT_ENROLLED)
    decision = data.decision
    if decision is None:
        return MinerReason(StrategyReason.PRICE_UNKNOWN)
    next_change = decision.next_change
    target = (
        (bands_by_id or {}).get(next_change.band_id)
        if next_change is not None and next_change.band_id is not None
        else None
    )
    base = MinerReason(
        StrategyReason.MINING,
        band=decision.band,
        target_band=target,
        changes_at=next_change.at if next_change is not None else None,
        price_pence=decision.price_pence,
    )
    plan = data.plan_reason
    if decision.reason is Reason.PRICE_UNKNOWN:
        return replace(base, reason=StrategyReason.PRICE_UNKNOWN)
    if plan in _PLAN_REASONS:
        return replace(base, reason=_PLAN_REASONS[plan])
    if decision.reason is Reason.WAITING:
        return replace(
            base,
            reason=StrategyReason.WAITING,
            slots_to_wait=slots_still_needed(decision, data.hysteresis_slots),
        )
    if decision.off:
        return replace(
            base,
            reason=StrategyReason.OFF_PRICE,
            # Without a switch it is turned down, or cannot even be.
            at_lowest_mode=not data.has_power_switch
            and plan is not PlanReason.CANNOT_TURN_OFF,
            cannot_turn_off=plan is PlanReason.CANNOT_TURN_OFF,
        )
    return base


_PLAN_REASONS: Final = {
    PlanReason.MANAGED_EXTERNALLY: StrategyReason.MANAGED_EXTERNALLY,
    PlanReason.BENCHED: StrategyReason.BENCHED,
    PlanReason.RATE_LIMITED: StrategyReason.RATE_LIMITED,
}
