"""One DataUpdateCoordinator per pool subentry: its health, every few minutes.

A check is a real stratum exchange (subscribe + authorize), so "reachable"
means a pool answered, and the response time is the subscribe round trip. The
reject rate comes from the share counters of the miners on the pool (deltas,
so a reboot is no negative work). After each check the pool's failover
(``failover.py``) may move its miners to its ``failover_to`` pool, or back.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from ..const import CONF_COIN, CONF_ENABLED, CONF_FAILOVER_TO, DOMAIN, LOGGER
from ..db import DatabaseClosedError, DatabaseError
from ..db.base import to_naive_utc
from ..db.models import PoolHealth
from ..db.share_rows import set_pool_network_difficulty
from ..miner.commands import pool_target_data
from ..pools.network import STATS_COINS, NetworkDifficulty, NetworkDifficultyError
from ..pools.pool_score import health_score, pool_share_deltas, unreachable_checks
from ..pools.stratum import StratumCheck, check_stratum
from ..pools.url import PoolAddress, parse_pool, parse_pool_url
from .failover import PoolFailover
from .lookup import pool_of, snapshot_pool

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime, timedelta

    from homeassistant.config_entries import ConfigEntry, ConfigSubentry

    from ..db import Database
    from ..miner.coordinator import MinerCoordinator
    from ..pools.pool_score import CounterRow, OnPool

# Checks kept in memory: enough for the failover rules and "failures in the
# last hour" at the shortest interval (1 minute).
_CHECKS_KEPT = 90


class NetworkSource(Protocol):
    """Where pools read a chain's network difficulty (the share tracker)."""

    @property
    def network(self) -> NetworkDifficulty:
        """Return the statistics servers' figures (cached)."""


class PoolHub(Protocol):
    """What a pool coordinator needs of the hub (``HubData`` provides it)."""

    database: Database
    coordinators: dict[str, MinerCoordinator]
    pools: dict[str, PoolCoordinator]
    counter_samples: dict[int, deque[CounterRow]]

    @property
    def share_tracker(self) -> NetworkSource:
        """Return the share tracker (it reads the pools' statistics)."""


@dataclass(frozen=True, slots=True)
class PoolHealthData:
    """The outcome of one health check."""

    checked_at: datetime
    check: StratumCheck
    health_score: float
    # The chain's difficulty: a miner's own figure, else the pool statistics.
    network_difficulty: float | None
    reject_rate: float | None
    shares_accepted: int
    shares_rejected: int

    @property
    def reachable(self) -> bool:
        """Return whether a stratum server answered."""
        return self.check.reachable


def _address(data: Mapping[str, Any]) -> PoolAddress:
    host, port, _, _ = pool_target_data(data)
    return parse_pool_url(host, port)


