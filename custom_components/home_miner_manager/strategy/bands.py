"""Price bands: which coin and which mode per miner family for a price range.

A band covers ``min_price`` ≤ p < ``max_price`` (pence/kWh; ``None`` is open).
"Dearer" always means a higher price range, whatever ``sort_order`` says:
``sort_order`` is only the display order (the defaults keep upstream's 0 =
dearest). Bands are told apart by ``id``, never by coin (upstream confused
its two DGB bands that way).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from itertools import pairwise
import math
from typing import TYPE_CHECKING, Any, Final

from ..devices.types import (
    AVALON_MODES,
    AXEOS_MODES,
    MinerType,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

OFF: Final = "OFF"
COINS: Final = (OFF, "DGB", "BCH", "BTC", "BC2", "BTC_POOLED")
MANAGED_EXTERNALLY: Final = "managed_externally"
# What each mode column may hold; managed_externally = "leave the miner alone".
BAND_MODES: Final[Mapping[str, tuple[str, ...]]] = {
    MinerType.BITAXE: (MANAGED_EXTERNALLY, *AXEOS_MODES),
    MinerType.NERDQAXE: (MANAGED_EXTERNALLY, *AXEOS_MODES),
    MinerType.AVALON_NANO: (MANAGED_EXTERNALLY, *AVALON_MODES),
}
# The least power a family can run at (used when a miner cannot be powered off).
LOWEST_MODE: Final[Mapping[str, str]] = {
    MinerType.BITAXE: AXEOS_MODES[0],
    MinerType.NERDQAXE: AXEOS_MODES[0],
    MinerType.AVALON_NANO: AVALON_MODES[0],
}
_MODE_FIELDS: Final[Mapping[str, str]] = {
    MinerType.BITAXE: "bitaxe_mode",
    MinerType.NERDQAXE: "nerdqaxe_mode",
    MinerType.AVALON_NANO: "avalon_nano_mode",
}


@dataclass(frozen=True, slots=True)
class Band:
    """One AgileStrategyBand row, plus ``champion`` (kept in state_data)."""

    id: int
    sort_order: int
    min_price: float | None
    max_price: float | None
    target_coin: str
    bitaxe_mode: str
    nerdqaxe_mode: str
    avalon_nano_mode: str
    champion: bool = False

    @property
    def is_off(self) -> bool:
        """Return True for a band that turns miners off."""
        return self.target_coin == OFF

    def contains(self, price: float) -> bool:
        """Return True when ``price`` falls in this band's range."""
        return (self.min_price is None or price >= self.min_price) and (
            self.max_price is None or price < self.max_price
        )

    def mode_for(self, miner_type: str) -> str | None:
        """Return the mode column for this family (None: the family has no modes)."""
        field = _MODE_FIELDS.get(miner_type)
        return None if field is None else str(getattr(self, field))

    def to_dict(self) -> dict[str, Any]:
        """Return plain JSON data."""
        return {
            "id": self.id,
            "sort_order": self.sort_order,
            "min_price": self.min_price,
            "max_price": self.max_price,
            "target_coin": self.target_coin,
            "bitaxe_mode": self.bitaxe_mode,
            "nerdqaxe_mode": self.nerdqaxe_mode,
            "avalon_nano_mode": self.avalon_nano_mode,
            "champion": self.champion,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Band:
        """Build from :meth:`to_dict` output (or a row's columns); ValueError if bad."""
        try:
            return cls(
                id=_int(data["id"]),
                sort_order=_int(data["sort_order"]),
                min_price=_price(data.get("min_price")),
                max_price=_price(data.get("max_price")),
                target_coin=str(data["target_coin"]),
                bitaxe_mode=str(data["bitaxe_mode"]),
                nerdqaxe_mode=str(data["nerdqaxe_mode"]),
                avalon_nano_mode=str(data["avalon_nano_mode"]),
                champion=data.get("champion") is True,
            )
        except (KeyError, TypeError) as err:
            raise ValueError(f"not a band: {err}") from err


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def _price(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a price, got {value!r}")
    return float(value)


def default_bands() -> list[Band]:
    """Upstream's five bands (ids 1-5, sort_order 0 = dearest).

    The OFF band's modes are never applied (miners are powered off, or put in
    their lowest mode without a switch); they hold the lowest modes so the row
    reads true. Bitaxes stay at ``standard`` in the cheap bands: upstream's
    ``oc`` (and ``turbo`` on a BM1397 Max) runs them over the default
    high-temperature alert limit (70 °C), so the defaults fought each other.
    """
    return [
        Band(1, 0, 20.0, None, OFF, "eco", "eco", "low"),
        Band(2, 1, 12.0, 20.0, "DGB", "eco", "eco", "low"),
        Band(3, 2, 7.0, 12.0, "DGB", "standard", "standard", "med"),
        Band(4, 3, 4.0, 7.0, "BCH", "standard", "standard", "high"),
        Band(5, 4, None, 4.0, "BTC", "standard", "oc", "high"),
    ]


def champion_band_ids(bands: Iterable[Band]) -> list[int]:
    """Return the ids of champion bands (what state_data stores)."""
    return sorted(band.id for band in bands if band.champion)


def with_champions(bands: Iterable[Band], champion_ids: Iterable[int]) -> list[Band]:
    """Return ``bands`` with ``champion`` set from stored ids (rows lack the column)."""
    ids = set(champion_ids)
    return [
        Band(
            band.id,
            band.sort_order,
            band.min_price,
            band.max_price,
            band.target_coin,
            band.bitaxe_mode,
            band.nerdqaxe_mode,
            band.avalon_nano_mode,
            band.id in ids,
        )
        for band in bands
    ]


def _floor(band: Band) -> float:
    return -math.inf if band.min_price is None else band.min_price


def _ceiling(band: Band) -> float:
    return math.inf if band.max_price is None else band.max_price


def by_price(bands: Iterable[Band]) -> list[Band]:
    """Return bands cheapest first (the order "dearer" is defined by)."""
    return sorted(bands, key=lambda band: (_floor(band), _ceiling(band), band.id))


@dataclass(frozen=True, slots=True)
class BandIssue:
    """One validation problem: a translation key and the band it concerns."""

    key: str
    band_id: int | None = None


def validate_bands(bands: Sequence[Band]) -> list[BandIssue]:
    """Check bands cover every price once, with valid coins and modes.

    Keys: no_bands, duplicate_id, duplicate_sort_order, invalid_price,
    empty_range, lowest_min_not_open, highest_max_not_open, gap, overlap,
    invalid_coin, invalid_bitaxe_mode, invalid_nerdqaxe_mode,
    invalid_avalon_nano_mode, champion_off_band.
    """
    if not bands:
        return [BandIssue("no_bands")]
    issues: list[BandIssue] = []
    seen_ids: set[int] = set()
    seen_orders: set[int] = set()
    for band in bands:
        if band.id in seen_ids:
            issues.append(BandIssue("duplicate_id", band.id))
        if band.sort_order in seen_orders:
            issues.append(BandIssue("duplicate_sort_order", band.id))
        seen_ids.add(band.id)
        seen_orders.add(band.sort_order)
        issues.extend(_band_issues(band))
    ordered = by_price(bands)
    if ordered[0].min_price is not None:
        issues.append(BandIssue("lowest_min_not_open", ordered[0].id))
    if ordered[-1].max_price is not None:
        issues.append(BandIssue("highest_max_not_open", ordered[-1].id))
    for lower, upper in pairwise(ordered):
        if _ceiling(lower) < _floor(upper):
            issues.append(BandIssue("gap", upper.id))
        elif _ceiling(lower) > _floor(upper):
            issues.append(BandIssue("overlap", upper.id))
    return issues


def _band_issues(band: Band) -> list[BandIssue]:
    issues: list[BandIssue] = []
    prices = [p for p in (band.min_price, band.max_price) if p is not None]
    if any(not math.isfinite(p) for p in prices):
        issues.append(BandIssue("invalid_price", band.id))
    elif _floor(band) >= _ceiling(band):
        issues.append(BandIssue("empty_range", band.id))
    if band.target_coin not in COINS:
        issues.append(BandIssue("invalid_coin", band.id))
    for miner_type, field in _MODE_FIELDS.items():
        if getattr(band, field) not in BAND_MODES[miner_type]:
            issues.append(BandIssue(f"invalid_{field}", band.id))
    if band.champion and band.is_off:
        issues.append(BandIssue("champion_off_band", band.id))
    return issues


class BandTable:
    """Bands indexed for fast lookups by price, id and dearness."""

    __slots__ = ("_floors", "by_id", "ordered", "rank")

    def __init__(self, bands: Iterable[Band]) -> None:
        """Index ``bands`` (validate them first; lookups assume no overlaps)."""
        self.ordered: list[Band] = by_price(bands)
        self.by_id: dict[int, Band] = {band.id: band for band in self.ordered}
        # rank: 0 = cheapest; a higher rank is a dearer band.
        self.rank: dict[int, int] = {b.id: i for i, b in enumerate(self.ordered)}
        self._floors = [_floor(band) for band in self.ordered]

    def band_for(self, price: float) -> Band | None:
        """Return the band with min ≤ price < max (None: no band, or NaN)."""
        if math.isnan(price):  # NaN matches nothing
            return None
        index = bisect_right(self._floors, price) - 1
        if index >= 0 and self.ordered[index].contains(price):
            return self.ordered[index]
        return None

    def dearer(self, first: Band, second: Band) -> Band:
        """Return whichever of two bands is dearer."""
        return first if self.rank[first.id] >= self.rank[second.id] else second


def band_for(bands: Iterable[Band], price: float) -> Band | None:
    """Return the band with min ≤ price < max, or None."""
    return BandTable(bands).band_for(price)
