"""Labels in forms: translated option names, and the hub's price unit.

Description placeholders are inserted as given, so a title such as "Alert:
{alert_type}" would show the raw key (``miner_offline``).
``async_option_label`` looks the option up in the integration's selector
translations instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
from homeassistant.helpers.translation import async_get_translations

from ..const import DOMAIN
from ..prices.units import price_unit_label

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant


async def async_option_label(hass: HomeAssistant, selector: str, option: str) -> str:
    """Return ``selector.<selector>.options.<option>`` in HA's language.

    Falls back to the option itself when there is no translation.
    """
    strings = await async_get_translations(
        hass, hass.config.language, "selector", [DOMAIN]
    )
    key = f"component.{DOMAIN}.selector.{selector}.options.{option}"
    return strings.get(key, option)


def dropdown(
    options: list[str] | list[SelectOptionDict],
    key: str | None = None,
    *,
    multiple: bool = False,
) -> SelectSelector:
    """Return a dropdown; ``key`` names its labels (``selector.<key>`` in en.json)."""
    config = SelectSelectorConfig(
        options=options, multiple=multiple, mode=SelectSelectorMode.DROPDOWN
    )
    if key is not None:
        config["translation_key"] = key
    return SelectSelector(config)


def hub_price_unit(hass: HomeAssistant, entry: ConfigEntry) -> str:
    """Return ``p/kWh``, ``c/kWh``, ``öre/kWh``: the running source's, else the currency's."""
    # Flows also run while the hub is not loaded (no runtime data then).
    prices = getattr(getattr(entry, "runtime_data", None), "prices", None)
    unit = getattr(prices, "price_unit", None)
    if getattr(prices, "configured", False) and isinstance(unit, str):
        return unit
    # No source yet: a new one is priced in Home Assistant's currency.
    return price_unit_label(str(hass.config.currency))
