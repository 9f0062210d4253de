"""Protocol layer: drivers for home miners.

Nothing in this package imports Home Assistant: it is plain asyncio + aiohttp,
with the aiohttp session passed in by the caller. Home Assistant code only ever
sees :class:`MinerSnapshot` objects and the exceptions in :mod:`.exceptions`.
"""

from __future__ import annotations

from .axeos import AxeOSDriver
from .base import MinerDriver
from .cgminer import AvalonNanoDriver, CgminerClient
from .factory import create_driver, detect_miner
from .nmminer import NMMinerDriver, NMMinerListener
from .snapshot import MinerSnapshot, PoolTarget
from .types import MinerType

__all__ = [
    "AvalonNanoDriver",
    "AxeOSDriver",
    "CgminerClient",
    "MinerDriver",
    "MinerSnapshot",
    "MinerType",
    "NMMinerDriver",
    "NMMinerListener",
    "PoolTarget",
    "create_driver",
    "detect_miner",
]
