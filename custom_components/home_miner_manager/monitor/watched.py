"""What the alerts and rules watch: the hub's miners, pools and strategy.

The strategy runs above this layer (``agile/``), so it is seen through a
protocol. It always exists: without a price source it is simply not enabled
and drives no miner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from ..miner.coordinator import MinerCoordinator
    from ..pool.coordinator import PoolCoordinator


class MinerRun(Protocol):
    """What the strategy says about one miner (its run state)."""

    @property
    def off_by_strategy(self) -> bool:
        """Return True while the strategy keeps the miner switched off."""

    @property
    def last_error(self) -> str | None:
        """Return the last command the miner refused (None if none)."""


class StrategyView(Protocol):
    """The strategy as the alerts and rules see it."""

    @property
    def enabled(self) -> bool:
        """Return True while the strategy runs."""

    @property
    def enrolled(self) -> Collection[int]:
        """Return the ids of the miners it drives."""

    def miner_state(self, coordinator: MinerCoordinator) -> MinerRun | None:
        """Return the strategy's record of a miner (None if it has none)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Watched:
    """The hub's miners and pools (its live dicts, by subentry id), its strategy."""

    coordinators: Mapping[str, MinerCoordinator]
    pools: Mapping[str, PoolCoordinator]
    strategy: StrategyView
