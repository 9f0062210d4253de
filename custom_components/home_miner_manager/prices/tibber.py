"""Home Assistant core Tibber: the ``tibber.get_prices`` response.

The action (optional ``start``/``end``, default today) answers
``{"prices": {home nickname: [{"start_time": datetime or ISO, "price": float},
...]}}`` — the home's total price per **kWh** in its currency (the price
sensor's unit, e.g. ``NOK/kWh``), hourly or quarter-hourly, no end given.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Final

from .tariff_items import ParsedPrices, parse_list

DOMAIN: Final = "tibber"
SERVICE: Final = "get_prices"
ONE_HOUR: Final = timedelta(hours=1)


def homes(response: object) -> list[str]:
    """Return the home nicknames in a response."""
    prices = response.get("prices") if isinstance(response, Mapping) else None
    return [str(name) for name in prices] if isinstance(prices, Mapping) else []


def pick_home(names: list[str], hint: str) -> str | None:
    """Return the home named in ``hint`` (the sensor's name), else the only/first one."""
    lowered = hint.lower()
    named = [name for name in names if name and name.lower() in lowered]
    if named:
        return max(named, key=len)
    return names[0] if names else None


def parse_response(response: object, home: str, factor: float) -> ParsedPrices:
    """Parse the listed prices of ``home`` (``factor``: source unit → minor per kWh)."""
    prices = response.get("prices") if isinstance(response, Mapping) else None
    if not isinstance(prices, Mapping):
        return ParsedPrices(skipped=1)
    return parse_list(
        prices.get(home),
        factor,
        start_key="start_time",
        price_key="price",
        default_length=ONE_HOUR,
    )
