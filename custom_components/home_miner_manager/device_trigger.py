"""Device triggers of a miner: block found, offline, online, hot, band changed.

Automations built in the UI then need no event names or states.
Offline/online follow the status sensor; block and temperature follow the
``home_miner_manager_alert`` event (it carries the device id); a band change
is fleet-wide, so every miner offers it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.device_automation.exceptions import (
    InvalidDeviceAutomationConfig,
)
from homeassistant.components.homeassistant.triggers import (
    event as event_trigger,
    state as state_trigger,
)
from homeassistant.const import (
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_ENTITY_ID,
    CONF_EVENT_DATA,
    CONF_PLATFORM,
    CONF_TYPE,
)
import voluptuous as vol

from .const import DOMAIN, EVENT_BAND_CHANGED
from .device_links import (
    OFFLINE_STATES,
    ONLINE_STATES,
    is_miner_device,
    miner_entity,
)
from .monitor.alerts import EVENT_ALERT

if TYPE_CHECKING:
    from homeassistant.core import CALLBACK_TYPE, HomeAssistant
    from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
    from homeassistant.helpers.typing import ConfigType

TRIGGER_TYPES: Final = (
    "block_found",
    "went_offline",
    "came_online",
    "high_temperature",
    "band_changed",
)
TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {vol.Required(CONF_TYPE): vol.In(TRIGGER_TYPES)}
)


async def async_get_triggers(
    hass: HomeAssistant, device_id: str
) -> list[dict[str, Any]]:
    """List the triggers of a miner device."""
    if not is_miner_device(hass, device_id):
        return []
    return [
        {
            CONF_PLATFORM: "device",
            CONF_DEVICE_ID: device_id,
            CONF_DOMAIN: DOMAIN,
            CONF_TYPE: kind,
        }
        for kind in TRIGGER_TYPES
    ]


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Attach the event or state trigger behind a device trigger."""
    device_id = config[CONF_DEVICE_ID]
    kind = config[CONF_TYPE]
    if kind in ("went_offline", "came_online"):
        entity_id = miner_entity(hass, device_id, "sensor", "status")
        if entity_id is None:
            raise InvalidDeviceAutomationConfig(f"No miner status for {device_id}")
        offline = kind == "went_offline"
        state_config = await state_trigger.async_validate_trigger_config(
            hass,
            {
                CONF_PLATFORM: "state",
                CONF_ENTITY_ID: [entity_id],
                state_trigger.CONF_FROM: list(
                    ONLINE_STATES if offline else OFFLINE_STATES
                ),
                state_trigger.CONF_TO: list(
                    OFFLINE_STATES if offline else ONLINE_STATES
                ),
            },
        )
        return await state_trigger.async_attach_trigger(
            hass, state_config, action, trigger_info, platform_type="device"
        )
    if kind == "band_changed":
        event_config: dict[str, Any] = {
            CONF_PLATFORM: "event",
            event_trigger.CONF_EVENT_TYPE: EVENT_BAND_CHANGED,
        }
    else:
        alert_data = {CONF_DEVICE_ID: device_id, "type": kind}
        if kind == "high_temperature":
            alert_data["state"] = "fired"
        event_config = {
            CONF_PLATFORM: "event",
            event_trigger.CONF_EVENT_TYPE: EVENT_ALERT,
            CONF_EVENT_DATA: alert_data,
        }
    return await event_trigger.async_attach_trigger(
        hass,
        event_trigger.TRIGGER_SCHEMA(event_config),
        action,
        trigger_info,
        platform_type="device",
    )
