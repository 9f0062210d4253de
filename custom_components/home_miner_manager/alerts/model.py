"""Plain data in and out of the alert evaluator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from ..health.samples import Sample
    from .config import AlertType

# {miner key: {alert type: entry}}; entries hold only JSON types (see _step).
AlertState = dict[str, dict[str, dict[str, Any]]]


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockInfo:
    """A block found by a miner since the last evaluation."""

    difficulty: float
    network_difficulty: float
    coin: str | None = None
    pool: str | None = None
    found_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MinerState:
    """What the evaluator needs to know about one miner, as plain data.

    ``samples``: time-ordered recent telemetry (the last hour is enough; older
    ones are ignored). ``pool_connected``: False when the miner reports no
    working pool (upstream: empty ``pool_in_use``); None when unknown.
    ``band_change_failures``: consecutive band changes the miner refused
    (reset to 0 by the caller when one succeeds).
    """

    key: str
    name: str
    miner_type: str
    last_seen: datetime | None
    temperature: float | None = None
    samples: Sequence[Sample] = ()
    strategy_off: bool = False
    last_mode_change: datetime | None = None
    pool_connected: bool | None = None
    band_change_failures: int = 0
    new_blocks: Sequence[BlockInfo] = ()
    hashrate_unit: str = "GH/s"


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """An alert firing or clearing for one miner."""

    kind: ClassVar[str] = "event"
    alert_type: AlertType
    miner_key: str
    miner_name: str
    title: str
    message: str
    data: dict[str, Any]  # JSON-safe
    channels: tuple[str, ...]
    at: datetime

    def event_data(self) -> dict[str, Any]:
        """Return a JSON-safe dict (``Event.data``, HA event data)."""
        return {
            "event": self.kind,
            "alert_type": self.alert_type.value,
            "miner_key": self.miner_key,
            "miner_name": self.miner_name,
            "title": self.title,
            "message": self.message,
            "at": self.at.isoformat(),
            **self.data,
        }


@dataclass(frozen=True, slots=True)
class AlertFired(AlertEvent):
    """A condition started (or a block was found): notify."""

    kind: ClassVar[str] = "fired"


@dataclass(frozen=True, slots=True)
class AlertCleared(AlertEvent):
    """A condition that was notified has ended (sent once per episode)."""

    kind: ClassVar[str] = "cleared"


@dataclass(frozen=True, slots=True)
class CheckError:
    """One check that raised for one miner (the others went on)."""

    miner_key: str
    miner_name: str
    alert_type: AlertType
    error: Exception


@dataclass(slots=True)
class Evaluation:
    """What one evaluation produced; ``state`` replaces the caller's state.

    ``errors``: checks that raised; each pair was left as it was.
    """

    fired: list[AlertFired] = field(default_factory=list)
    cleared: list[AlertCleared] = field(default_factory=list)
    state: AlertState = field(default_factory=dict)
    errors: list[CheckError] = field(default_factory=list)
