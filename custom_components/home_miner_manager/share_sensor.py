"""Best-share sensors: the hub's best ever, and per miner its best and odds.

"Chance of a block today" is 1 - exp(-86400 x hashrate / (difficulty x 2^32)),
from the miner's hashrate and its chain's network difficulty (the miner's own
figure, else the one its pool's statistics gave).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE

from .entity import MinerEntity
from .hub_entity import HubEntity
from .pools.shares import block_chance

if TYPE_CHECKING:
    from .coordinator import MinerCoordinator
    from .share_tracker import ShareTracker

BEST_SHARE = SensorEntityDescription(key="best_share", translation_key="best_share")
BEST_SHARE_EVER = SensorEntityDescription(
    key="best_share_ever", translation_key="best_share_ever"
)
BLOCK_CHANCE = SensorEntityDescription(
    key="block_chance_today",
    translation_key="block_chance_today",
    native_unit_of_measurement=PERCENTAGE,
    state_class=SensorStateClass.MEASUREMENT,
    suggested_display_precision=6,
)


def miner_share_sensors(coordinator: MinerCoordinator) -> list[SensorEntity]:
    """Return a miner's best-share sensors (when shares are tracked)."""
    if coordinator.services.share_tracker is None:
        return []
    return [
        MinerBestShareSensor(coordinator, BEST_SHARE_EVER),
        MinerBlockChanceSensor(coordinator, BLOCK_CHANCE),
    ]


class HubBestShareSensor(HubEntity, SensorEntity):
    """The best share any miner of the hub ever found."""

    @property
    def _tracker(self) -> ShareTracker | None:
        return self.hub.share_tracker

    async def async_added_to_hass(self) -> None:
        """Also follow new best shares."""
        await super().async_added_to_hass()
        if (tracker := self._tracker) is not None:
            self.async_on_remove(tracker.async_add_listener(self._async_changed))

    @property
    def native_value(self) -> float | None:
        """Return the best difficulty."""
        top = self._tracker.top if self._tracker is not None else None
        return None if top is None else round(top.difficulty)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return who found it, on which coin, and when."""
        top = self._tracker.top if self._tracker is not None else None
        if top is None:
            return {}
        return {
            "miner": top.miner_name,
            "coin": top.coin,
            "pool": top.pool_name,
            "when": top.timestamp.isoformat() + "Z",
        }


class MinerBestShareSensor(MinerEntity, SensorEntity):
    """The miner's best share ever: stored, or reported by the device."""

    @property
    def available(self) -> bool:
        """Stored bests are known while the miner is down too."""
        return True

    @property
    def native_value(self) -> float | None:
        """Return the best of the stored shares and the device's own figures."""
        tracker = self.coordinator.services.share_tracker
        candidates = [
            tracker.best_by_miner.get(self.coordinator.miner_id)
            if tracker is not None
            else None
        ]
        if (snapshot := self.snapshot) is not None:
            candidates += [snapshot.best_difficulty, snapshot.session_best_difficulty]
        known = [value for value in candidates if value is not None]
        return round(max(known)) if known else None


class MinerBlockChanceSensor(MinerEntity, SensorEntity):
    """The odds of this miner finding a block in the next 24 hours."""

    @property
    def native_value(self) -> float | None:
        """Return the chance in percent (unknown without a network difficulty)."""
        snapshot = self.snapshot
        tracker = self.coordinator.services.share_tracker
        if snapshot is None or tracker is None or not snapshot.hashrate_ghs:
            return None
        chance = block_chance(
            snapshot.hashrate_ghs * 1e9, tracker.network_difficulty(snapshot)
        )
        return None if chance is None else chance * 100.0
