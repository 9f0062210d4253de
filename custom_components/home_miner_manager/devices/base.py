"""The interface every driver implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .snapshot import MinerSnapshot, PoolTarget


class MinerDriver(ABC):
    """Talks to one miner. Cheap to create: sockets open on the first request."""

    miner_type: str
    default_port: int

    def __init__(self, host: str, port: int | None = None) -> None:
        """Remember where the miner is."""
        self.host = host
        self.port = port or self.default_port

    @property
    @abstractmethod
    def modes(self) -> tuple[str, ...]:
        """Modes this miner supports (may be refined after the first fetch)."""

    @abstractmethod
    async def fetch(self) -> MinerSnapshot:
        """Poll the miner once and return a normalized snapshot."""

    @abstractmethod
    async def set_mode(self, mode: str) -> None:
        """Apply a mode from :attr:`modes`."""

    @abstractmethod
    async def switch_pool(self, pool: PoolTarget) -> None:
        """Point the miner at ``pool`` (restarting it if the firmware needs that)."""

    @abstractmethod
    async def restart(self) -> None:
        """Restart the miner."""

    async def close(self) -> None:  # noqa: B027 (nothing to close by default)
        """Close the connection kept to the miner, if any (at unload)."""
