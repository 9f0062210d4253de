"""Turn the decided band into commands per miner (pure: the caller executes them).

* OFF (or no band): power switch off; without a switch, the lowest mode.
* Active band: power on, the band's coin's pool, the band's mode for the type.
* A miner (or a band mode) ``managed_externally``, or not enrolled: left alone.
* NMMiner has no modes: pool and power only.
* At most :data:`MAX_CHANGES_PER_HOUR` executed plans per miner per hour
  (the caller passes the times it executed commands for that miner).
  Switching off (OFF, benched) is never held back: it only saves power, and
  it must reach the miner at once.
* Champion bands: only the best-J/TH miner runs, at its lowest mode; the
  others are off. See :mod:`.champion` for picking and demoting it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from .bands import LOWEST_MODE, MANAGED_EXTERNALLY
from .champion import ChampionState, choose_champion

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    from .bands import Band
    from .view import MinerView

MAX_CHANGES_PER_HOUR: Final = 6
RATE_WINDOW: Final = timedelta(hours=1)


class Action(StrEnum):
    """What a command does."""

    POWER_ON = "power_on"
    POWER_OFF = "power_off"
    SET_POOL = "set_pool"  # value: the coin; the caller picks the coin's pool
    SET_MODE = "set_mode"  # value: the mode name


class PlanReason(StrEnum):
    """Why a miner gets these commands (or none)."""

    APPLY = "apply"
    IN_PLACE = "in_place"
    OFF = "off"
    CANNOT_TURN_OFF = "cannot_turn_off"
    CHAMPION = "champion"
    BENCHED = "benched"  # a champion band, and this miner is not the champion
    NOT_ENROLLED = "not_enrolled"
    MANAGED_EXTERNALLY = "managed_externally"
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True, slots=True)
class Command:
    """One thing to do to a miner."""

    action: Action
    value: str | None = None


@dataclass(frozen=True, slots=True)
class MinerPlan:
    """Commands for one miner; ``deferred`` holds what the rate limit held back."""

    miner_id: int
    commands: tuple[Command, ...]
    reason: PlanReason
    deferred: tuple[Command, ...] = ()


@dataclass(frozen=True, slots=True)
class FleetPlan:
    """Plans for every miner, and the champion state to store."""

    plans: list[MinerPlan]
    champion: ChampionState


def recent_changes(history: Sequence[datetime], now: datetime) -> int:
    """Return how many executed changes fall in the hour up to ``now``."""
    since = now - RATE_WINDOW
    return sum(1 for moment in history if since < moment <= now)


def _rate_limited(
    plan: MinerPlan, history: Sequence[datetime], now: datetime
) -> MinerPlan:
    if plan.commands and recent_changes(history, now) >= MAX_CHANGES_PER_HOUR:
        return MinerPlan(plan.miner_id, (), PlanReason.RATE_LIMITED, plan.commands)
    return plan


def _off(miner: MinerView, reason: PlanReason) -> MinerPlan:
    """Switch off, or the lowest mode without a switch (pool untouched)."""
    if miner.has_power_switch:
        commands = () if miner.powered is False else (Command(Action.POWER_OFF),)
        return MinerPlan(miner.miner_id, commands, reason)
    lowest = LOWEST_MODE.get(miner.miner_type)
    if lowest is None:
        return MinerPlan(miner.miner_id, (), PlanReason.CANNOT_TURN_OFF)
    commands = () if miner.mode == lowest else (Command(Action.SET_MODE, lowest),)
    return MinerPlan(miner.miner_id, commands, reason)


def _run(
    miner: MinerView, coin: str, mode: str | None, reason: PlanReason
) -> MinerPlan:
    """Power on, then pool, then mode (mode None: the type has no modes)."""
    commands: list[Command] = []
    if miner.has_power_switch and miner.powered is not True:
        commands.append(Command(Action.POWER_ON))
    if miner.pool_coin != coin:
        commands.append(Command(Action.SET_POOL, coin))
    if mode is not None and miner.mode != mode:
        commands.append(Command(Action.SET_MODE, mode))
    if not commands and reason is PlanReason.APPLY:
        reason = PlanReason.IN_PLACE
    return MinerPlan(miner.miner_id, tuple(commands), reason)


def plan_miner(
    band: Band | None,
    miner: MinerView,
    now: datetime,
    history: Sequence[datetime] = (),
) -> MinerPlan:
    """Plan one miner for ``band`` (None: off) outside champion handling."""
    if not miner.enrolled:
        return MinerPlan(miner.miner_id, (), PlanReason.NOT_ENROLLED)
    if miner.managed_externally:
        return MinerPlan(miner.miner_id, (), PlanReason.MANAGED_EXTERNALLY)
    if band is None or band.is_off:
        return _off(miner, PlanReason.OFF)
    mode = band.mode_for(miner.miner_type)
    if mode == MANAGED_EXTERNALLY:
        return MinerPlan(miner.miner_id, (), PlanReason.MANAGED_EXTERNALLY)
    plan = _run(miner, band.target_coin, mode, PlanReason.APPLY)
    return _rate_limited(plan, history, now)


def plan_fleet(
    band: Band | None,
    miners: Sequence[MinerView],
    now: datetime,
    histories: Mapping[int, Sequence[datetime]] | None = None,
    champion: ChampionState | None = None,
) -> FleetPlan:
    """Plan every miner; in a champion band only the champion runs."""
    histories = histories or {}
    champion = champion or ChampionState()
    if band is None or band.is_off or not band.champion:
        plans = [
            plan_miner(band, m, now, histories.get(m.miner_id, ())) for m in miners
        ]
        return FleetPlan(plans, ChampionState())  # a new spell picks afresh
    champion = choose_champion(band.id, miners, champion)
    plans = []
    for miner in miners:
        history = histories.get(miner.miner_id, ())
        if not miner.enrolled or miner.managed_externally:
            plans.append(plan_miner(band, miner, now, history))
        elif miner.miner_id == champion.miner_id:
            mode = LOWEST_MODE.get(miner.miner_type)
            plan = _run(miner, band.target_coin, mode, PlanReason.CHAMPION)
            plans.append(_rate_limited(plan, history, now))
        else:
            plans.append(_off(miner, PlanReason.BENCHED))
    return FleetPlan(plans, champion)
