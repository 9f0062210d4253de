"""Each enrolled miner as the plan sees it (``MinerView``), read once per change.

A slot change with 200 miners read every miner three times (the fleet run,
then at the strategy's update its reason sensor and the plan calendar), each
read parsing every pool subentry again: 600 reads, most of the strategy's own
time before the first command. A view is now kept until the miner's poll, its
subentry, its power switch's state or the pool subentries change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.const import STATE_OFF, STATE_ON

from ..pools.pool_match import match_coin
from ..strategy.view import MinerView
from .miner_plan import power_switch
from .pools import PoolAddresses, pool_addresses

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from ..devices.snapshot import MinerSnapshot
    from ..miner.coordinator import MinerCoordinator


def reported_user(data: MinerSnapshot) -> str | None:
    """Return the stratum user the miner reports (None: its driver does not)."""
    user = data.extras.get("pool_user")
    return user if isinstance(user, str) else None


def efficiency_j_th(coordinator: MinerCoordinator) -> float | None:
    """J/TH from the latest reading (None when unknown)."""
    data = coordinator.data if coordinator.available else None
    if data is None or not data.hashrate_ghs or data.power_watts is None:
        return None
    return float(data.power_watts) / (data.hashrate_ghs / 1000.0)


class MinerViews:
    """Enrolled miners' views, kept while what they are read from is unchanged."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
        """Read pools from ``entry``'s subentries, switch states from ``hass``."""
        self._hass = hass
        self._entry = entry
        self._pools_of: object = None
        self._pools: PoolAddresses = []
        # By miner id: the inputs a view was read from (compared by identity).
        self._kept: dict[int, tuple[tuple[object, ...], MinerView]] = {}

    def _pool_addresses(self) -> PoolAddresses:
        # Home Assistant replaces the subentries mapping on every change.
        subentries = self._entry.subentries
        if subentries is not self._pools_of:
            self._pools = pool_addresses(self._entry)
            self._pools_of = subentries
        return self._pools

    def view(self, coordinator: MinerCoordinator) -> MinerView:
        """Return what the plan needs to know about this (enrolled) miner now."""
        switch_id = power_switch(coordinator)
        switch = self._hass.states.get(switch_id) if switch_id else None
        pools = self._pool_addresses()
        inputs = (
            coordinator.data,
            coordinator.available,
            coordinator.subentry,
            switch,
            pools,
        )
        kept = self._kept.get(coordinator.miner_id)
        if kept is not None and all(
            a is b for a, b in zip(kept[0], inputs, strict=True)
        ):
            return kept[1]
        data = coordinator.data if coordinator.available else None
        view = MinerView(
            miner_id=coordinator.miner_id,
            miner_type=str(coordinator.miner_type),
            enrolled=True,
            has_power_switch=switch_id is not None,
            powered={STATE_ON: True, STATE_OFF: False}.get(switch.state)
            if switch is not None
            else None,
            mode=data.mode if data is not None else None,
            pool_coin=match_coin(data.pool_in_use, reported_user(data), pools)
            if data is not None
            else None,
            efficiency_j_th=efficiency_j_th(coordinator),
        )
        self._kept[coordinator.miner_id] = (inputs, view)
        return view
