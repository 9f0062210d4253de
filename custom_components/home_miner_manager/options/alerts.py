"""The options menu "Alerts and notifications": its menu and alert settings per type.

Alert settings live in ``alert_config``, so, like the bands, these steps save
through the running hub and end the flow with the options unchanged; each
change writes an audit row. The channel steps are ``channels.py``.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, Final

from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)
import voluptuous as vol

from ..alerts import CHANNELS, AlertType
from ..db.alert_rows import alert_config_rows, update_alert_config
from ..flows.labels import async_option_label, dropdown
from .form import async_audit, hub_data, unchanged

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigFlowResult, OptionsFlow

    from .form import OptionsDraft

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


def _number(maximum: float, unit: str | None = None) -> NumberSelector:
    config = NumberSelectorConfig(min=0, max=maximum, mode=NumberSelectorMode.BOX)
    if unit:
        config["unit_of_measurement"] = unit
    return NumberSelector(config)


async def async_step_alerts(
    flow: OptionsFlow, user_input: dict[str, Any] | None
) -> ConfigFlowResult:
    """Offer channel and alert settings."""
    return flow.async_show_menu(step_id="alerts", menu_options=ALERTS_MENU)


async def async_step_alert_settings(
    flow: OptionsFlow, draft: OptionsDraft, user_input: dict[str, Any] | None
) -> ConfigFlowResult:
    """Pick the alert type to set up."""
    if user_input is not None:
        draft.alert_type = AlertType(user_input["alert_type"])
        return await async_step_alert_type(flow, draft, None)
    kinds = [kind.value for kind in AlertType]
    return flow.async_show_form(
        step_id="alert_settings",
        data_schema=vol.Schema(
            {vol.Required("alert_type"): dropdown(kinds, "alert_type")}
        ),
    )


async def async_step_alert_type(
    flow: OptionsFlow, draft: OptionsDraft, user_input: dict[str, Any] | None
) -> ConfigFlowResult:
    """Enable, cooldown, channels and thresholds of one alert type."""
    kind = draft.alert_type
    assert kind is not None  # set by alert_settings
    hub = hub_data(flow)
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
        await async_audit(
            flow,
            "alert_config_updated",
            RESOURCE_ALERT,
            kind.value,
            {
                key: {"old": config.get(key), "new": value}
                for key, value in {**new, "enabled": new_enabled}.items()
                if (enabled if key == "enabled" else config.get(key)) != value
            },
        )
        await hub.alerts.async_reload_settings()
        return unchanged(flow)
    settings = hub.alerts.settings[kind]
    schema: dict[Any, Any] = {
        vol.Required("enabled", default=enabled): BooleanSelector(),
        vol.Required(
            "cooldown_minutes",
            default=settings.cooldown_minutes if settings else 60,
        ): _number(1440, "min"),
        vol.Required(
            "channels", default=list(settings.channels) if settings else []
        ): dropdown(list(CHANNELS), "channel_type", multiple=True),
    }
    for key in _PARAMS.get(kind, ()):
        schema[vol.Required(key, default=settings.number(key) if settings else 0)] = (
            _number(_LIMITS[key])
        )
    if kind is AlertType.HIGH_TEMPERATURE and settings is not None:
        for key in _TEMPERATURES:
            schema[
                vol.Required(f"limit_{key}", default=settings.temperature_limit(key))
            ] = _number(150, "°C")
    return flow.async_show_form(
        step_id="alert_type",
        data_schema=vol.Schema(schema),
        description_placeholders={
            "alert_type": await async_option_label(flow.hass, "alert_type", kind.value)
        },
    )
