"""Why the strategy has a miner where it is, from the strategy coordinator.

The plan rules run as the strategy runs them
(:func:`~..strategy.plan.plan_fleet` over the enrolled miners, with the
stored champion and each miner's command history), then
:func:`~..strategy.reason.miner_reason`. Used by the ``strategy_reason``
sensor, the logbook's action lines and Assist's "why" tool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.util import dt as dt_util

from ..const import CONF_HYSTERESIS_SLOTS, DEFAULT_HYSTERESIS_SLOTS
from ..strategy.plan import plan_fleet, plan_miner
from ..strategy.reason import MinerReason, ReasonInput, StrategyReason, miner_reason
from .miner_plan import MinerRunState

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.config_entries import ConfigEntry

    from ..miner.coordinator import MinerCoordinator
    from ..strategy.plan import PlanReason
    from .coordinator import StrategyCoordinator


def hysteresis(entry: ConfigEntry[Any]) -> int:
    """Return the hysteresis slots option."""
    return int(entry.options.get(CONF_HYSTERESIS_SLOTS, DEFAULT_HYSTERESIS_SLOTS))


def strategy_reason(
    strategy: StrategyCoordinator | None,
    coordinator: MinerCoordinator,
    plans: Mapping[int, PlanReason] | None = None,
) -> MinerReason:
    """Return why the strategy has ``coordinator``'s miner where it is now.

    ``plans``: every enrolled miner's plan reason, already worked out for the
    decision in effect (:class:`FleetReasons`); else this miner is planned now.
    """
    if strategy is None:
        return MinerReason(StrategyReason.STRATEGY_OFF)
    enrolled = coordinator.miner_id in strategy.enrolled
    plan: PlanReason | None = None
    if strategy.enabled and enrolled and strategy.decision:
        plan = (
            plans.get(coordinator.miner_id)
            if plans is not None
            else _plan_reason(strategy, coordinator)
        )
    return miner_reason(
        ReasonInput(
            strategy_configured=True,
            strategy_enabled=strategy.enabled,
            enrolled=enrolled,
            decision=strategy.decision,
            plan_reason=plan,
            hysteresis_slots=hysteresis(strategy.entry),
            has_power_switch=strategy.has_power_switch(coordinator),
        ),
        {band.id: band for band in strategy.bands},
    )


def _plan_reason(
    strategy: StrategyCoordinator, coordinator: MinerCoordinator
) -> PlanReason | None:
    """Plan this miner as the strategy does; its reason.

    Outside a champion band a miner's plan depends on itself only: planning
    it alone keeps every miner's sensor O(1), not O(fleet), per decision.
    """
    assert strategy.decision is not None
    band = strategy.decision.band
    if band is None or band.is_off or not band.champion:
        view = strategy.views.view(coordinator)
        history = strategy.miners.get(coordinator.miner_id, MinerRunState()).history
        return plan_miner(band, view, dt_util.utcnow(), history).reason
    return plan_reasons(strategy).get(coordinator.miner_id)


def plan_reasons(strategy: StrategyCoordinator) -> dict[int, PlanReason]:
    """Every enrolled miner's plan reason for the band in effect."""
    decision = strategy.decision
    if decision is None:
        return {}
    band = decision.band
    now = dt_util.utcnow()
    enrolled = [
        c for c in strategy.coordinators.values() if c.miner_id in strategy.enrolled
    ]
    runs = strategy.miners
    if band is None or band.is_off or not band.champion:
        return {
            c.miner_id: plan_miner(
                band,
                strategy.views.view(c),
                now,
                runs.get(c.miner_id, MinerRunState()).history,
            ).reason
            for c in enrolled
        }
    fleet = plan_fleet(
        band,
        [strategy.views.view(c) for c in enrolled],
        now,
        {c.miner_id: runs.get(c.miner_id, MinerRunState()).history for c in enrolled},
        strategy.champion,
    )
    return {plan.miner_id: plan.reason for plan in fleet.plans}


class FleetReasons:
    """Every enrolled miner's plan reason, worked out once per strategy update.

    All reason sensors refresh at each update of the strategy coordinator;
    planning the fleet once for them all keeps an update O(fleet), not
    O(fleet²) in a champion band.
    """

    def __init__(self, strategy: StrategyCoordinator) -> None:
        """Follow ``strategy``'s updates."""
        self._strategy = strategy
        self._for: object = None
        self._reasons: dict[int, PlanReason] = {}

    def reasons(self) -> dict[int, PlanReason]:
        """Return the plan reasons as of the strategy's latest update."""
        data = self._strategy.data
        if data is not self._for:
            self._for = data
            self._reasons = plan_reasons(self._strategy)
        return self._reasons
