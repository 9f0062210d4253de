"""Pools as the strategy sees them: pool subentries, by coin and priority."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..const import SUBENTRY_POOL
from ..pools.url import PoolAddress, pool_address
from ..strategy.bands import OFF

if TYPE_CHECKING:
    from collections.abc import Iterable

    from homeassistant.config_entries import ConfigEntry, ConfigSubentry

    from ..strategy.bands import Band


@dataclass(frozen=True, slots=True)
class PoolRef:
    """The fields of a pool subentry the strategy needs (no password)."""

    subentry: ConfigSubentry
    url: str
    port: int
    user: str
    coin: str
    priority: int
    enabled: bool


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def pool_refs(entry: ConfigEntry) -> list[PoolRef]:
    """Every pool subentry of the hub."""
    refs = []
    for subentry in entry.subentries.values():
        if subentry.subentry_type != SUBENTRY_POOL:
            continue
        data = subentry.data
        refs.append(
            PoolRef(
                subentry=subentry,
                url=str(data.get("url", "")),
                port=_int(data.get("port"), 0),
                user=str(data.get("user", "")),
                coin=str(data.get("coin", "")).upper(),
                priority=_int(data.get("priority"), 0),
                enabled=bool(data.get("enabled", True)),
            )
        )
    return refs


def pool_for_coin(entry: ConfigEntry, coin: str) -> ConfigSubentry | None:
    """Return the highest-priority enabled pool of ``coin`` (lowest number first)."""
    candidates = [p for p in pool_refs(entry) if p.enabled and p.coin == coin.upper()]
    if not candidates:
        return None
    best = min(candidates, key=lambda p: (p.priority, p.subentry.title))
    return best.subentry


type PoolAddresses = list[tuple[PoolAddress | None, str, str]]


def pool_addresses(entry: ConfigEntry) -> PoolAddresses:
    """(address, user, coin) of every pool, for :func:`match_coin`.

    Host, port and user: pools of several coins may share one stratum server.
    """
    return [(pool_address(p), p.user, p.coin) for p in pool_refs(entry)]


def missing_pool_coins(entry: ConfigEntry, bands: Iterable[Band]) -> list[str]:
    """Coins used by a band that have no enabled pool."""
    enabled = {p.coin for p in pool_refs(entry) if p.enabled}
    coins = {band.target_coin for band in bands if band.target_coin != OFF}
    return sorted(coins - enabled)
