"""Notification channels of the hub: stored rows, Home Assistant notify, sending.

Telegram and Discord senders are the pure ``notifications`` package; this
module adds the ``ha_notify`` channel (``notify.send_message`` on notify
entities, or legacy ``notify.<service>`` such as a mobile app), keeps the
channels loaded from ``notification_config`` and logs every attempt in
``notification_log``. Sends run in background tasks with a 10 s timeout each,
so an alert never waits for Telegram. Bot tokens and webhook URLs stay in
this module's channel objects: results, logs and responses carry redacted
errors only.
"""

from __future__ import annotations

from dataclasses import dataclass
import time
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
import voluptuous as vol

from ..audit import async_actor, queue_audit
from ..const import DOMAIN, LOGGER
from ..db.alert_rows import add_notification_logs, channel_rows
from ..db.exceptions import DatabaseError
from ..notifications import (
    DEFAULT_TIMEOUT_S,
    TELEGRAM_API,
    Channel,
    Message,
    SendResult,
    channels_from_config,
    format_alert,
    log_records,
    send_all,
)
from ..notifications.channels import failure
from .problems import (
    async_notification_failed,
    async_notification_ok,
    channel_issue_channel_ids,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from aiohttp import ClientSession
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from ..alerts import AlertEvent
    from ..db.database import Database

CHANNEL_TYPES: Final = ("telegram", "discord", "ha_notify")
# Where the Telegram Bot API is reached (tests point it at a local fake).
TELEGRAM_BASE_URL = TELEGRAM_API
# Each attempt's bound (tests shorten it).
SEND_TIMEOUT_S: float = DEFAULT_TIMEOUT_S
CONF_CHANNEL_NAME: Final = "name"
CONF_NOTIFY_ENTITIES: Final = "entity_ids"
CONF_NOTIFY_SERVICES: Final = "services"
# Config keys that are secrets: never shown, logged or returned.
SECRET_KEYS: Final = frozenset({"bot_token", "webhook_url"})
# The test action's name, also what its audit rows (and the buttons') say.
SEND_TEST_NOTIFICATION: Final = "send_test_notification"
TEST_MESSAGE: Final = "Test notification from Home Miner Manager: this channel works."


class HaNotifyChannel:
    """Home Assistant's own notify: entities and/or legacy notify services."""

    channel_type = "ha_notify"
    secrets: tuple[str, ...] = ()

    def __init__(
        self, hass: HomeAssistant, entity_ids: list[str], services: list[str]
    ) -> None:
        """Keep the targets (``services``: names under ``notify.``)."""
        self._hass = hass
        self._entity_ids = entity_ids
        self._services = services

    async def send(self, message: Message) -> SendResult:
        """Send the plain text; a failing target fails the attempt."""
        started = time.monotonic()
        title, _, body = message.text.partition("\n")
        try:
            if self._entity_ids:
                await self._hass.services.async_call(
                    "notify",
                    "send_message",
                    {"message": body or title, "title": title},
                    target={"entity_id": self._entity_ids},
                    blocking=True,
                )
            for service in self._services:
                await self._hass.services.async_call(
                    "notify",
                    service.removeprefix("notify."),
                    {"message": body or title, "title": title},
                    blocking=True,
                )
        except (HomeAssistantError, vol.Invalid) as err:
            return failure(self.channel_type, str(err) or type(err).__name__, ())
        return SendResult(
            self.channel_type, True, None, None, round(time.monotonic() - started, 3)
        )


@dataclass(frozen=True, slots=True)
class ChannelEntry:
    """One stored channel and, when enabled and complete, its sender."""

    id: int
    channel_type: str
    name: str
    enabled: bool
    sender: Channel | None


def channel_name(row: dict[str, Any]) -> str:
    """Return the user's label of a channel row (or a default one)."""
    config = row.get("config") or {}
    return str(config.get(CONF_CHANNEL_NAME) or f"{row['channel_type']} {row['id']}")


def public_config(config: dict[str, Any]) -> dict[str, Any]:
    """Return a channel config without its secrets (for audit rows, diagnostics)."""
    return {
        key: ("**REDACTED**" if key in SECRET_KEYS else value)
        for key, value in config.items()
    }


class Notifier(DataUpdateCoordinator[list[ChannelEntry]]):
    """The hub's channels (its data, pushed at each load); sends and logs.

    Nothing polls: the channels change only when the options save them,
    which reloads them (:meth:`async_load`).
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        *,
        database: Database,
        session: ClientSession,
    ) -> None:
        """Start with no channels; :meth:`async_load` reads them."""
        super().__init__(
            hass, LOGGER, config_entry=entry, name=f"{DOMAIN} notification channels"
        )
        self.data = []
        self._entry = entry
        self._database = database
        self._session = session
        # The stored rows, secrets included: for the options steps only.
        self.rows: list[dict[str, Any]] = []
        # Set before the database closes: late sends neither log nor report.
        self._stopped = False

    @property
    def channels(self) -> list[ChannelEntry]:
        """Return every stored channel (with a sender where usable)."""
        return self.data

    async def async_load(self) -> None:
        """(Re)read the channels from the database."""
        try:
            rows = await self._database.async_run(channel_rows)
        except DatabaseError as err:
            LOGGER.warning("Could not read the notification channels: %s", err)
            return
        self.rows = rows
        channels = [self._entry_for(row) for row in rows]
        # A removed or disabled channel has nothing left to fix.
        usable = {channel.id for channel in channels if channel.sender}
        for issue_id in channel_issue_channel_ids(self.hass) - usable:
            async_notification_ok(self.hass, issue_id)
        self.async_set_updated_data(channels)

    @callback
    def async_stop(self) -> None:
        """Stop logging and reporting (the database closes after this)."""
        self._stopped = True

    def _entry_for(self, row: dict[str, Any]) -> ChannelEntry:
        sender: Channel | None = None
        config = row["config"]
        if row["channel_type"] == "ha_notify":
            entities = list(config.get(CONF_NOTIFY_ENTITIES) or [])
            services = list(config.get(CONF_NOTIFY_SERVICES) or [])
            if row["enabled"] and (entities or services):
                sender = HaNotifyChannel(self.hass, entities, services)
        else:
            built = channels_from_config(
                self._session,
                [row],
                telegram_base_url=TELEGRAM_BASE_URL,
                timeout_s=SEND_TIMEOUT_S,
            )
            sender = built[0] if built else None
        return ChannelEntry(
            row["id"], row["channel_type"], channel_name(row), row["enabled"], sender
        )

    def senders(
        self, types: Iterable[str] | None = None, ids: Iterable[int] | None = None
    ) -> list[ChannelEntry]:
        """Return the enabled channels of ``types`` (all types if None) / ``ids``."""
        wanted_types = set(types) if types is not None else None
        wanted_ids = set(ids) if ids is not None else None
        return [
            channel
            for channel in self.channels
            if channel.sender is not None
            and (wanted_types is None or channel.channel_type in wanted_types)
            and (wanted_ids is None or channel.id in wanted_ids)
        ]

    async def async_send(
        self, message: Message, channels: list[ChannelEntry]
    ) -> list[tuple[ChannelEntry, SendResult]]:
        """Send on ``channels`` at once; log each attempt; never raises."""
        senders = [channel.sender for channel in channels if channel.sender]
        results = await send_all(senders, message, timeout_s=SEND_TIMEOUT_S)
        if results and not self._stopped:
            try:
                await self._database.async_run(
                    lambda session: add_notification_logs(
                        session, log_records(results, message)
                    )
                )
            except DatabaseError as err:
                LOGGER.warning("Could not log notifications: %s", err)
        pairs = list(zip(channels, results, strict=True))
        if not self._stopped:
            self._async_report(pairs)
        return pairs

    async def async_send_test(
        self,
        channels: list[ChannelEntry],
        message: Message,
        *,
        user_id: str | None,
        label: str | None,
    ) -> list[tuple[ChannelEntry, SendResult]]:
        """Send a test message on ``channels``; audit it with the caller."""
        results = await self.async_send(message, channels)
        failed = [
            f"{channel.name}: {result.error}"
            for channel, result in results
            if not result.success
        ]
        queue_audit(
            self._database,
            actor=await async_actor(self.hass, user_id),
            action=SEND_TEST_NOTIFICATION,
            resource_id=None,
            resource_name=label or "all channels",
            changes={"channels": [channel.name for channel in channels]},
            status="failure" if failed else "success",
            error_message="; ".join(failed) or None,
            resource_type="notification_channel",
        )
        return results

    @callback
    def _async_report(self, pairs: list[tuple[ChannelEntry, SendResult]]) -> None:
        """Make failed deliveries visible: a repair issue and a logbook line.

        The issue stays until the channel next delivers (or is removed).
        """
        for channel, result in pairs:
            if result.success:
                async_notification_ok(self.hass, channel.id)
            else:
                async_notification_failed(
                    self.hass,
                    self._entry,
                    channel.id,
                    channel.name,
                    result.error or "-",
                )

    def send_alert_in_background(self, event: AlertEvent) -> None:
        """Notify an alert on the channels its type is set to, in the background."""
        channels = self.senders(types=event.channels)
        if not channels:
            return
        self._entry.async_create_background_task(
            self.hass,
            self.async_send(format_alert(event), channels),
            f"{DOMAIN} notify {event.alert_type}",
        )
