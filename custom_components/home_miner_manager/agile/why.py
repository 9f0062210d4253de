"""Why the strategy has a miner where it is, from the hub's runtime state.

The plan rules run as the strategy runs them
(:func:`~.strategy.plan.plan_fleet` over the enrolled miners, with the stored
champion and each miner's command history), then
:func:`~.strategy.reason.miner_reason`. Used by the ``strategy_reason``
sensor, the logbook's action lines and Assist's "why" tool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.util import dt as dt_util

from ..const import CONF_HYSTERESIS_SLOTS, DEFAULT_HYSTERESIS_SLOTS
from ..strategy.plan import plan_fleet, plan_miner
from ..strategy.reason import MinerReason, ReasonInput, miner_reason
from .miner_plan import MinerRunState, miner_view

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from ..data import HMMConfigEntry
    from ..miner.coordinator import MinerCoordinator
    from ..strategy.plan import PlanReason


def hysteresis(entry: HMMConfigEntry) -> int:
    """Return the hysteresis slots option."""
    return int(entry.options.get(CONF_HYSTERESIS_SLOTS, DEFAULT_HYSTERESIS_SLOTS))


def strategy_reason(
    hass: HomeAssistant, entry: HMMConfigEntry, coordinator: MinerCoordinator
) -> MinerReason:
    """Return why the strategy has ``coordinator``'s miner where it is now."""
    runner = entry.runtime_data.strategy
    enrolled = runner is not None and coordinator.miner_id in runner.enrolled
    plan: PlanReason | None = None
    if runner is not None and runner.enabled and enrolled and runner.decision:
        plan = _plan_reason(hass, entry, coordinator)
    return miner_reason(
        ReasonInput(
            strategy_configured=runner is not None,
            strategy_enabled=runner is not None and runner.enabled,
            enrolled=enrolled,
            decision=runner.decision if runner is not None else None,
            plan_reason=plan,
            hysteresis_slots=hysteresis(entry),
            has_power_switch=runner is not None
            and runner.has_power_switch(coordinator),
        ),
        {band.id: band for band in runner.bands} if runner is not None else None,
    )


def _plan_reason(
    hass: HomeAssistant, entry: HMMConfigEntry, coordinator: MinerCoordinator
) -> PlanReason | None:
    """Plan this miner as the strategy does; its reason.

    Outside a champion band a miner's plan depends on itself only: planning
    it alone keeps every miner's sensor O(1), not O(fleet), per decision.
    """
    hub = entry.runtime_data
    runner = hub.strategy
    assert runner is not None
    assert runner.decision is not None
    band = runner.decision.band
    now = dt_util.utcnow()
    if band is None or band.is_off or not band.champion:
        view = miner_view(hass, entry, coordinator, enrolled=True)
        history = runner.miners.get(coordinator.miner_id, MinerRunState()).history
        return plan_miner(band, view, now, history).reason
    enrolled = [c for c in hub.coordinators.values() if c.miner_id in runner.enrolled]
    views = [miner_view(hass, entry, c, enrolled=True) for c in enrolled]
    histories = {
        c.miner_id: runner.miners.get(c.miner_id, MinerRunState()).history
        for c in enrolled
    }
    fleet = plan_fleet(band, views, now, histories, runner.champion)
    return next(
        (p.reason for p in fleet.plans if p.miner_id == coordinator.miner_id), None
    )
