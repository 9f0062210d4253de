"""Price units: a source's unit → the factor to the hub's minor unit per kWh.

Prices are kept in the minor unit of Home Assistant's currency per kWh (p,
c, öre): that is what bands are configured in and what ``price_pence``
holds. A source in €/MWh is multiplied by 0.1, one in AUD/kWh by 100. A
source priced in another currency than Home Assistant's is refused (None):
converting would need an exchange rate nobody asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# Currencies whose minor unit is the major one (ISO 4217 exponent 0).
ZERO_DECIMAL: Final = frozenset(
    {"CLP", "ISK", "JPY", "KRW", "PYG", "UGX", "VND", "XAF", "XOF"}
)
NORDIC: Final = frozenset({"SEK", "NOK", "DKK"})
_SYMBOLS: Final = {"€": "EUR", "£": "GBP", "zł": "PLN", "kč": "CZK", "lei": "RON"}
# Minor unit words, and the currencies they can belong to (None: any).
_MINOR: Final[dict[str, frozenset[str] | None]] = {
    "p": frozenset({"GBP"}),
    "pence": frozenset({"GBP"}),
    "c": None,
    "ct": None,
    "cent": None,
    "cents": None,
    "¢": None,
    "öre": NORDIC,
    "øre": NORDIC,
    "ore": NORDIC,
}
_MINOR_LABEL: Final = {"GBP": "p", "SEK": "öre", "NOK": "øre", "DKK": "øre"}


@dataclass(frozen=True, slots=True)
class PriceUnit:
    """What a unit string says: currency (None: not said), minor unit, per MWh."""

    currency: str | None
    minor: bool = False
    per_mwh: bool = False
    dollar: bool = False  # "$": any dollar currency
    krona: bool = False  # "kr": SEK, NOK, DKK or ISK


def minor_per_major(currency: str) -> int:
    """100 cents in a euro; 1 for currencies without a minor unit."""
    return 1 if currency.upper() in ZERO_DECIMAL else 100


def minor_unit_label(currency: str) -> str:
    """Return the minor unit's short name: p, c, öre; the code itself without one."""
    code = currency.upper()
    if code in ZERO_DECIMAL:
        return code
    return _MINOR_LABEL.get(code, "c")


def price_unit_label(currency: str) -> str:
    """Return the hub's price unit for ``currency``: ``p/kWh``, ``c/kWh``, ``öre/kWh``."""
    return f"{minor_unit_label(currency)}/kWh"


def parse_unit(unit: object) -> PriceUnit | None:
    """Read ``EUR/MWh``, ``$/kWh``, ``c/kWh``, ``öre/kWh``, ``SEK``; None if unreadable."""
    if not isinstance(unit, str) or not unit.strip():
        return None
    money, _, energy = unit.strip().partition("/")
    energy = energy.strip().lower()
    if energy not in {"", "kwh", "mwh"}:
        return None
    per_mwh = energy == "mwh"
    word = money.strip()
    lower = word.lower()
    if lower in _MINOR:
        allowed = _MINOR[lower]
        only = next(iter(allowed)) if allowed and len(allowed) == 1 else None
        return PriceUnit(only, minor=True, per_mwh=per_mwh, krona=allowed == NORDIC)
    if word == "$":
        return PriceUnit(None, per_mwh=per_mwh, dollar=True)
    if lower == "kr":
        return PriceUnit(None, per_mwh=per_mwh, krona=True)
    if lower in _SYMBOLS or word in _SYMBOLS:
        return PriceUnit(_SYMBOLS.get(lower) or _SYMBOLS[word], per_mwh=per_mwh)
    if len(word) == 3 and word.isalpha():
        return PriceUnit(word.upper(), per_mwh=per_mwh)
    return None


def factor_to_minor(unit: PriceUnit, currency: str) -> float | None:
    """Multiplier from ``unit`` to minor units of ``currency`` per kWh.

    None when the unit names another currency than ``currency``.
    """
    code = currency.upper()
    if unit.currency is not None and unit.currency != code:
        return None
    if unit.dollar and not code.endswith("D"):
        return None
    if unit.krona and code not in {*NORDIC, "ISK"}:
        return None
    factor = 1.0 if unit.minor else float(minor_per_major(code))
    return factor / 1000.0 if unit.per_mwh else factor


def factor_for(unit: object, currency: str, default: PriceUnit) -> float | None:
    """Factor for a unit string, ``default`` when the source states none."""
    return factor_to_minor(parse_unit(unit) or default, currency)


def to_minor(value: float, factor: float) -> float:
    """Scale a price keeping the source's precision, not float noise."""
    return round(value * factor, 6)
