"""Repair what upstream HMM stored wrongly, and derive what it never stored.

* Hashrate units were mixed: the ``hashrate_unit`` column defaults to "GH/s"
  while NMMiner rows hold MH/s (their ``data.hashrate_unit`` says so), older
  rows have no unit at all, and a few hold the device's string ("1.01MH/s").
  The row's ``data.hashrate_unit`` wins over the column, the column over the
  "GH/s" default; an NMMiner (an ESP32, about 1 MH/s) reported above 50 MH/s
  "in GH/s" is really in MH/s.
* Difficulties may be strings ("270M", "4.29G"): SI suffixes are powers of 1000.
* Pools have no coin: upstream guessed it from the pool's name; Solopool ports
  and Braiins hosts say it better.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

from ..devices.parsing import (
    parse_difficulty,
    parse_hashrate,
)
from ..devices.types import MinerType
from ..devices.units import canonical_hashrate_unit

if TYPE_CHECKING:
    from collections.abc import Mapping

# An NMMiner never reaches this (GH/s); a value above it labelled GH/s is MH/s.
_NMMINER_MAX_GHS: Final = 0.05
# Solopool's stratum ports per coin (upstream's hard-coded table).
_SOLOPOOL_PORTS: Final[Mapping[int, str]] = {
    8001: "BC2",
    8002: "BCH",
    8004: "DGB",
    8005: "BTC",
}
_TYPES: Final[Mapping[str, MinerType]] = {
    "bitaxe": MinerType.BITAXE,
    "nerdqaxe": MinerType.NERDQAXE,
    "nerdqaxe++": MinerType.NERDQAXE,
    "avalon_nano": MinerType.AVALON_NANO,
    "avalon": MinerType.AVALON_NANO,
    "nmminer": MinerType.NMMINER,
}
_MODE_ALIASES: Final[Mapping[str, str]] = {"std": "standard"}


def miner_type(raw: object) -> MinerType | None:
    """Return our type for upstream's ``miner_type`` (None: a type we lack)."""
    return _TYPES.get(str(raw or "").strip().lower())


def band_mode(raw: object) -> str:
    """Upstream's band mode, with its "std" alias spelled out."""
    text = str(raw or "").strip().lower()
    return _MODE_ALIASES.get(text, text)


def telemetry_hashrate(
    value: object, unit: object, data: object, kind: str | None
) -> tuple[float | None, str | None] | None:
    """Return ``(value, canonical unit)`` for one telemetry row; None if insane.

    A missing hashrate stays missing (``(None, None)``).
    """
    if value is None:
        return None, None
    from_data = (
        canonical_hashrate_unit(str(data.get("hashrate_unit")))
        if isinstance(data, dict) and data.get("hashrate_unit")
        else None
    )
    from_column = canonical_hashrate_unit(str(unit)) if unit else None
    default = from_data or from_column or "GH/s"
    parsed = parse_hashrate(value, default)
    if parsed is None:
        return None
    number, canonical, ghs = parsed
    if (
        kind == MinerType.NMMINER
        and from_data is None
        and canonical == "GH/s"
        and ghs > _NMMINER_MAX_GHS
    ):
        canonical = "MH/s"
    return number, canonical


def difficulty(raw: object) -> float | None:
    """Return a share difficulty as a number ("270M" → 2.7e8); None if unreadable."""
    return parse_difficulty(raw)


def number(raw: object) -> float | None:
    """Return a float column's value (it may hold text); None if unreadable."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw)
    try:
        return float(str(raw).strip())
    except ValueError:
        return None


def pool_coin(name: str, url: str, port: int | None) -> str:
    """Return the coin a pool mines, as our ``coin`` field spells it."""
    host = url.lower()
    if "braiins.com" in host:
        return "BTC_POOLED"
    if "solopool" in host and port is not None and port in _SOLOPOOL_PORTS:
        return _SOLOPOOL_PORTS[port]
    label = name.upper()
    # Upstream's own order: BTC first, then BCH, BC2, DGB; else BTC.
    if any(word in label for word in ("BCH", "BITCOIN CASH")):
        return "BCH"
    if any(word in label for word in ("BC2", "BITCOIN II")):
        return "BC2"
    if any(word in label for word in ("DGB", "DIGIBYTE")):
        return "DGB"
    return "BTC"


def json_dict(raw: Any) -> dict[str, Any] | None:
    """Return a JSON column's object (text from an old driver is decoded too)."""
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str):
        try:
            decoded = json.loads(raw)
        except ValueError:
            return None
        return decoded if isinstance(decoded, dict) else None
    return None