class PoolCoordinator(DataUpdateCoordinator[PoolHealthData]):
    """Checks one pool and keeps its health; never fails (down is data)."""

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        subentry: ConfigSubentry,
        *,
        hub: PoolHub,
        pool_id: int,
        interval: timedelta,
    ) -> None:
        """Set up from the subentry; the first check runs in the background."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"pool {subentry.title}",
            update_interval=interval,
            always_update=True,
        )
        self.hub = hub
        self.subentry = subentry
        # What was applied (HA changes the subentry object in place).
        self.applied_title = subentry.title
        self.applied_data: dict[str, Any] = dict(subentry.data)
        # Host and port, parsed once: every poll of every miner compares them.
        self.address: PoolAddress = _address(subentry.data)
        self.pool_id = pool_id
        self.checks: deque[tuple[datetime, bool]] = deque(maxlen=_CHECKS_KEPT)
        self.failover = PoolFailover(hass, hub.database, hub.coordinators, self)
        # Checks and failovers in flight: shutdown cancels them before the
        # hub closes the database (they would write to it).
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def title(self) -> str:
        """Return the pool's name."""
        return self.subentry.title

    @property
    def coin(self) -> str:
        """Return the coin mined on this pool."""
        return str(self.subentry.data[CONF_COIN])

    @property
    def enabled(self) -> bool:
        """Return whether the pool is offered and checked."""
        return bool(self.subentry.data.get(CONF_ENABLED, True))

    def miners(self) -> list[MinerCoordinator]:
        """Return the miners whose latest poll shows this pool (host, port, user)."""
        pools = list(self.hub.pools.values())
        return [
            miner
            for miner in self.hub.coordinators.values()
            if miner.available and snapshot_pool(pools, miner.data) is self
        ]

    def _on_pool(self) -> OnPool:
        """Tell whether a counter row (pool_in_use, user) was on this pool."""
        pools = list(self.hub.pools.values())
        seen: dict[tuple[str | None, str | None], bool] = {}

        def on_pool(pool_in_use: str | None, pool_user: str | None) -> bool:
            key = (pool_in_use, pool_user)
            if key not in seen:  # an hour of rows repeats a few values
                seen[key] = pool_of(pools, pool_in_use, pool_user) is self
            return seen[key]

        return on_pool

    def best_share(self) -> float | None:
        """Return the best session share of the miners on this pool."""
        bests = [
            best
            for miner in self.miners()
            if (best := miner.data.session_best_difficulty) is not None
        ]
        return max(bests, default=None)

    def network_difficulty(self) -> float | None:
        """Return the chain's network difficulty.

        A miner on this pool reports it, else the pool statistics gave it at
        the last check.
        """
        for miner in self.miners():
            value = miner.data.extras.get("network_difficulty")
            if isinstance(value, int | float) and value > 0:
                return float(value)
        return None if self.data is None else self.data.network_difficulty

    async def _async_stats_difficulty(self) -> float | None:
        """Ask the statistics server (cached 10 minutes) when no miner tells."""
        tracker = self.hub.share_tracker
        if NetworkDifficulty.chain(self.coin) not in STATS_COINS:
            return None
        if any(miner.data.extras.get("network_difficulty") for miner in self.miners()):
            return None  # a miner on the pool reports it (no request needed)
        try:
            return await tracker.network.get(self.coin)
        except NetworkDifficultyError as err:
            LOGGER.debug("No network difficulty for pool %s: %s", self.title, err)
            return None

    @callback
    def async_reconfigure(
        self, subentry: ConfigSubentry, interval: timedelta | None
    ) -> None:
        """Apply a changed subentry (name, address, options) in place.

        ``interval`` None stops the checks (a disabled pool).
        """
        self.subentry = subentry
        self.applied_title = subentry.title
        self.applied_data = dict(subentry.data)
        self.address = _address(subentry.data)
        self.name = f"pool {subentry.title}"
        self.update_interval = interval

    async def async_shutdown(self) -> None:
        """Stop the schedule, then cancel (and wait for) checks in flight."""
        await super().async_shutdown()
        running = [task for task in self._tasks if not task.done()]
        for task in running:
            task.cancel()
        if running:
            await asyncio.wait(running)

    def _track[T](self, task: asyncio.Task[T]) -> asyncio.Task[T]:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _async_update_data(self) -> PoolHealthData:
        # In a task of our own, whoever runs the refresh, so that shutdown
        # can cancel it (a cancelled check ends the refresh quietly).
        check = self._track(
            self.config_entry.async_create_background_task(
                self.hass, self._async_check(), f"{DOMAIN} check {self.title}"
            )
        )
        try:
            return await check
        except asyncio.CancelledError:
            check.cancel()  # the refresh itself was cancelled
            raise

    async def _async_check(self) -> PoolHealthData:
        host, port, user, password = pool_target_data(self.subentry.data)
        target = parse_pool(host, port, user, password)
        check = await check_stratum(target)
        now = dt_util.utcnow()
        self.checks.append((now, check.reachable))
        samples = [
            self.hub.counter_samples.get(miner.miner_id, ())
            for miner in self.hub.coordinators.values()
        ]
        deltas = pool_share_deltas(samples, self._on_pool(), now)
        score = health_score(
            reachable=check.reachable,
            response_time_ms=check.response_time_ms,
            reject_rate=deltas.reject_rate,
            unreachable_last_hour=unreachable_checks(self.checks, now),
        )
        self._queue_row(
            PoolHealth,
            pool_id=self.pool_id,
            timestamp=to_naive_utc(now),
            response_time_ms=check.response_time_ms,
            is_reachable=check.reachable,
            reject_rate=deltas.reject_rate,
            shares_accepted=deltas.accepted,
            shares_rejected=deltas.rejected,
            health_score=score,
            # No real luck figures without the pool's block statistics.
            luck_percentage=None,
            error_message=(check.message or None) if not check.reachable else None,
        )
        network = None
        if check.reachable and self.enabled:
            network = await self._async_stats_difficulty()
        await self._async_store_network_difficulty(network, now)
        if self.data is not None and self.data.reachable != check.reachable:
            LOGGER.info(
                "Pool %s is %s", self.title, "back" if check.reachable else "down"
            )
        self._track(
            self.config_entry.async_create_background_task(
                self.hass, self._async_failover(now), f"{DOMAIN} failover {self.title}"
            )
        )
        return PoolHealthData(
            checked_at=now,
            check=check,
            health_score=score,
            reject_rate=deltas.reject_rate,
            shares_accepted=deltas.accepted,
            shares_rejected=deltas.rejected,
            network_difficulty=network,
        )

    def _queue_row(self, model: type[PoolHealth], **values: Any) -> None:
        try:
            self.hub.database.queue_insert(model, **values)
        except DatabaseClosedError:
            # The hub is closing: this check's row has nowhere to go.
            LOGGER.debug("Pool %s: database closed, check not stored", self.title)

    async def _async_store_network_difficulty(
        self, fetched: float | None, now: datetime
    ) -> None:
        """Keep ``pools.network_difficulty`` (the miners' figure, else fetched)."""
        value = self.network_difficulty() or fetched
        if value is None:
            return
        try:
            await self.hub.database.async_run(
                lambda session: set_pool_network_difficulty(
                    session, self.pool_id, value, now
                )
            )
        except DatabaseError as err:
            LOGGER.debug("Could not store the network difficulty: %s", err)

    # -- failover ------------------------------------------------------------

    def _failover_target(self) -> PoolCoordinator | None:
        target_id = self.subentry.data.get(CONF_FAILOVER_TO)
        target = self.hub.pools.get(str(target_id)) if target_id else None
        return target if target is not None and target.enabled else None

    async def _async_failover(self, now: datetime) -> None:
        if (target := self._failover_target()) is None:
            return
        await self.failover.async_step(
            self.checks,
            now,
            target,
            target_reachable=None if target.data is None else target.data.reachable,
            on_pool=self.miners,
        )
