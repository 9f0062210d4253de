"""Actions of alerts and events: test notification, events, audit log (admins).

Responses never carry a bot token or webhook URL: channels are named by the
user's label and type, and errors come redacted from the senders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, cast

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.service import async_register_admin_service
from homeassistant.util import dt as dt_util
import voluptuous as vol

from ..audit import async_actor, queue_audit
from ..const import DOMAIN
from ..data import loaded_hub
from ..db.base import to_naive_utc
from ..db.events_rows import RowFilter, audit_log, events
from ..monitor.notify_channels import SEND_TEST_NOTIFICATION, TEST_MESSAGE
from ..notifications import Message

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime
    from typing import Any

    from homeassistant.util.json import JsonValueType
    from sqlalchemy.orm import Session


SERVICE_SEND_TEST_NOTIFICATION: Final = SEND_TEST_NOTIFICATION
SERVICE_GET_EVENTS: Final = "get_events"
SERVICE_GET_AUDIT_LOG: Final = "get_audit_log"
MAX_ROWS: Final = 1000
ATTR_CHANNEL: Final = "channel"
ATTR_MESSAGE: Final = "message"

_TEST_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CHANNEL): cv.string,
        vol.Optional(ATTR_MESSAGE): vol.All(cv.string, vol.Length(min=1, max=900)),
    }
)


_ROWS_SCHEMA = vol.Schema(
    {
        vol.Optional("since"): cv.datetime,
        vol.Optional("until"): cv.datetime,
        vol.Optional("miner"): cv.string,
        vol.Optional("limit", default=100): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=MAX_ROWS)
        ),
    }
)
_EVENTS_SCHEMA = _ROWS_SCHEMA.extend({vol.Optional("type"): cv.string})
_AUDIT_SCHEMA = _ROWS_SCHEMA.extend(
    {vol.Optional("action"): cv.string, vol.Optional("resource_type"): cv.string}
)


def _filter(call: ServiceCall, kind: str | None) -> RowFilter:
    """Build the query filter; naive datetimes are taken as local time."""

    def _bound(key: str) -> datetime | None:
        value = call.data.get(key)
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt_util.get_default_time_zone())
        return to_naive_utc(value)

    return RowFilter(
        since=_bound("since"),
        until=_bound("until"),
        kind=kind,
        miner=call.data.get("miner"),
        resource_type=call.data.get("resource_type"),
        limit=call.data["limit"],
    )


async def _async_audit_call(call: ServiceCall, name: str, count: int) -> None:
    hub = loaded_hub(call.hass).runtime_data
    queue_audit(
        hub.database,
        actor=await async_actor(call.hass, context=call.context),
        action=name,
        resource_id=None,
        resource_name=str(call.data.get("miner") or "all"),
        changes={
            **{k: str(v) for k, v in call.data.items() if k != "limit"},
            "limit": call.data["limit"],
            "returned": count,
        },
        resource_type="action",
    )


async def _async_rows(
    call: ServiceCall,
    service: str,
    kind: str | None,
    query: Callable[[Session, RowFilter], list[dict[str, Any]]],
) -> list[JsonValueType]:
    """Run ``query`` for the call's filter, audit the call, return the rows."""
    hub = loaded_hub(call.hass).runtime_data
    await hub.database.async_flush()  # rows queued until now are included
    wanted = _filter(call, kind)
    rows = await hub.database.async_run(lambda session: query(session, wanted))
    await _async_audit_call(call, service, len(rows))
    return cast("list[JsonValueType]", rows)


async def _async_get_events(call: ServiceCall) -> ServiceResponse:
    """Return events rows, newest first (response only)."""
    kind = call.data.get("type")
    return {"events": await _async_rows(call, SERVICE_GET_EVENTS, kind, events)}


async def _async_get_audit_log(call: ServiceCall) -> ServiceResponse:
    """Return audit rows, newest first (admins only; response only)."""
    kind = call.data.get("action")
    rows = await _async_rows(call, SERVICE_GET_AUDIT_LOG, kind, audit_log)
    return {"entries": rows}


async def _async_send_test(call: ServiceCall) -> ServiceResponse:
    """Send a test message on one channel (by name) or on every enabled one."""
    hub = loaded_hub(call.hass).runtime_data
    notifier = hub.notifier
    wanted = call.data.get(ATTR_CHANNEL)
    channels = notifier.senders()
    if wanted is not None:
        channels = [c for c in channels if c.name.casefold() == wanted.casefold()]
    if not channels:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_notification_channel",
            translation_placeholders={"channel": wanted or "-"},
        )
    message = Message.plain(call.data.get(ATTR_MESSAGE, TEST_MESSAGE), "test")
    results = await notifier.async_send_test(
        channels, message, user_id=call.context.user_id, label=wanted
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
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_EVENTS,
        _async_get_events,
        schema=_EVENTS_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    # Who changed what is for admins: a user call by a non-admin is refused.
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_GET_AUDIT_LOG,
        _async_get_audit_log,
        schema=_AUDIT_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
