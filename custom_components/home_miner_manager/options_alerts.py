"""Options steps for notification channels and alert settings.

Channels (``notification_config``) and alert settings (``alert_config``)
live in the database, so, like the bands, these steps save through the
running hub and end the flow with the options unchanged. Bot tokens and
webhook URLs are never shown back: an empty field keeps the stored one.
Every change writes an audit row (secrets masked).
"""

from __future__ import annotations

from functools import partial
import re
from typing import TYPE_CHECKING, Any, Final

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .alerts import CHANNELS, AlertType
from .audit import async_actor, queue_audit
from .db.alert_rows import (
    add_channel,
    alert_config_rows,
    delete_channel,
    update_alert_config,
    update_channel,
)
from .notify_channels import (
    CONF_CHANNEL_NAME,
    CONF_NOTIFY_ENTITIES,
    CONF_NOTIFY_SERVICES,
    public_config,
)

if TYPE_CHECKING:
    from .data import HubData

ALERTS_MENU: Final = [
    "channel_telegram",
    "channel_discord",
    "channel_ha_notify",
    "channel_edit",
    "channel_delete",
    "alert_settings",
]
RESOURCE_CHANNEL: Final = "notification_channel"
RESOURCE_ALERT: Final = "alert_config"
_TELEGRAM_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_TEXT = TextSelector()
# Numeric alert parameters offered per type (others keep their stored value).
_PARAMS: Final[dict[AlertType, tuple[str, ...]]] = {
    AlertType.MINER_OFFLINE: ("timeout_minutes",),
    AlertType.HIGH_REJECT_RATE: ("threshold_percent", "min_shares"),
    AlertType.LOW_HASHRATE: ("drop_percent",),
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


class AlertStepsMixin(OptionsFlow):
    """Channel and alert settings steps of the hub options."""

    _channel_id: int | None = None
    _channel_type: str = ""
    _alert_type: AlertType | None = None

    @property
    def _hub_data(self) -> HubData:
        data: HubData = self.config_entry.runtime_data
        return data

    def _unchanged(self) -> ConfigFlowResult:
        return self.async_create_entry(data=dict(self.config_entry.options))

    async def _audit(
        self, action: str, resource: str, name: str, changes: dict[str, Any]
    ) -> None:
        queue_audit(
            self._hub_data.database,
            actor=await async_actor(self.hass),
            action=action,
            resource_id=None,
            resource_name=name,
            changes=changes,
            resource_type=resource,
        )

    async def async_step_alerts(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Offer channel and alert settings."""
        return self.async_show_menu(step_id="alerts", menu_options=ALERTS_MENU)

    # -- channels ---------------------------------------------------------------

    def _stored(self) -> dict[str, Any]:
        notifier = self._hub_data.notifier
        if notifier is None or self._channel_id is None:
            return {}
        for channel in notifier.rows:
            if channel["id"] == self._channel_id:
                return dict(channel["config"])
        return {}

    async def async_step_channel_telegram(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add or edit a Telegram chat (bot token, chat id)."""
        self._channel_type = "telegram"
        stored = self._stored()
        errors: dict[str, str] = {}
        if user_input is not None:
            token = str(user_input.get("bot_token") or "").strip() or stored.get(
                "bot_token", ""
            )
            if not _TELEGRAM_TOKEN.match(token):
                errors["bot_token"] = "invalid_bot_token"  # noqa: S105  (an error key)
            else:
                return await self._async_save_channel(
                    user_input,
                    {"bot_token": token, "chat_id": str(user_input["chat_id"]).strip()},
                )
        schema = {
            **self._name_fields(stored),
            vol.Optional("bot_token"): _PASSWORD,
            vol.Required("chat_id", default=stored.get("chat_id", "")): _TEXT,
        }
        return self._channel_form("channel_telegram", schema, errors)

    async def async_step_channel_discord(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add or edit a Discord webhook."""
        self._channel_type = "discord"
        stored = self._stored()
        errors: dict[str, str] = {}
        if user_input is not None:
            url = str(user_input.get("webhook_url") or "").strip() or stored.get(
                "webhook_url", ""
            )
            if not url.startswith(("https://", "http://")):
                errors["webhook_url"] = "invalid_webhook_url"
            else:
                return await self._async_save_channel(user_input, {"webhook_url": url})
        schema = {
            **self._name_fields(stored),
            vol.Optional("webhook_url"): _PASSWORD,
        }
        return self._channel_form("channel_discord", schema, errors)

    async def async_step_channel_ha_notify(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add or edit Home Assistant notify targets."""
        self._channel_type = "ha_notify"
        stored = self._stored()
        errors: dict[str, str] = {}
        if user_input is not None:
            entities = list(user_input.get(CONF_NOTIFY_ENTITIES) or [])
            services = list(user_input.get(CONF_NOTIFY_SERVICES) or [])
            if not entities and not services:
                errors["base"] = "no_notify_target"
            else:
                return await self._async_save_channel(
                    user_input,
                    {CONF_NOTIFY_ENTITIES: entities, CONF_NOTIFY_SERVICES: services},
                )
        legacy = sorted(
            name
            for name in self.hass.services.async_services_for_domain("notify")
            if name not in {"send_message", "persistent_notification"}
        )
        schema = {
            **self._name_fields(stored),
            vol.Optional(
                CONF_NOTIFY_ENTITIES, default=stored.get(CONF_NOTIFY_ENTITIES, [])
            ): EntitySelector(EntitySelectorConfig(domain="notify", multiple=True)),
            vol.Optional(
                CONF_NOTIFY_SERVICES, default=stored.get(CONF_NOTIFY_SERVICES, [])
            ): SelectSelector(
                SelectSelectorConfig(options=legacy, multiple=True, custom_value=True)
            ),
        }
        return self._channel_form("channel_ha_notify", schema, errors)

    def _name_fields(self, stored: dict[str, Any]) -> dict[Any, Any]:
        enabled = True
        if self._channel_id is not None and self._hub_data.notifier is not None:
            enabled = next(
                (
                    row["enabled"]
                    for row in self._hub_data.notifier.rows
                    if row["id"] == self._channel_id
                ),
                True,
            )
        return {
            vol.Required(
                CONF_CHANNEL_NAME, default=stored.get(CONF_CHANNEL_NAME, "")
            ): _TEXT,
            vol.Required("enabled", default=enabled): BooleanSelector(),
        }

    def _channel_form(
        self, step_id: str, schema: dict[Any, Any], errors: dict[str, str]
    ) -> ConfigFlowResult:
        return self.async_show_form(
            step_id=step_id, data_schema=vol.Schema(schema), errors=errors
        )

    async def _async_save_channel(
        self, user_input: dict[str, Any], values: dict[str, Any]
    ) -> ConfigFlowResult:
        hub = self._hub_data
        name = str(user_input[CONF_CHANNEL_NAME]).strip() or self._channel_type
        config = {CONF_CHANNEL_NAME: name, **values}
        enabled = bool(user_input.get("enabled", True))
        if self._channel_id is None:
            await hub.database.async_run(
                partial(
                    add_channel,
                    channel_type=self._channel_type,
                    config=config,
                    enabled=enabled,
                )
            )
            action = "notification_channel_added"
        else:
            await hub.database.async_run(
                partial(
                    update_channel,
                    channel_id=self._channel_id,
                    config=config,
                    enabled=enabled,
                )
            )
            action = "notification_channel_updated"
        await self._audit(
            action,
            RESOURCE_CHANNEL,
            name,
            {
                "channel_type": self._channel_type,
                "enabled": enabled,
                **public_config(config),
            },
        )
        if hub.notifier is not None:
            await hub.notifier.async_load()
        return self._unchanged()

    def _channel_choice(self) -> SelectSelector:
        rows = self._hub_data.notifier.rows if self._hub_data.notifier else []
        return SelectSelector(
            SelectSelectorConfig(
                options=[
                    SelectOptionDict(
                        value=str(row["id"]),
                        label=f"{row['config'].get(CONF_CHANNEL_NAME) or row['id']}"
                        f" ({row['channel_type']})",
                    )
                    for row in rows
                ],
                mode=SelectSelectorMode.DROPDOWN,
            )
        )

    async def async_step_channel_edit(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick a channel to edit."""
        notifier = self._hub_data.notifier
        if notifier is None or not notifier.rows:
            return self.async_abort(reason="no_channels")
        if user_input is not None:
            self._channel_id = int(user_input["channel"])
            kind = next(
                row["channel_type"]
                for row in notifier.rows
                if row["id"] == self._channel_id
            )
            if kind == "telegram":
                return await self.async_step_channel_telegram()
            if kind == "discord":
                return await self.async_step_channel_discord()
            return await self.async_step_channel_ha_notify()
        return self.async_show_form(
            step_id="channel_edit",
            data_schema=vol.Schema({vol.Required("channel"): self._channel_choice()}),
        )

    async def async_step_channel_delete(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Remove a channel."""
        hub = self._hub_data
        if hub.notifier is None or not hub.notifier.rows:
            return self.async_abort(reason="no_channels")
        if user_input is not None:
            channel_id = int(user_input["channel"])
            row = next(r for r in hub.notifier.rows if r["id"] == channel_id)
            await hub.database.async_run(partial(delete_channel, channel_id=channel_id))
            await self._audit(
                "notification_channel_deleted",
                RESOURCE_CHANNEL,
                str(row["config"].get(CONF_CHANNEL_NAME) or channel_id),
                {"channel_type": row["channel_type"]},
            )
            await hub.notifier.async_load()
            return self._unchanged()
        return self.async_show_form(
            step_id="channel_delete",
            data_schema=vol.Schema({vol.Required("channel"): self._channel_choice()}),
        )

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
            ] = _number(10000)
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
            description_placeholders={"alert_type": kind.value},
        )
