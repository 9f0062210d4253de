"""The options' notification channel steps (Telegram, Discord, HA notify).

Channels live in ``notification_config``, so, like the bands, these steps
save through the running hub and end the flow with the options unchanged.
Bot tokens and webhook URLs are never shown back: an empty field keeps the
stored one. Every change writes an audit row (secrets masked).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
import re
from typing import TYPE_CHECKING, Any, Final

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

from ..db.alert_rows import add_channel, delete_channel, update_channel
from ..monitor.notify_channels import (
    CONF_CHANNEL_NAME,
    CONF_NOTIFY_ENTITIES,
    CONF_NOTIFY_SERVICES,
    public_config,
)
from .form import async_audit, hub_data, unchanged

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.config_entries import ConfigFlowResult, OptionsFlow

    from .form import OptionsDraft

RESOURCE_CHANNEL: Final = "notification_channel"
_TELEGRAM_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_TEXT = TextSelector()
# Shown by the invalid_webhook_url error: translations may not hold URLs.
DISCORD_WEBHOOK_EXAMPLE: Final = "https://discord.com/api/webhooks/…"


def _rows(flow: OptionsFlow) -> list[dict[str, Any]]:
    return list(hub_data(flow).notifier.rows)


def _row(flow: OptionsFlow, channel_id: int | None) -> dict[str, Any] | None:
    return next((row for row in _rows(flow) if row["id"] == channel_id), None)


@dataclass(frozen=True, slots=True)
class _SecretChannel:
    """A channel reached through one secret (never shown back) and plain fields."""

    secret: str
    valid: Callable[[str], bool]
    error: str  # shown under the secret when it is malformed
    plain: tuple[str, ...] = ()


_SECRET_CHANNELS: Final = {
    "telegram": _SecretChannel(
        "bot_token",
        lambda token: bool(_TELEGRAM_TOKEN.match(token)),
        "invalid_bot_token",
        ("chat_id",),
    ),
    "discord": _SecretChannel(
        "webhook_url",
        lambda url: url.startswith(("https://", "http://")),
        "invalid_webhook_url",
    ),
}


async def async_step_channel_telegram(
    flow: OptionsFlow, draft: OptionsDraft, user_input: dict[str, Any] | None
) -> ConfigFlowResult:
    """Add or edit a Telegram chat (bot token, chat id)."""
    return await _async_secret_channel(flow, draft, user_input, "telegram")


async def async_step_channel_discord(
    flow: OptionsFlow, draft: OptionsDraft, user_input: dict[str, Any] | None
) -> ConfigFlowResult:
    """Add or edit a Discord webhook."""
    return await _async_secret_channel(flow, draft, user_input, "discord")


async def _async_secret_channel(
    flow: OptionsFlow, draft: OptionsDraft, user_input: dict[str, Any] | None, kind: str
) -> ConfigFlowResult:
    spec = _SECRET_CHANNELS[kind]
    stored = _editing(flow, draft, kind)
    errors: dict[str, str] = {}
    if user_input is not None:
        # An empty field keeps the stored secret.
        secret = str(user_input.get(spec.secret) or "").strip()
        secret = secret or str(stored.get(spec.secret, ""))
        if not spec.valid(secret):
            errors[spec.secret] = spec.error
        else:
            plain = {key: str(user_input[key]).strip() for key in spec.plain}
            values = {spec.secret: secret, **plain}
            return await _async_save(flow, draft, user_input, values)
    schema = {
        **_name_fields(flow, draft, stored),
        vol.Optional(spec.secret): _PASSWORD,
        **{vol.Required(key, default=stored.get(key, "")): _TEXT for key in spec.plain},
    }
    return _form(flow, f"channel_{kind}", schema, errors)


async def async_step_channel_ha_notify(
    flow: OptionsFlow, draft: OptionsDraft, user_input: dict[str, Any] | None
) -> ConfigFlowResult:
    """Add or edit Home Assistant notify targets."""
    stored = _editing(flow, draft, "ha_notify")
    errors: dict[str, str] = {}
    placeholders = {"service": "", "entity": ""}
    hass = flow.hass
    if user_input is not None:
        entities = list(user_input.get(CONF_NOTIFY_ENTITIES) or [])
        services = [
            str(name).strip().removeprefix("notify.")
            for name in user_input.get(CONF_NOTIFY_SERVICES) or []
        ]
        # A name typed by hand (custom values are allowed) or a removed
        # integration's action would fail at the first alert: say so now.
        missing = [n for n in services if not hass.services.has_service("notify", n)]
        gone = [eid for eid in entities if hass.states.get(eid) is None]
        if not entities and not services:
            errors["base"] = "no_notify_target"
        elif missing:
            errors[CONF_NOTIFY_SERVICES] = "unknown_notify_service"
            placeholders["service"] = ", ".join(f"notify.{n}" for n in missing)
        elif gone:
            errors[CONF_NOTIFY_ENTITIES] = "unknown_notify_entity"
            placeholders["entity"] = ", ".join(gone)
        else:
            return await _async_save(
                flow,
                draft,
                user_input,
                {CONF_NOTIFY_ENTITIES: entities, CONF_NOTIFY_SERVICES: services},
            )
    legacy = sorted(
        name
        for name in hass.services.async_services_for_domain("notify")
        if name not in {"send_message", "persistent_notification"}
    )
    schema = {
        **_name_fields(flow, draft, stored),
        vol.Optional(
            CONF_NOTIFY_ENTITIES, default=stored.get(CONF_NOTIFY_ENTITIES, [])
        ): EntitySelector(EntitySelectorConfig(domain="notify", multiple=True)),
        vol.Optional(
            CONF_NOTIFY_SERVICES, default=stored.get(CONF_NOTIFY_SERVICES, [])
        ): SelectSelector(
            SelectSelectorConfig(options=legacy, multiple=True, custom_value=True)
        ),
    }
    return _form(flow, "channel_ha_notify", schema, errors, placeholders)


_CHANNEL_STEPS: Final = {
    "telegram": async_step_channel_telegram,
    "discord": async_step_channel_discord,
    "ha_notify": async_step_channel_ha_notify,
}


async def async_step_channel_edit(
    flow: OptionsFlow, draft: OptionsDraft, user_input: dict[str, Any] | None
) -> ConfigFlowResult:
    """Pick a channel to edit."""
    if not _rows(flow):
        return flow.async_abort(reason="no_channels")
    if user_input is not None:
        draft.channel_id = int(user_input["channel"])
        row = _row(flow, draft.channel_id)
        assert row is not None  # offered by the form
        step = _CHANNEL_STEPS.get(row["channel_type"], async_step_channel_ha_notify)
        return await step(flow, draft, None)
    return flow.async_show_form(step_id="channel_edit", data_schema=_choice(flow))


async def async_step_channel_delete(
    flow: OptionsFlow, user_input: dict[str, Any] | None
) -> ConfigFlowResult:
    """Remove a channel."""
    hub = hub_data(flow)
    if not hub.notifier.rows:
        return flow.async_abort(reason="no_channels")
    if user_input is not None:
        channel_id = int(user_input["channel"])
        row = _row(flow, channel_id)
        assert row is not None  # offered by the form
        await hub.database.async_run(partial(delete_channel, channel_id=channel_id))
        await async_audit(
            flow,
            "notification_channel_deleted",
            RESOURCE_CHANNEL,
            str(row["config"].get(CONF_CHANNEL_NAME) or channel_id),
            {"channel_type": row["channel_type"]},
        )
        await hub.notifier.async_load()
        return unchanged(flow)
    return flow.async_show_form(step_id="channel_delete", data_schema=_choice(flow))


def _editing(flow: OptionsFlow, draft: OptionsDraft, kind: str) -> dict[str, Any]:
    """Note the kind of channel set up; return its stored settings (none if new)."""
    draft.channel_type = kind
    row = _row(flow, draft.channel_id) if draft.channel_id is not None else None
    return dict(row["config"]) if row else {}


def _name_fields(
    flow: OptionsFlow, draft: OptionsDraft, stored: dict[str, Any]
) -> dict[Any, Any]:
    row = _row(flow, draft.channel_id) if draft.channel_id is not None else None
    return {
        vol.Required(
            CONF_CHANNEL_NAME, default=stored.get(CONF_CHANNEL_NAME, "")
        ): _TEXT,
        vol.Required("enabled", default=row["enabled"] if row else True): (
            BooleanSelector()
        ),
    }


def _form(
    flow: OptionsFlow,
    step_id: str,
    schema: dict[Any, Any],
    errors: dict[str, str],
    placeholders: dict[str, str] | None = None,
) -> ConfigFlowResult:
    return flow.async_show_form(
        step_id=step_id,
        data_schema=vol.Schema(schema),
        errors=errors,
        description_placeholders={
            "example_url": DISCORD_WEBHOOK_EXAMPLE,
            **(placeholders or {}),
        },
    )


async def _async_save(
    flow: OptionsFlow,
    draft: OptionsDraft,
    user_input: dict[str, Any],
    values: dict[str, Any],
) -> ConfigFlowResult:
    hub = hub_data(flow)
    name = str(user_input[CONF_CHANNEL_NAME]).strip() or draft.channel_type
    config = {CONF_CHANNEL_NAME: name, **values}
    enabled = bool(user_input.get("enabled", True))
    write: Callable[..., object]
    if draft.channel_id is None:
        write = partial(add_channel, channel_type=draft.channel_type)
        action = "notification_channel_added"
    else:
        write = partial(update_channel, channel_id=draft.channel_id)
        action = "notification_channel_updated"
    await hub.database.async_run(partial(write, config=config, enabled=enabled))
    await async_audit(
        flow,
        action,
        RESOURCE_CHANNEL,
        name,
        {
            "channel_type": draft.channel_type,
            "enabled": enabled,
            **public_config(config),
        },
    )
    await hub.notifier.async_load()
    return unchanged(flow)


def _choice(flow: OptionsFlow) -> vol.Schema:
    choice = SelectSelector(
        SelectSelectorConfig(
            options=[
                SelectOptionDict(
                    value=str(row["id"]),
                    label=f"{row['config'].get(CONF_CHANNEL_NAME) or row['id']}"
                    f" ({row['channel_type']})",
                )
                for row in _rows(flow)
            ],
            mode=SelectSelectorMode.DROPDOWN,
        )
    )
    return vol.Schema({vol.Required("channel"): choice})
