"""The hub's price unit for forms: what its prices are kept in per kWh."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..prices.units import price_unit_label

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant


def hub_price_unit(hass: HomeAssistant, entry: ConfigEntry) -> str:
    """Return ``p/kWh``, ``c/kWh``, ``öre/kWh``: the running source's, else the currency's."""
    prices = getattr(getattr(entry, "runtime_data", None), "prices", None)
    unit = getattr(prices, "price_unit", None)
    if isinstance(unit, str):
        return unit
    # No source yet: a new one is priced in Home Assistant's currency.
    return price_unit_label(str(hass.config.currency))
