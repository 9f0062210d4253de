"""Which configured pool a miner is on: host, port **and** user.

Pools for several coins may share one stratum server and port (the wallet in
the user picks the coin). Matching on host:port alone named the first of them,
so the strategy re-sent the same pool switch at every reconcile and the pool
select showed the wrong pool. A miner logs in as ``<pool user>.<worker>``
(see :mod:`.worker`), so the user's part before the first ``.`` is
what is compared, unless the user reported equals the configured one.

The one rule for the pool select, the strategy, the pools' miner counts and
reject rates, and the coin of a share. A miner whose driver does not report
its user (``None``) is on a pool only when no other pool has that host:port.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .url import pool_in_use_address

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..devices.snapshot import MinerSnapshot
    from .url import PoolAddress


def account(user: str) -> str:
    """Return a stratum user without its worker (``addr.rig`` -> ``addr``)."""
    return user.strip().partition(".")[0]


def snapshot_user(snapshot: MinerSnapshot) -> str | None:
    """Return the stratum user a miner reports (None: its driver does not)."""
    user = snapshot.extras.get("pool_user")
    return user if isinstance(user, str) else None


def same_user(reported: str, configured: str) -> bool:
    """Tell whether a miner's stratum user is this pool's user (worker or not)."""
    reported, configured = reported.strip(), configured.strip()
    return reported == configured or account(reported) == account(configured)


def match_pool[T](
    pool_in_use: str | None,
    pool_user: str | None,
    pools: Iterable[tuple[PoolAddress | None, str, T]],
) -> T | None:
    """Return the item of the pool a miner reports, else None.

    ``pools`` holds (address, configured user, item) in order of preference.
    With the miner's user unknown (a driver that does not report it), a
    host:port shared by several pools matches only when they are all the same
    ``item``; otherwise it gives None.
    """
    address = pool_in_use_address(pool_in_use)
    if address is None:
        return None
    candidates = [(user, item) for where, user, item in pools if where == address]
    if pool_user is None or not pool_user.strip():
        items = {id(item) for _, item in candidates}
        return candidates[0][1] if len(items) == 1 else None
    exact = [item for user, item in candidates if user.strip() == pool_user.strip()]
    if exact:
        return exact[0]
    return next((item for user, item in candidates if same_user(pool_user, user)), None)


def match_coin(
    pool_in_use: str | None,
    pool_user: str | None,
    pools: Iterable[tuple[PoolAddress | None, str, str]],
) -> str | None:
    """Return the coin of the pool a miner reports (pools: address, user, coin).

    Without the miner's user, a shared host:port still gives the coin when
    every pool there mines the same coin.
    """
    address = pool_in_use_address(pool_in_use)
    if address is None:
        return None
    listed = [(where, user, coin) for where, user, coin in pools if where == address]
    if pool_user is None or not pool_user.strip():
        coins = {coin for _, _, coin in listed}
        return coins.pop() if len(coins) == 1 else None
    return match_pool(pool_in_use, pool_user, listed)
