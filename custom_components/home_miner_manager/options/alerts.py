"""The options menu "Alerts and notifications": alert settings per type.

Alert settings live in ``alert_config``, so, like the bands, these steps save
through the running hub and end the flow with the options unchanged; each
change writes an audit row. The channel steps are ``options_channels.py``.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, Final

from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
import voluptuous as vol

from ..alerts import CHANNELS, AlertType
from ..db.alert_rows import (
    alert_config_rows,
    update_alert_config,
)
from ..flows.labels import async_option_label
from .channels import ChannelStepsMixin

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigFlowResult

ALERTS_MENU: Final = [
    "channel_telegram",
    "channel_discord",
    "channel_ha_notify",
    "channel_edit",
    "channel_delete",
    "alert_settings",
]
RESOURCE_ALERT: Final = "alert_config"
# Numeric alert parameters offered per type (others keep their stored value).
_PARAMS: Final[dict[AlertType, tuple[str, ...]]] = {
    AlertType.MINER_OFFLINE: ("timeout_minutes",),
    AlertType.HIGH_REJECT_RATE: ("threshold_percent", "min_shares"),
    AlertType.LOW_HASHRATE: ("drop_percent",),
}
# The largest sensible value of each (a percentage above 100 never fires).
_LIMITS: Final[dict[str, float]] = {
    "timeout_minutes": 1440,
    "threshold_percent": 100,
    "min_shares": 100000,
    "drop_percent": 100,
}
_TEMPERATURES: Final = ("bitaxe", "nerdqaxe", "avalon_nano", "default")


def _select(options: list[str], key: str, *, multiple: bool = False) -> SelectSelector:
    # A selector translation key (selector.<key> in en.json), set as an item.
    config = SelectSelectorConfig(
        options=options, multiple=multiple, mode=SelectSelectorMode.DROPDOWN
    )
    config["translation_key"] = key
    return SelectSelector(config)


def _number(maximum: float, unit: str | None = None) -> NumberSelector:
    config = NumberSelectorConfig(min=0, max=maximum, mode=NumberSelectorMode.BOX)
    if unit:
        config["unit_of_measurement"] = unit
    return NumberSelector(config)


class AlertStepsMixin(ChannelStepsMixin):
    """The "Alerts and notifications" menu: channels and alert settings."""

    _alert_type: AlertType | None = None

    async def async_step_alerts(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Offer channel and alert settings."""
        return self.async_show_menu(step_id="alerts", menu_options=ALERTS_MENU)

    # -- alert settings -----------------------------------------------------------

    async def async_step_alert_settings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick the alert type to set up."""
        if user_input is not None:
            self._alert_type = AlertType(user_input["alert_type"])
            return await self.async_step_alert_type()
        return self.async_show_form(
            step_id="alert_settings",
            data_schema=vol.Schema(
                {
                    vol.Required("alert_type"): _select(
                        [kind.value for kind in AlertType], "alert_type"
                    )
                }
            ),
        )

    async def async_step_alert_type(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Enable, cooldown, channels and thresholds of one alert type."""
        kind = self._alert_type
        assert kind is not None
        hub = self._hub_data
        rows = await hub.database.async_run(alert_config_rows)
        row = next((r for r in rows if r["alert_type"] == kind.value), None)
        enabled = bool(row["enabled"]) if row else True
        config: dict[str, Any] = dict((row or {}).get("config") or {})
        if user_input is not None:
            new = dict(config)
            new["cooldown_minutes"] = float(user_input["cooldown_minutes"])
            new["channels"] = list(user_input["channels"])
            for key in _PARAMS.get(kind, ()):
                new[key] = float(user_input[key])
            if kind is AlertType.HIGH_TEMPERATURE:
                new["threshold_celsius"] = {
                    key: float(user_input[f"limit_{key}"]) for key in _TEMPERATURES
                }
            new_enabled = bool(user_input["enabled"])
            await hub.database.async_run(
                partial(
                    update_alert_config,
                    alert_type=kind.value,
                    enabled=new_enabled,
                    config=new,
                )
            )
            await self._audit(
                "alert_config_updated",
                RESOURCE_ALERT,
                kind.value,
                {
                    key: {"old": config.get(key), "new": value}
                    for key, value in {**new, "enabled": new_enabled}.items()
                    if (enabled if key == "enabled" else config.get(key)) != value
                },
            )
            if hub.alerts is not None:
                await hub.alerts.async_reload_settings()
            return self._unchanged()
        settings = hub.alerts.settings[kind] if hub.alerts else None
        schema: dict[Any, Any] = {
            vol.Required("enabled", default=enabled): BooleanSelector(),
            vol.Required(
                "cooldown_minutes",
                default=settings.cooldown_minutes if settings else 60,
            ): _number(1440, "min"),
            vol.Required(
                "channels", default=list(settings.channels) if settings else []
            ): _select(list(CHANNELS), "channel_type", multiple=True),
        }
        for key in _PARAMS.get(kind, ()):
            schema[
                vol.Required(key, default=settings.number(key) if settings else 0)
            ] = _number(_LIMITS[key])
        if kind is AlertType.HIGH_TEMPERATURE and settings is not None:
            for key in _TEMPERATURES:
                schema[
                    vol.Required(
                        f"limit_{key}", default=settings.temperature_limit(key)
                    )
                ] = _number(150, "°C")
        return self.async_show_form(
            step_id="alert_type",
            data_schema=vol.Schema(schema),
            description_placeholders={
                "alert_type": await async_option_label(
                    self.hass, "alert_type", kind.value
                )
            },
        )
