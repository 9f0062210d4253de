"""Walking the hub's options flow: its menus, then the form of one alert type."""

from __future__ import annotations

from homeassistant.config_entries import ConfigFlowResult
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry


async def options_menu(
    hass: HomeAssistant, entry: MockConfigEntry, *steps: str
) -> ConfigFlowResult:
    """Open the options flow and pick ``steps`` in its menus, in turn."""
    flow = await hass.config_entries.options.async_init(entry.entry_id)
    for step in steps:
        flow = await hass.config_entries.options.async_configure(
            flow["flow_id"], {"next_step_id": step}
        )
    return flow


async def alert_type_form(
    hass: HomeAssistant, entry: MockConfigEntry, alert_type: str
) -> ConfigFlowResult:
    """The options flow's form for one alert type (Alerts, then Alert settings)."""
    flow = await options_menu(hass, entry, "alerts", "alert_settings")
    return await hass.config_entries.options.async_configure(
        flow["flow_id"], {"alert_type": alert_type}
    )
