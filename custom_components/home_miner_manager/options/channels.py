"""Options steps for notification channels (Telegram, Discord, HA notify).

Channels live in ``notification_config``, so, like the bands, these steps
save through the running hub and end the flow with the options unchanged.
Bot tokens and webhook URLs are never shown back: an empty field keeps the
stored one. Every change writes an audit row (secrets masked).
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
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from ..audit import async_actor, queue_audit
from ..db.alert_rows import (
    add_channel,
    delete_channel,
    update_channel,
)
from ..monitor.notify_channels import (
    CONF_CHANNEL_NAME,
    CONF_NOTIFY_ENTITIES,
    CONF_NOTIFY_SERVICES,
    public_config,
)

if TYPE_CHECKING:
    from ..data import HubData

RESOURCE_CHANNEL: Final = "notification_channel"
_TELEGRAM_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_TEXT = TextSelector()
# Shown by the invalid_webhook_url error: translations may not hold URLs.
DISCORD_WEBHOOK_EXAMPLE: Final = "https://discord.com/api/webhooks/…"


class ChannelStepsMixin(OptionsFlow):
    """Notification channel steps of the hub options."""

    _channel_id: int | None = None
    _channel_type: str = ""

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
        placeholders = {"service": "", "entity": ""}
        if user_input is not None:
            entities = list(user_input.get(CONF_NOTIFY_ENTITIES) or [])
            services = [
                str(name).strip().removeprefix("notify.")
                for name in user_input.get(CONF_NOTIFY_SERVICES) or []
            ]
            # A name typed by hand (custom values are allowed) or a removed
            # integration's action would fail at the first alert: say so now.
            missing = [
                name
                for name in services
                if not self.hass.services.has_service("notify", name)
            ]
            gone = [eid for eid in entities if self.hass.states.get(eid) is None]
            if not entities and not services:
                errors["base"] = "no_notify_target"
            elif missing:
                errors[CONF_NOTIFY_SERVICES] = "unknown_notify_service"
                placeholders["service"] = ", ".join(f"notify.{n}" for n in missing)
            elif gone:
                errors[CONF_NOTIFY_ENTITIES] = "unknown_notify_entity"
                placeholders["entity"] = ", ".join(gone)
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
        return self._channel_form("channel_ha_notify", schema, errors, placeholders)

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
        self,
        step_id: str,
        schema: dict[Any, Any],
        errors: dict[str, str],
        placeholders: dict[str, str] | None = None,
    ) -> ConfigFlowResult:
        return self.async_show_form(
            step_id=step_id,
            data_schema=vol.Schema(schema),
            errors=errors,
            description_placeholders={
                "example_url": DISCORD_WEBHOOK_EXAMPLE,
                **(placeholders or {}),
            },
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
