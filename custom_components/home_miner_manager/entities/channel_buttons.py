"""A "test" button per enabled notification channel, on the hub device.

Channels are added and removed in the options (rows, not subentries), so the
buttons follow the notifier: new channels get one, removed or disabled ones
lose theirs, a renamed one is re-created under its new name.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er

from ..compat import entity_user_id
from ..const import DOMAIN
from ..entity import HubEntity
from ..monitor.notify_channels import TEST_MESSAGE, Notifier
from ..notifications import Message

if TYPE_CHECKING:
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from ..data import HMMConfigEntry
    from ..monitor.notify_channels import ChannelEntry

TEST_NOTIFICATION = ButtonEntityDescription(
    key="test_notification",
    translation_key="test_notification",
    entity_category=EntityCategory.DIAGNOSTIC,
)


@callback
def async_setup_channel_buttons(
    hass: HomeAssistant,
    entry: HMMConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the channels' buttons now and whenever the channels change."""
    notifier = entry.runtime_data.notifier
    shown: dict[int, tuple[str, str]] = {}  # channel id -> (name, unique id)

    @callback
    def _sync() -> None:
        current = {c.id: c for c in notifier.channels if c.sender is not None}
        registry = er.async_get(hass)
        for channel_id, (name, unique_id) in list(shown.items()):
            channel = current.get(channel_id)
            if channel is None or channel.name != name:
                shown.pop(channel_id)
                if entity_id := registry.async_get_entity_id(
                    "button", DOMAIN, unique_id
                ):
                    registry.async_remove(entity_id)
        new = [
            ChannelTestButton(notifier, channel)
            for channel_id, channel in current.items()
            if channel_id not in shown
        ]
        for button in new:
            shown[button.channel_id] = (button.channel_name, str(button.unique_id))
        if new:
            async_add_entities(new)

    _sync()
    entry.async_on_unload(notifier.async_add_listener(_sync))


class ChannelTestButton(HubEntity[Notifier], ButtonEntity):
    """Send a test message on one channel."""

    def __init__(self, notifier: Notifier, channel: ChannelEntry) -> None:
        """Name it after the channel (never after its token or URL)."""
        # One button per channel: the channel id makes the key (and unique id).
        key = f"{TEST_NOTIFICATION.key}_{channel.id}"
        super().__init__(notifier, replace(TEST_NOTIFICATION, key=key))
        self._notifier = notifier
        self.channel_id = channel.id
        self.channel_name = channel.name
        self._attr_translation_placeholders = {"channel": channel.name}

    async def async_press(self) -> None:
        """Send; a failure raises with the (redacted) reason."""
        channels = self._notifier.senders(ids=[self.channel_id])
        if not channels:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="no_notification_channel",
                translation_placeholders={"channel": self.channel_name},
            )
        ((_, result),) = await self._notifier.async_send_test(
            channels,
            Message.plain(TEST_MESSAGE, "test"),
            user_id=entity_user_id(self),
            label=self.channel_name,
        )
        if not result.success:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="notification_failed",
                translation_placeholders={
                    "channel": self.channel_name,
                    "error": result.error or "-",
                },
            )
