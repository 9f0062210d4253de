"""Which configured pool a miner is on: the hub's one lookup.

Host, port **and** user (:func:`.pools.pool_match.match_pool`): pools for
several coins may share one stratum server, so host:port alone made each of
them count the others' miners, shares and rejects. The pool select, the
pools' miner counts and reject rates, and the coin of a share all ask here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from ..const import CONF_PRIORITY, CONF_USER
from ..pools.pool_match import match_pool, snapshot_user

if TYPE_CHECKING:
    from collections.abc import Iterable

    from homeassistant.config_entries import ConfigSubentry

    from ..devices.snapshot import MinerSnapshot
    from ..pools.url import PoolAddress


class ListedPool(Protocol):
    """What the lookup reads of a configured pool (``PoolCoordinator`` has it)."""

    @property
    def title(self) -> str:
        """Return the pool's name."""

    @property
    def subentry(self) -> ConfigSubentry:
        """Return the pool's subentry (user, priority)."""

    @property
    def address(self) -> PoolAddress:
        """Return the pool's host and port."""


def pool_order(pool: ListedPool) -> tuple[int, str]:
    """Sort key: the lowest priority number first, then by name.

    0 is the first choice, as in cgminer and the miners' own pool slots.
    """
    return (int(pool.subentry.data.get(CONF_PRIORITY, 0)), pool.title)


def pool_of[P: ListedPool](
    pools: Iterable[P], pool_in_use: str | None, pool_user: str | None
) -> P | None:
    """Return the configured pool at ``pool_in_use`` for ``pool_user``, else None.

    Without the user, only a host:port that no other pool shares matches.
    """
    return match_pool(
        pool_in_use,
        pool_user,
        (
            (pool.address, str(pool.subentry.data.get(CONF_USER, "")), pool)
            for pool in sorted(pools, key=pool_order)
        ),
    )


def snapshot_pool[P: ListedPool](
    pools: Iterable[P], snapshot: MinerSnapshot
) -> P | None:
    """Return the configured pool a miner's reading shows it on, else None."""
    return pool_of(pools, snapshot.pool_in_use, snapshot_user(snapshot))
