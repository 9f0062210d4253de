"""Best shares and blocks: a row when a miner's session best rises.

Every poll hands the miner's session best here. Only a rise counts (a reboot
or new session restarts the counter from zero; the lower value becomes the
new baseline). A new best is stored with the coin of the configured pool the
miner is on (host, port and user: pools of several coins may share a server;
``UNKNOWN`` if none matches, never a guess), and compared with the network
difficulty: the miner's own figure, else the pool statistics endpoint
(cached). A share at or above it is a block: a ``blocks_found`` row, an Event
row, the HA event ``home_miner_manager_block_found`` and a persistent
notification. Here, not in ``miner/``: the coin is the pool's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from ..audit import queue_event
from ..const import DOMAIN, LOGGER
from ..db.share_rows import (
    LeaderboardEntry,
    best_share_by_miner,
    leaderboard,
    leaderboard_entry,
    raise_pool_best_share,
    record_high_diff_share,
    set_pool_network_difficulty,
)
from ..pools.high_shares import UNKNOWN_COIN, UNKNOWN_POOL, SessionBestTracker, is_block
from ..pools.network import (
    SOLOPOOL_SOURCES,
    STATS_COINS,
    NetworkDifficulty,
    NetworkDifficultyError,
    StatsApi,
    StatsSource,
)
from .lookup import snapshot_pool

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from datetime import datetime

    from aiohttp import ClientSession
    from homeassistant.config_entries import ConfigEntry
    from sqlalchemy.orm import Session

    from ..db import Database
    from ..devices.snapshot import MinerSnapshot
    from .coordinator import PoolCoordinator

EVENT_BLOCK_FOUND: Final = "home_miner_manager_block_found"


def stats_sources(base_url: str | None) -> Mapping[str, StatsSource]:
    """Return where network difficulties are read.

    ``base_url`` (a hub option) points at one server answering solopool-style
    ``{base}/{coin}/api/stats`` (a local pool, or a fake in tests); empty means
    the public solopool.org endpoints.
    """
    if not base_url:
        return SOLOPOOL_SOURCES
    base = base_url.rstrip("/")
    return {
        coin: StatsSource(StatsApi.SOLOPOOL, f"{base}/{coin.lower()}")
        for coin in STATS_COINS
    }


@dataclass(frozen=True, slots=True)
class ShareBests:
    """The stored best shares: each miner's, and the best of all."""

    by_miner: Mapping[int, float] = field(default_factory=dict)
    # The leaderboard's first place.
    top: LeaderboardEntry | None = None


