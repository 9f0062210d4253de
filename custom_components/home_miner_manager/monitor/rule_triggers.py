"""When a rule's trigger holds, and for which occasion (the runner runs it once each)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from homeassistant.util import dt as dt_util

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..miner.coordinator import MinerCoordinator
    from ..prices import PriceSlot
    from .watched import Watched


class CurrentPrice(Protocol):
    """The hub's prices as the rules read them."""

    def current(self) -> PriceSlot | None:
        """Return the price slot of now (None if unknown)."""


def _time(value: Any) -> time | None:
    return dt_util.parse_time(str(value)) if value is not None else None


def price_matches(config: dict[str, Any], price: float) -> bool:
    """Return whether ``price`` meets a price_threshold trigger."""
    low = float(config.get("threshold", 0))
    high = config.get("threshold_high")
    condition = config.get("condition")
    if condition == "below":
        return price < low
    if condition == "above":
        return price > low
    if high is None:
        return False
    inside = low <= price <= float(high)
    return inside if condition == "between" else not inside


class RuleTriggers:
    """The trigger half of the rule runner."""

    def __init__(
        self,
        *,
        watched: Watched,
        prices: CurrentPrice,
        last_seen: Callable[[MinerCoordinator], datetime | None],
    ) -> None:
        """Read the miners, pools, prices (no slot without a source) and last answers."""
        self._coordinators = watched.coordinators
        self._pools = watched.pools
        self._prices = prices
        self._last_seen = last_seen
        # (rule, target) -> when its condition started (episode keys).
        self._since: dict[tuple[str, str], str] = {}

    def occasion(self, rule_id: str, rule: dict[str, Any]) -> str | None:
        """Return a key for the current occasion of a holding trigger, else None."""
        config = rule.get("trigger_config") or {}
        kind = rule.get("trigger_type")
        now = dt_util.now()
        if kind == "price_threshold":
            slot = self._prices.current()
            if slot is None or not price_matches(config, slot.price_pence):
                return None
            return f"slot:{slot.start.isoformat()}"
        if kind == "time_window":
            start, end = _time(config.get("start")), _time(config.get("end"))
            if start is None or end is None:
                return None
            clock = now.time()
            if start <= end:
                inside, day = start <= clock < end, now.date()
            else:  # across midnight: the window belongs to the day it started
                inside = clock >= start or clock < end
                day = now.date() if clock >= start else now.date() - timedelta(days=1)
            return f"window:{day.isoformat()}" if inside else None
        targets: dict[str, bool] = {}
        if kind in ("miner_offline", "miner_overheat"):
            wanted = set(config.get("miners") or [])
            for subentry_id, miner in self._coordinators.items():
                if wanted and subentry_id not in wanted:
                    continue
                targets[subentry_id] = self._miner_holds(kind, config, miner)
        elif kind == "pool_failure":
            wanted = set(config.get("pools") or [])
            for subentry_id, pool in self._pools.items():
                if (not wanted or subentry_id in wanted) and pool.enabled:
                    targets[subentry_id] = (
                        pool.data is not None and not pool.data.reachable
                    )
        return self._episode(rule_id, targets, now)

    def _miner_holds(
        self, kind: str, config: dict[str, Any], miner: MinerCoordinator
    ) -> bool:
        if not miner.polling_enabled:
            return False
        if kind == "miner_overheat":
            snapshot = miner.data if miner.available else None
            temperature = snapshot.temperature if snapshot is not None else None
            return temperature is not None and temperature > float(
                config.get("threshold_celsius", 80)
            )
        if miner.available or miner.expected_offline:
            return False  # answering, or switched off by the strategy on purpose
        seen = self._last_seen(miner)
        minutes = float(config.get("minutes", 5))
        return seen is not None and dt_util.utcnow() - seen >= timedelta(
            minutes=minutes
        )

    def _episode(
        self, rule_id: str, targets: dict[str, bool], now: datetime
    ) -> str | None:
        """Track when each target's condition began; key the newest episode."""
        key = None
        for target, holds in targets.items():
            if not holds:
                self._since.pop((rule_id, target), None)
                continue
            since = self._since.setdefault((rule_id, target), now.isoformat())
            key = f"{target}:{since}"
        return key
