"""What the Assist tools know about a miner now, from the hub's runtime state.

Also why the strategy has a miner where it is: the plan rules run as the
strategy runs them (:func:`~..strategy.plan.plan_fleet` over the enrolled
miners, with the stored champion and each miner's command history), then
:func:`~..strategy.reason.miner_reason`. The ``strategy_reason`` sensor can
use :func:`strategy_reason` as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.util import dt as dt_util

from custom_components.home_miner_manager.const import (
    CONF_HYSTERESIS_SLOTS,
    CONF_USER,
    DEFAULT_HYSTERESIS_SLOTS,
)
from custom_components.home_miner_manager.pool_coordinator import pool_order
from custom_components.home_miner_manager.strategy.plan import plan_fleet
from custom_components.home_miner_manager.strategy.pool_match import match_pool
from custom_components.home_miner_manager.strategy.reason import (
    MinerReason,
    ReasonInput,
    miner_reason,
)
from custom_components.home_miner_manager.strategy_exec import MinerRunState, miner_view

from .answers import MinerFacts

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from custom_components.home_miner_manager.coordinator import MinerCoordinator
    from custom_components.home_miner_manager.data import HMMConfigEntry, HubData
    from custom_components.home_miner_manager.strategy.plan import PlanReason

UNLISTED_POOL = "a pool not set up in Home Miner Manager"


def hysteresis(entry: HMMConfigEntry) -> int:
    """Return the hysteresis slots option."""
    return int(entry.options.get(CONF_HYSTERESIS_SLOTS, DEFAULT_HYSTERESIS_SLOTS))


def pool_name(hub: HubData, coordinator: MinerCoordinator) -> str | None:
    """Return the configured name of the pool a miner reports (never its address)."""
    snapshot = coordinator.data if coordinator.available else None
    if snapshot is None or not snapshot.pool_in_use:
        return None
    user = snapshot.extras.get("pool_user")
    pool = match_pool(
        snapshot.pool_in_use,
        user if isinstance(user, str) else None,
        (
            (p.address, str(p.subentry.data.get(CONF_USER, "")), p)
            for p in sorted(hub.pools.values(), key=pool_order)
        ),
    )
    return pool.title if pool is not None else UNLISTED_POOL


def miner_facts(hub: HubData, coordinator: MinerCoordinator) -> MinerFacts:
    """Return what the tools show of one miner."""
    snapshot = coordinator.data if coordinator.available else None
    score = hub.health.scores.get(coordinator.miner_id) if hub.health else None
    health = score.get("overall_score") if score else None
    return MinerFacts(
        name=coordinator.name,
        miner_type=str(coordinator.miner_type),
        status=coordinator.status.value,
        status_reason=coordinator.status_reason,
        hashrate_ghs=snapshot.hashrate_ghs if snapshot else None,
        temperature_c=snapshot.temperature if snapshot else None,
        power_w=coordinator.power_watts if snapshot else None,
        mode=snapshot.mode if snapshot else None,
        pool=pool_name(hub, coordinator),
        health=float(health) if isinstance(health, int | float) else None,
    )


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
    """Plan the enrolled fleet as the strategy does; this miner's reason."""
    hub = entry.runtime_data
    runner = hub.strategy
    assert runner is not None
    assert runner.decision is not None
    enrolled = [c for c in hub.coordinators.values() if c.miner_id in runner.enrolled]
    views = [miner_view(hass, entry, c, enrolled=True) for c in enrolled]
    histories = {
        c.miner_id: runner.miners.get(c.miner_id, MinerRunState()).history
        for c in enrolled
    }
    fleet = plan_fleet(
        runner.decision.band, views, dt_util.utcnow(), histories, runner.champion
    )
    return next(
        (p.reason for p in fleet.plans if p.miner_id == coordinator.miner_id), None
    )
