"""The one hashrate-unit table: every unit a device reports, converted to GH/s.

Parsers (:func:`.parsing.parse_hashrate`, the Avalon and NMMiner readers) and
the database rollups (``db/rollup.py``) both convert with this table, so a unit
that one of them knows the other knows too.

Units are matched case-insensitively and without spaces, with or without the
``/s``: devices write "KH/s" (NMMiner), "kH/s", "MH/s", "GHS" (cgminer field
names) or "Th/s". A leading ``m`` means mega here, never milli: no miner
reports millihashes. The canonical spelling stored in ``Telemetry`` is the
left column of :data:`HASHRATE_UNITS`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

# Canonical unit → GH/s per unit. "KH/s" (not "kH/s") is what the parsers
# have always stored; both spellings read back the same.
HASHRATE_UNITS: Final[dict[str, float]] = {
    "H/s": 1e-9,
    "KH/s": 1e-6,
    "MH/s": 1e-3,
    "GH/s": 1.0,
    "TH/s": 1e3,
    "PH/s": 1e6,
    "EH/s": 1e9,
}

# SI prefix letter (lower case) → canonical unit; "" is plain hashes.
_BY_PREFIX: Final[dict[str, str]] = {unit[:-3].lower(): unit for unit in HASHRATE_UNITS}


@lru_cache(maxsize=128)
def canonical_hashrate_unit(unit: str | None) -> str | None:
    """Return the canonical spelling of ``unit`` ("kh/s" → "KH/s"), else None.

    Accepts ``<prefix>H/s``, ``<prefix>H``, ``<prefix>HS`` and ``<prefix>Hps``
    in any case, e.g. "TH/s", "th/s", "Th", "GHS", "khps". None and unknown
    units (including a bare prefix such as "T") return None.
    """
    if unit is None or len(unit) > 16:
        return None
    key = unit.replace(" ", "").lower()
    for tail in ("h/s", "hps", "hs", "h"):
        if key.endswith(tail):
            return _BY_PREFIX.get(key[: -len(tail)])
    return None


def prefix_unit(prefix: str) -> str | None:
    """Return the unit for an SI prefix letter ("k", "K", "M", ... or "")."""
    return _BY_PREFIX.get(prefix.lower())


def hashrate_factor(unit: str | None) -> float | None:
    """Return the GH/s per ``unit`` (any spelling), or None if unknown."""
    canonical = canonical_hashrate_unit(unit)
    return None if canonical is None else HASHRATE_UNITS[canonical]


def to_ghs(value: float | None, unit: str | None) -> float | None:
    """Convert ``value`` in ``unit`` to GH/s (None if either is unknown)."""
    if value is None:
        return None
    factor = hashrate_factor(unit)
    return None if factor is None else value * factor
