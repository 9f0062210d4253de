"""Best-share sensors of a miner: its best ever, and its odds of a block.

"Chance of a block today" is 1 - exp(-86400 x hashrate / (difficulty x 2^32)),
from the miner's hashrate and its chain's network difficulty (the miner's own
figure, else the one its pool's statistics gave).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)

from ..compat import PERCENTAGE
from ..devices.types import MinerType
from ..entity import MinerEntity
from ..pools.high_shares import block_chance

if TYPE_CHECKING:
    from ..miner.coordinator import MinerCoordinator
    from ..miner.runtime import ShareObserver

# Every share difficulty (best, session best, best ever, the hub's best) is a
# measurement with the same display precision, so the frontend shows them all
# alike ("4,290,000,000"), never one bare and one with separators.
BEST_SHARE_EVER = SensorEntityDescription(
    key="best_share_ever",
    translation_key="best_share_ever",
    state_class=SensorStateClass.MEASUREMENT,
)
BLOCK_CHANCE = SensorEntityDescription(
    key="block_chance_today",
    translation_key="block_chance_today",
    native_unit_of_measurement=PERCENTAGE,
    state_class=SensorStateClass.MEASUREMENT,
    suggested_display_precision=6,
)


def round_difficulty(value: float | None) -> float | int | None:
    """Whole numbers from 1000 up, four decimals below (lottery miners)."""
    if value is None:
        return None
    return round(value) if value >= 1000 else round(value, 4)


def difficulty_precision(coordinator: MinerCoordinator) -> int | None:
    """Whole numbers for ASIC miners; NMMiner's shares are often below one.

    One fixed precision would show an NMMiner's 0.0312 as 0, so its value is
    shown as stored (already rounded by :func:`round_difficulty`).
    """
    return None if coordinator.miner_type is MinerType.NMMINER else 0


def miner_best_ever(
    coordinator: MinerCoordinator, tracker: ShareObserver
) -> float | None:
    """Best of the stored shares and the device's own (all-time, session) figures."""
    candidates = [tracker.best_by_miner.get(coordinator.miner_id)]
    if (snapshot := coordinator.data) is not None:
        candidates += [snapshot.best_difficulty, snapshot.session_best_difficulty]
    known = [value for value in candidates if value is not None]
    return max(known) if known else None


def miner_share_sensors(coordinator: MinerCoordinator) -> list[SensorEntity]:
    """Return a miner's best-share sensors."""
    return [
        MinerBestShareSensor(coordinator, BEST_SHARE_EVER),
        MinerBlockChanceSensor(coordinator, BLOCK_CHANCE),
    ]


class MinerBestShareSensor(MinerEntity, SensorEntity):
    """The miner's best share ever: stored, or reported by the device."""

    def __init__(
        self, coordinator: MinerCoordinator, description: SensorEntityDescription
    ) -> None:
        """Show it like the miner's other difficulties."""
        super().__init__(coordinator, description)
        self._attr_suggested_display_precision = difficulty_precision(coordinator)

    @property
    def available(self) -> bool:
        """Stored bests are known while the miner is down too."""
        return True

    @property
    def native_value(self) -> float | None:
        """Return the best of the stored shares and the device's own figures."""
        return round_difficulty(
            miner_best_ever(self.coordinator, self.coordinator.services.share_tracker)
        )


class MinerBlockChanceSensor(MinerEntity, SensorEntity):
    """The odds of this miner finding a block in the next 24 hours."""

    @property
    def native_value(self) -> float | None:
        """Return the chance in percent (unknown without a network difficulty)."""
        snapshot = self.snapshot
        tracker = self.coordinator.services.share_tracker
        if snapshot is None or not snapshot.hashrate_ghs:
            return None
        chance = block_chance(
            snapshot.hashrate_ghs * 1e9, tracker.network_difficulty(snapshot)
        )
        # Two significant digits: odds estimated from a hashrate that moves a
        # few percent between polls know no more; more digits only made every
        # poll a new state (an object for the collector, a recorder row).
        return None if chance is None else float(f"{chance * 100.0:.2g}")
