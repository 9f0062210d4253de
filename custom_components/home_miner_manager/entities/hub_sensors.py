"""Sensors of the hub device over every miner: how many are not mining, best share.

They follow the miners' fleet coordinator and write at most once a second
(see :class:`FleetEntity`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)

from ..devices.types import MinerType
from ..entity import FleetEntity
from ..miner.runtime import MinerStatus
from .share_sensors import miner_best_ever, round_difficulty

if TYPE_CHECKING:
    from ..miner.coordinator import MinerCoordinator
    from ..miner.fleet import FleetCoordinator
    from ..pool.best_shares import ShareTracker

NOT_MINING = SensorEntityDescription(
    key="miners_not_mining",
    translation_key="miners_not_mining",
    state_class=SensorStateClass.MEASUREMENT,
)
# Shown like every share difficulty of the integration (see share_sensors).
BEST_SHARE = SensorEntityDescription(
    key="best_share",
    translation_key="best_share",
    state_class=SensorStateClass.MEASUREMENT,
    suggested_display_precision=0,
)


class HubNotMiningSensor(FleetEntity, SensorEntity):
    """How many miners are not mining, by status."""

    @property
    def native_value(self) -> int:
        """Return the number of miners whose status is not mining."""
        return sum(
            coordinator.status is not MinerStatus.MINING
            for coordinator in self.coordinator.data.values()
        )

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return the names of those miners, per status."""
        by_status: dict[str, list[str]] = {}
        for coordinator in self.coordinator.data.values():
            if (status := coordinator.status) is not MinerStatus.MINING:
                by_status.setdefault(status.value, []).append(coordinator.name)
        return {status: sorted(names) for status, names in sorted(by_status.items())}


class HubBestShareSensor(FleetEntity, SensorEntity):
    """The best share any miner of the hub ever found.

    The stored leaderboard only holds shares seen rising since the hub began
    tracking; a miner's own all-time best (AxeOS keeps it across reboots) can
    be higher, so the best of both is shown.
    """

    def __init__(
        self,
        fleet: FleetCoordinator[MinerCoordinator],
        description: SensorEntityDescription,
        tracker: ShareTracker,
    ) -> None:
        """Attach to the hub device."""
        super().__init__(fleet, description)
        self._tracker = tracker
        if {c.miner_type for c in fleet.data.values()} == {MinerType.NMMINER}:
            self._attr_suggested_display_precision = None

    async def async_added_to_hass(self) -> None:
        """Also follow new best shares."""
        await super().async_added_to_hass()
        self.async_on_remove(self._tracker.async_add_listener(self._async_changed))

    def _best_miner(self) -> tuple[float, str] | None:
        """Return the highest best-ever of the configured miners, and whose."""
        bests = [
            (best, coordinator.name)
            for coordinator in self.coordinator.data.values()
            if (best := miner_best_ever(coordinator, self._tracker)) is not None
        ]
        return max(bests) if bests else None

    @property
    def native_value(self) -> float | int | None:
        """Return the best difficulty (stored, or a miner's own best ever)."""
        top = self._tracker.top
        known = [top.difficulty] if top is not None else []
        if (miner := self._best_miner()) is not None:
            known.append(miner[0])
        return round_difficulty(max(known)) if known else None

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return who found it, on which coin, and when (if stored)."""
        top = self._tracker.top
        miner = self._best_miner()
        if miner is not None and (top is None or miner[0] > top.difficulty):
            # Reported by the miner itself: who, but not when nor where.
            return {"miner": miner[1]}
        if top is None:
            return {}
        return {
            "miner": top.miner_name,
            "coin": top.coin,
            "pool": top.pool_name,
            "when": top.timestamp.isoformat() + "Z",
        }
