"""The hub's options flow: a menu whose steps live in one module per area.

Each step hands over, in one line, to its area: ``database``, ``pools``,
``prices``, ``strategy`` store options (merged with the rest); ``bands``,
``alerts`` and ``channels`` save through the running hub (the database) and
end the flow with the options unchanged. What a step must remember for the
next one (the band or channel being edited, the alert type) is the flow's
``OptionsDraft``.
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow

from . import alerts, bands, channels, database, pools, prices, strategy
from .form import OptionsDraft

MENU: Final = ["database", "pools", "prices", "strategy", "bands", "alerts"]

type _Input = dict[str, Any] | None


class HubOptionsFlow(OptionsFlow):
    """Options of the hub entry."""

    def __init__(self) -> None:
        """Start with nothing picked."""
        self._draft = OptionsDraft()

    async def async_step_init(self, user_input: _Input = None) -> ConfigFlowResult:
        """Offer the option groups."""
        return self.async_show_menu(step_id="init", menu_options=MENU)

    async def async_step_database(self, user_input: _Input = None) -> ConfigFlowResult:
        """Set the database URL and retention."""
        return await database.async_step_database(self, user_input)

    async def async_step_pools(self, user_input: _Input = None) -> ConfigFlowResult:
        """Set how pools are checked."""
        return await pools.async_step_pools(self, user_input)

    async def async_step_prices(self, user_input: _Input = None) -> ConfigFlowResult:
        """Pick the price source."""
        return await prices.async_step_prices(self, user_input)

    async def async_step_strategy(self, user_input: _Input = None) -> ConfigFlowResult:
        """Set the strategy."""
        return await strategy.async_step_strategy(self, user_input)

    # -- price bands -----------------------------------------------------------

    async def async_step_bands(self, user_input: _Input = None) -> ConfigFlowResult:
        """Offer the band actions."""
        return await bands.async_step_bands(self, self._draft, user_input)

    async def async_step_band_add(self, user_input: _Input = None) -> ConfigFlowResult:
        """Add a band."""
        return await bands.async_step_band_add(self, self._draft, user_input)

    async def async_step_band_edit(self, user_input: _Input = None) -> ConfigFlowResult:
        """Pick a band to edit."""
        return await bands.async_step_band_edit(self, self._draft, user_input)

    async def async_step_band_form(self, user_input: _Input = None) -> ConfigFlowResult:
        """Edit one band."""
        return await bands.async_step_band_form(self, self._draft, user_input)

    async def async_step_band_delete(
        self, user_input: _Input = None
    ) -> ConfigFlowResult:
        """Delete a band."""
        return await bands.async_step_band_delete(self, self._draft, user_input)

    async def async_step_band_reset(
        self, user_input: _Input = None
    ) -> ConfigFlowResult:
        """Put the default bands back."""
        return await bands.async_step_band_reset(self, self._draft, user_input)

    # -- alerts and notification channels --------------------------------------

    async def async_step_alerts(self, user_input: _Input = None) -> ConfigFlowResult:
        """Offer the channel and alert actions."""
        return await alerts.async_step_alerts(self, user_input)

    async def async_step_alert_settings(
        self, user_input: _Input = None
    ) -> ConfigFlowResult:
        """Pick an alert type."""
        return await alerts.async_step_alert_settings(self, self._draft, user_input)

    async def async_step_alert_type(
        self, user_input: _Input = None
    ) -> ConfigFlowResult:
        """Set one alert type."""
        return await alerts.async_step_alert_type(self, self._draft, user_input)

    async def async_step_channel_telegram(
        self, user_input: _Input = None
    ) -> ConfigFlowResult:
        """Add or edit a Telegram chat."""
        return await channels.async_step_channel_telegram(self, self._draft, user_input)

    async def async_step_channel_discord(
        self, user_input: _Input = None
    ) -> ConfigFlowResult:
        """Add or edit a Discord webhook."""
        return await channels.async_step_channel_discord(self, self._draft, user_input)

    async def async_step_channel_ha_notify(
        self, user_input: _Input = None
    ) -> ConfigFlowResult:
        """Add or edit Home Assistant notify targets."""
        return await channels.async_step_channel_ha_notify(
            self, self._draft, user_input
        )

    async def async_step_channel_edit(
        self, user_input: _Input = None
    ) -> ConfigFlowResult:
        """Pick a channel to edit."""
        return await channels.async_step_channel_edit(self, self._draft, user_input)

    async def async_step_channel_delete(
        self, user_input: _Input = None
    ) -> ConfigFlowResult:
        """Remove a channel."""
        return await channels.async_step_channel_delete(self, user_input)
