"""What the Assist tools know about a miner now, from the hub's runtime state.

Why the strategy has a miner where it is comes from
:mod:`~..agile.why` (shared with the ``strategy_reason`` sensor).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..agile.why import (
    hysteresis,
    strategy_reason,
)
from ..const import CONF_USER
from ..pool.lookup import pool_order
from ..pools.pool_match import match_pool
from .answers import MinerFacts

if TYPE_CHECKING:
    from ..data import HubData
    from ..miner.coordinator import MinerCoordinator

__all__ = ["hysteresis", "miner_facts", "pool_name", "strategy_reason"]

UNLISTED_POOL = "a pool not set up in Home Miner Manager"


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
    score = hub.health.scores.get(coordinator.miner_id)
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
