"""What the dashboard generator reads: devices with their entity ids by key."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


@dataclass(frozen=True, slots=True)
class DeviceEntities:
    """A miner, a pool or the hub: its name and entity ids by entity key.

    Keys are the integration's entity keys (``hashrate``, ``mode``,
    ``cost_today``, ``strategy_reason``...); a key that is missing means the
    entity does not exist (or is disabled) and its card row is left out.
    """

    name: str
    entities: Mapping[str, str]
    device_id: str | None = None

    def get(self, key: str) -> str | None:
        """Return the entity id for ``key`` (None when it does not exist)."""
        return self.entities.get(key)


@dataclass(frozen=True, slots=True)
class BandInfo:
    """One price band of the strategy, in price order."""

    name: str
    min_price: float | None
    max_price: float | None
    off: bool


@dataclass(frozen=True, slots=True)
class DashboardInput:
    """Everything the dashboard shows."""

    hub: DeviceEntities
    miners: Sequence[DeviceEntities] = ()
    pools: Sequence[DeviceEntities] = ()
    bands: Sequence[BandInfo] = field(default_factory=tuple)
    price_unit: str = "p/kWh"
