"""The strategy's plan as calendar events (pure): one event per planned period.

Each :class:`~.outlook.PlannedPeriod` (what :func:`~.outlook.plan_periods`
replays through the strategy's own decision, hysteresis included) becomes a
:class:`PlanEvent`: the band's name as its summary; the price range, what
each enrolled miner will do (from :func:`~.plan.plan_fleet`, the rules the
strategy runs) and the estimated energy cost as its description.

The cost is an estimate: each miner's power now (its reading, else the
user's estimate, else the last one seen while it ran) times the period's
length times its mean slot price; a miner switched off counts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .bands import LOWEST_MODE, MANAGED_EXTERNALLY
from .describe import band_name
from .plan import PlanReason, plan_fleet

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    from .bands import Band
    from .champion import ChampionState
    from .outlook import PlannedPeriod
    from .view import MinerView

NO_BAND = "OFF (no band)"


@dataclass(frozen=True, slots=True)
class PlannedMiner:
    """An enrolled miner as the calendar plans it."""

    view: MinerView
    name: str
    power_w: float | None  # while it runs; None: unknown


@dataclass(frozen=True, slots=True)
class MinerStep:
    """What one miner does in one period."""

    name: str
    text: str  # "DGB on Solo DGB, eco mode", "off", ...
    power_w: float | None  # drawn in the period (0 when off); None: unknown


@dataclass(frozen=True, slots=True)
class PlanEvent:
    """One calendar event: a period of one band."""

    start: datetime
    end: datetime
    band_id: int | None
    summary: str
    description: str
    cost: float | None  # minor currency units (pence); None: no power known
    min_price: float
    max_price: float


def miner_steps(
    band: Band | None,
    miners: Sequence[PlannedMiner],
    pools: Mapping[str, str],
    champion: ChampionState | None,
    now: datetime,
) -> list[MinerStep]:
    """Return what each enrolled miner does in ``band`` (the strategy's plan rules).

    The rate limit is not foreseen (no history): it only delays a change.
    """
    views = [replace(m.view, enrolled=True) for m in miners]
    fleet = plan_fleet(band, views, now, None, champion)
    by_id = {plan.miner_id: plan for plan in fleet.plans}
    steps = []
    for miner in miners:
        plan = by_id[miner.view.miner_id]
        steps.append(_step(band, miner, plan.reason, pools))
    return steps


def _step(
    band: Band | None,
    miner: PlannedMiner,
    reason: PlanReason,
    pools: Mapping[str, str],
) -> MinerStep:
    lowest = LOWEST_MODE.get(miner.view.miner_type)
    if reason is PlanReason.MANAGED_EXTERNALLY:
        return MinerStep(miner.name, "left as it is", miner.power_w)
    if reason is PlanReason.CANNOT_TURN_OFF:
        return MinerStep(miner.name, "runs on (cannot be turned off)", miner.power_w)
    if reason in (PlanReason.OFF, PlanReason.BENCHED):
        why = " (benched: the champion mines)" if reason is PlanReason.BENCHED else ""
        if miner.view.has_power_switch:
            return MinerStep(miner.name, f"off{why}", 0.0)
        return MinerStep(miner.name, f"{lowest} mode{why}", miner.power_w)
    assert band is not None  # a running plan has a band
    coin = band.target_coin
    pool = pools.get(coin, f"no {coin} pool")
    mode = (
        lowest
        if reason is PlanReason.CHAMPION
        else band.mode_for(miner.view.miner_type)
    )
    text = f"{coin} on {pool}"
    if mode is not None and mode != MANAGED_EXTERNALLY:
        text += f", {mode} mode"
    if reason is PlanReason.CHAMPION:
        text += " (champion)"
    return MinerStep(miner.name, text, miner.power_w)


def plan_events(
    periods: Sequence[PlannedPeriod],
    miners: Sequence[PlannedMiner],
    pools: Mapping[str, str],
    champion: ChampionState | None,
    unit: str,
    *,
    note: str | None = None,
) -> list[PlanEvent]:
    """Return one event per period; ``unit`` is the price unit (``p/kWh``).

    ``note`` ends every description (e.g. that the strategy is off).
    """
    events = []
    for period in periods:
        steps = miner_steps(period.band, miners, pools, champion, period.start)
        hours = (period.end - period.start).total_seconds() / 3600
        known = [s.power_w for s in steps if s.power_w is not None]
        cost = sum(known) / 1000 * hours * period.mean_price if known else None
        if not steps:
            cost = 0.0
        events.append(
            PlanEvent(
                start=period.start,
                end=period.end,
                band_id=period.band.id if period.band is not None else None,
                summary=band_name(period.band, unit) or NO_BAND,
                description=_description(period, steps, cost, unit, note),
                cost=cost,
                min_price=period.min_price,
                max_price=period.max_price,
            )
        )
    return events


def _description(
    period: PlannedPeriod,
    steps: Sequence[MinerStep],
    cost: float | None,
    unit: str,
    note: str | None,
) -> str:
    money = unit.removesuffix("/kWh")
    price = (
        f"Price {period.min_price:.2f}-{period.max_price:.2f} {unit} "
        f"(mean {period.mean_price:.2f})"
    )
    lines = [price]
    lines += [f"{step.name}: {step.text}" for step in steps] or [
        "No miner is enrolled."
    ]
    unknown = [step.name for step in steps if step.power_w is None]
    if cost is None:
        lines.append("Estimated energy cost: unknown (no power reading)")
    else:
        line = f"Estimated energy cost: {cost:.2f} {money}"
        if unknown:
            line += f" (without {', '.join(unknown)}: no power reading)"
        lines.append(line)
    if note:
        lines.append(note)
    return "\n".join(lines)
