"""Any sensor whose attributes hold a list of ``{start, end | duration, price}``.

The documented shape: an attribute (any name; ``prices``, ``slots``,
``rates``, ``data`` first) holding a list of mappings, each with ``start``
(ISO time with offset, or an aware datetime), ``end`` or ``duration``
(minutes, or ``HH:MM[:SS]``) and ``price``. The unit is the sensor's
``unit_of_measurement`` (``EUR/kWh``, ``c/kWh``, ``SEK/MWh`` …) or a
``unit`` attribute; without one, the major unit of Home Assistant's currency
per kWh. Several such lists (today, tomorrow) are merged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from .tariff_items import ParsedPrices, combine, parse_list

PREFERRED: Final = ("prices", "slots", "rates", "data")
ITEM_KEYS: Final = frozenset({"start", "price"})


def _looks_like(value: object) -> bool:
    if not isinstance(value, list | tuple) or not value:
        return False
    first = value[0]
    return (
        isinstance(first, Mapping)
        and first.keys() >= ITEM_KEYS
        and ("end" in first or "duration" in first)
    )


def price_lists(attributes: Mapping[str, Any] | None) -> list[str]:
    """Names of the attributes holding such a list (preferred names first)."""
    if not attributes:
        return []
    names = [name for name, value in attributes.items() if _looks_like(value)]
    return sorted(names, key=lambda n: PREFERRED.index(n) if n in PREFERRED else 99)


def parse_attributes(
    attributes: Mapping[str, Any] | None, factor: float
) -> ParsedPrices:
    """Every price list of the sensor, merged (the first list wins a start)."""
    names = price_lists(attributes)
    if attributes is None or not names:
        return ParsedPrices()
    return combine(
        *(
            parse_list(
                attributes[name],
                factor,
                start_key="start",
                end_key="end",
                duration_key="duration",
                price_key="price",
            )
            for name in names
        )
    )
