"""Home Assistant core Nord Pool: the ``nordpool.get_prices_for_date`` response.

The action (``config_entry``, ``date``, optional ``areas`` and ``currency``)
answers ``{area: [{"start": iso, "end": iso, "price": float}, ...]}`` with
prices per **MWh** in the asked currency (the entry's by default); the day's
market time units are 15 minutes since 1 October 2025 (96 a day, 92 or 100 on
a DST day). Its sensors' unique ids are ``{area}-{key}``
(``SE3-current_price``, unit ``{currency}/kWh``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from .tariff_items import ParsedPrices, parse_list
from .units import PriceUnit, factor_to_minor

DOMAIN: Final = "nordpool"
SERVICE: Final = "get_prices_for_date"
# pynordpool's Currency values: the action refuses any other.
CURRENCIES: Final = frozenset({"DKK", "EUR", "NOK", "PLN", "SEK"})


def area_of(unique_id: str) -> str | None:
    """``SE3-current_price`` → ``SE3``."""
    area, sep, key = unique_id.partition("-")
    return area.upper() if sep and area and key else None


def parse_response(
    response: object, area: str, currency: str, ha_currency: str
) -> ParsedPrices:
    """One day's answer for ``area`` priced in ``currency`` per MWh."""
    factor = factor_to_minor(PriceUnit(currency.upper(), per_mwh=True), ha_currency)
    if factor is None:
        return ParsedPrices(problem="currency_mismatch")
    if not isinstance(response, Mapping):
        return ParsedPrices(skipped=1)
    items = response.get(area) or response.get(area.upper())
    return parse_list(
        items, factor, start_key="start", end_key="end", price_key="price"
    )
