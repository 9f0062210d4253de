"""The ENTSO-e custom integration (JaccoR/hass-entso-e): its average sensor.

Only ``sensor.…average_electricity_price`` (unique id ``entsoe.avg_price``,
or ``entsoe.{name}_avg_price`` with a name) carries ``prices_today``,
``prices_tomorrow`` and ``prices``: items ``{"time": str(datetime), "price":
float}`` in the sensor's unit (``{currency}/{kWh|MWh}``, EUR/kWh by default,
after the user's price template), every 15 or 60 minutes, no end given.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Final

from .tariff_items import ParsedPrices, combine, parse_list

DOMAIN: Final = "entsoe"
LISTS: Final = ("prices_today", "prices_tomorrow", "prices")
AVERAGE_KEY: Final = "avg_price"


def is_average(unique_id: str) -> bool:
    """Return True for the sensor holding the price lists."""
    return unique_id.endswith(AVERAGE_KEY)


def parse_attributes(
    attributes: Mapping[str, Any] | None, factor: float
) -> ParsedPrices:
    """Today's, tomorrow's and the rolling list, merged."""
    if not attributes:
        return ParsedPrices()
    lists = [attributes[key] for key in LISTS if key in attributes]
    items = [item for found in lists if isinstance(found, list) for item in found]
    parsed = parse_list(
        items,
        factor,
        start_key="time",
        price_key="price",
        default_length=timedelta(hours=1),
    )
    bad = sum(1 for found in lists if found is not None and not isinstance(found, list))
    # The lists overlap ("prices" repeats today): the duplicates are no errors.
    dropped = max(parsed.skipped - _duplicates(items), 0)
    return combine(ParsedPrices(parsed.slots, dropped + bad))


def _duplicates(items: list[Any]) -> int:
    times = [item.get("time") for item in items if isinstance(item, Mapping)]
    return len(times) - len(set(times))