class ShareTracker(DataUpdateCoordinator[ShareBests]):
    """Watches every miner's session best for the hub; pushed, never polled.

    Its data is what the best-share sensors show: read once at start-up
    (:meth:`async_load`), then pushed after each new best share is stored.
    """

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        database: Database,
        session: ClientSession,
        *,
        pools: Callable[[], Iterable[PoolCoordinator]],
        stats_url: str | None = None,
    ) -> None:
        """Follow shares; ``pools`` returns the configured pools when asked."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name="best shares",
            update_interval=None,
        )
        self._database = database
        self._pools = pools
        self._bests = SessionBestTracker()
        self._session = session
        self._stats_url = stats_url
        self.network = NetworkDifficulty(session, stats_sources(stats_url))

    @property
    def best_by_miner(self) -> Mapping[int, float]:
        """Return each miner's best stored share (by Miner row id)."""
        return {} if self.data is None else self.data.by_miner

    @property
    def top(self) -> LeaderboardEntry | None:
        """Return the best stored share of all (None before the first)."""
        return None if self.data is None else self.data.top

    async def async_load(self) -> None:
        """Read the stored bests (at start-up; a database error is raised)."""
        self.async_set_updated_data(await self._async_update_data())

    async def _async_update_data(self) -> ShareBests:
        def _read(session: Session) -> ShareBests:
            top = leaderboard(session, now=dt_util.utcnow(), count=1, days=None)
            return ShareBests(best_share_by_miner(session), top[0] if top else None)

        return await self._database.async_run(_read)

    def network_difficulty(self, snapshot: MinerSnapshot) -> float | None:
        """Return the network difficulty for a miner's chain, if known now.

        The miner's own figure, else the cached one of its pool's coin (the
        cache fills when a share is stored or a pool is checked).
        """
        reported = snapshot.extras.get("network_difficulty")
        if isinstance(reported, int | float) and reported > 0:
            return float(reported)
        pool = self._pool_of(snapshot)
        if pool is None or (cached := self.network.cached(pool.coin)) is None:
            return None
        return cached[0]

    def set_stats_url(self, stats_url: str | None) -> None:
        """Read network difficulties from elsewhere (an option changed)."""
        if stats_url != self._stats_url:
            self._stats_url = stats_url
            self.network = NetworkDifficulty(self._session, stats_sources(stats_url))

    @callback
    def observe(
        self, *, miner_id: int, miner_name: str, snapshot: MinerSnapshot, when: datetime
    ) -> None:
        """Look at one poll; store a share if the session best rose."""
        best = self._bests.observe(miner_id, snapshot.session_best_difficulty)
        if best is None:
            return
        self.config_entry.async_create_background_task(
            self.hass,
            self._async_store(miner_id, miner_name, snapshot, best, when),
            f"{DOMAIN} share {miner_name}",
        )

    def _pool_of(self, snapshot: MinerSnapshot) -> PoolCoordinator | None:
        # Host, port and user: pools of several coins may share a server.
        return snapshot_pool(self._pools(), snapshot)

    async def _async_network_difficulty(
        self, snapshot: MinerSnapshot, coin: str
    ) -> float | None:
        reported = snapshot.extras.get("network_difficulty")
        if isinstance(reported, int | float) and reported > 0:
            return float(reported)
        if coin not in (*STATS_COINS, "BTC_POOLED"):
            return None
        try:
            return await self.network.get(coin)
        except NetworkDifficultyError as err:
            LOGGER.debug("No network difficulty for %s: %s", coin, err)
            return None

    async def _async_store(
        self,
        miner_id: int,
        miner_name: str,
        snapshot: MinerSnapshot,
        best: float,
        when: datetime,
    ) -> None:
        pool = self._pool_of(snapshot)
        coin = pool.coin if pool is not None else UNKNOWN_COIN
        pool_name = pool.title if pool is not None else UNKNOWN_POOL
        network = await self._async_network_difficulty(snapshot, coin)
        block = is_block(best, network)

        def _write(session: Session) -> LeaderboardEntry:
            share = record_high_diff_share(
                session,
                miner_id=miner_id,
                miner_name=miner_name,
                miner_type=snapshot.miner_type,
                coin=coin,
                pool_name=pool_name,
                difficulty=best,
                network_difficulty=network,
                was_block_solve=block,
                timestamp=when,
                hashrate=snapshot.hashrate,
                hashrate_unit=snapshot.hashrate_unit or "GH/s",
                miner_mode=snapshot.mode,
            )
            if pool is not None:
                raise_pool_best_share(session, pool.pool_id, best, when)
                if network is not None:
                    set_pool_network_difficulty(session, pool.pool_id, network, when)
            return leaderboard_entry(share)

        try:
            share = await self._database.async_run(_write)
        except Exception:  # noqa: BLE001  (a DB hiccup must not break polling)
            LOGGER.warning("Could not store a best share of %s", miner_name)
            return
        bests = self.data if self.data is not None else ShareBests()
        by_miner = bests.by_miner
        if best > by_miner.get(miner_id, 0.0):
            by_miner = {**by_miner, miner_id: best}
        top = share if bests.top is None or best > bests.top.difficulty else bests.top
        self.async_set_updated_data(ShareBests(by_miner, top))
        if block:
            self._announce_block(miner_name, coin, pool_name, best, network)

    @callback
    def _announce_block(
        self,
        miner_name: str,
        coin: str,
        pool_name: str,
        difficulty: float,
        network: float | None,
    ) -> None:
        data = {
            "miner": miner_name,
            "coin": coin,
            "pool": pool_name,
            "difficulty": difficulty,
            "network_difficulty": network,
        }
        message = (
            f"{miner_name} found a {coin} block on {pool_name}: share difficulty "
            f"{difficulty:,.0f} beat the network's {network:,.0f}."
        )
        LOGGER.info("Block found: %s", message)
        self.hass.bus.async_fire(EVENT_BLOCK_FOUND, data)
        queue_event(
            self._database,
            event_type="block_found",
            source=f"miner:{miner_name}",
            message=message,
            data=data,
        )
        persistent_notification.async_create(
            self.hass,
            message,
            title="Block found!",
            notification_id=f"{DOMAIN}_block_{miner_name}_{int(difficulty)}",
        )
