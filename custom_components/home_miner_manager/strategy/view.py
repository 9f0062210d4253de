"""What the plan knows about one miner (shared by the plan and the champion rules)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MinerView:
    """What the plan needs to know about one miner, as the caller sees it now."""

    miner_id: int
    miner_type: str  # MinerType value
    enrolled: bool = True
    has_power_switch: bool = False
    powered: bool | None = None  # the switch's state; None: unknown
    mode: str | None = None  # current mode as the device reports it
    pool_coin: str | None = None  # coin of the pool in use
    managed_externally: bool = False
    efficiency_j_th: float | None = None  # J/TH over the last 6 h (champion)
