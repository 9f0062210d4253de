"""Actions of alerts and events: ``send_test_notification`` (more follow).

Responses never carry a bot token or webhook URL: channels are named by the
user's label and type, and errors come redacted from the senders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
import voluptuous as vol

from .audit import async_actor, queue_audit
from .const import DOMAIN
from .notifications import Message

if TYPE_CHECKING:
    from .data import HMMConfigEntry

SERVICE_SEND_TEST_NOTIFICATION: Final = "send_test_notification"
ATTR_CHANNEL: Final = "channel"
ATTR_MESSAGE: Final = "message"
TEST_MESSAGE: Final = "Test notification from Home Miner Manager: this channel works."

_TEST_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CHANNEL): cv.string,
        vol.Optional(ATTR_MESSAGE): vol.All(cv.string, vol.Length(min=1, max=900)),
    }
)


def _loaded_hub(hass: HomeAssistant) -> HMMConfigEntry:
    entry: HMMConfigEntry
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        return entry
    raise ServiceValidationError(
        translation_domain=DOMAIN, translation_key="hub_not_loaded"
    )


async def _async_send_test(call: ServiceCall) -> ServiceResponse:
    """Send a test message on one channel (by name) or on every enabled one."""
    hub = _loaded_hub(call.hass).runtime_data
    notifier = hub.notifier
    wanted = call.data.get(ATTR_CHANNEL)
    channels = notifier.senders() if notifier is not None else []
    if wanted is not None:
        channels = [c for c in channels if c.name.casefold() == wanted.casefold()]
    if not channels:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_notification_channel",
            translation_placeholders={"channel": wanted or "-"},
        )
    assert notifier is not None
    message = Message.plain(call.data.get(ATTR_MESSAGE, TEST_MESSAGE), "test")
    results = await notifier.async_send(message, channels)
    failed = [
        f"{channel.name}: {result.error}"
        for channel, result in results
        if not result.success
    ]
    queue_audit(
        hub.database,
        actor=await async_actor(call.hass, context=call.context),
        action=SERVICE_SEND_TEST_NOTIFICATION,
        resource_id=None,
        resource_name=wanted or "all channels",
        changes={"channels": [channel.name for channel in channels]},
        status="failure" if failed else "success",
        error_message="; ".join(failed) or None,
        resource_type="notification_channel",
    )
    return {
        "results": [
            {
                "channel": channel.name,
                "type": channel.channel_type,
                "success": result.success,
                "error": result.error,
            }
            for channel, result in results
        ]
    }


@callback
def async_setup_event_services(hass: HomeAssistant) -> None:
    """Register the actions (called from ``services.async_setup_services``)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_SEND_TEST_NOTIFICATION,
        _async_send_test,
        schema=_TEST_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
